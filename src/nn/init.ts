import { ConfigError } from '../errors.js';
import { assertDType, type DType, Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
import { type Parameters, validateLayerDims } from './parameters.js';

export type InitName = 'xavier' | 'he' | 'small' | 'zeros';
export const INITS: readonly InitName[] = ['xavier', 'he', 'small', 'zeros'];

export interface InitOptions {
  /** np.random.seed(seed) before drawing (default 1, as the course). */
  seed?: number;
  dtype?: DType;
}

function randnMatrix(rng: NumpyRandom, rows: number, cols: number, scale: (x: number) => number, dtype: DType): Matrix {
  const values = rng.randn(rows, cols);
  const M = Matrix.zeros(rows, cols, dtype);
  for (let t = 0; t < values.length; t++) M.data[t] = scale(values[t]!);
  return M;
}

/**
 * The course's initialize_parameters(n_x, n_h, n_y) for the two-layer model:
 * np.random.seed(1); W1 = randn(n_h, n_x) * 0.01; b1 = 0; W2 = randn(n_y, n_h) * 0.01; b2 = 0.
 */
export function initializeParameters(
  nX: number,
  nH: number,
  nY: number,
  options: InitOptions & { scale?: number } = {},
): Parameters {
  validateLayerDims([nX, nH, nY], 'initializeParameters sizes');
  const { seed = 1, dtype = 'float64', scale = 0.01 } = options;
  assertDType(dtype);
  const rng = new NumpyRandom(seed);
  return {
    W1: randnMatrix(rng, nH, nX, (x) => x * scale, dtype),
    b1: Matrix.zeros(nH, 1, dtype),
    W2: randnMatrix(rng, nY, nH, (x) => x * scale, dtype),
    b2: Matrix.zeros(nY, 1, dtype),
  };
}

/**
 * The course's initialize_parameters_deep(layer_dims): np.random.seed(seed) once, then layer by
 * layer W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1]) ('xavier', a true division as numpy does it),
 * b[l] = zeros. Other schemes: 'he' = randn * sqrt(2 / n[l-1]), 'small' = randn * 0.01, 'zeros'.
 */
export function initializeParametersDeep(
  layerDims: readonly number[],
  options: InitOptions & { init?: InitName } = {},
): Parameters {
  validateLayerDims(layerDims);
  const { seed = 1, dtype = 'float64', init = 'xavier' } = options;
  assertDType(dtype);
  if (!INITS.includes(init)) {
    throw new ConfigError(`unknown init ${JSON.stringify(init)}; choose one of ${INITS.join(', ')}`);
  }
  const rng = new NumpyRandom(seed);
  const parameters: Parameters = {};
  for (let l = 1; l < layerDims.length; l++) {
    const n = layerDims[l]!;
    const nPrev = layerDims[l - 1]!;
    const sqrtPrev = Math.sqrt(nPrev);
    const heScale = Math.sqrt(2 / nPrev);
    parameters[`W${l}`] =
      init === 'zeros'
        ? Matrix.zeros(n, nPrev, dtype)
        : randnMatrix(
            rng,
            n,
            nPrev,
            init === 'xavier' ? (x) => x / sqrtPrev : init === 'he' ? (x) => x * heScale : (x) => x * 0.01,
            dtype,
          );
    parameters[`b${l}`] = Matrix.zeros(n, 1, dtype);
  }
  return parameters;
}
