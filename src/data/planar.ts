import { ConfigError } from '../errors.js';
import { type DType, Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
import type { Dataset } from './dataset.js';
import { PLANAR_X_BITS } from './planar-values.js';

/**
 * numpy's np.linspace(start, stop, num): arange(num) * step + start, with the last value set to
 * stop, so the same doubles come out.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) out[0] = start;
  if (num < 2) return out;
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function planarLabels(m: number, dtype: DType): Matrix {
  const Y = Matrix.zeros(1, m, dtype);
  for (let s = m / 2; s < m; s++) Y.data[s] = 1;
  return Y;
}

/**
 * The course's week-3 "flower", load_planar_dataset(): X (2, 400), Y (1, 400), the same doubles as
 * the course's numpy. Its sin and cos (SVML kernels on AVX-512) are not JavaScript's, so the values
 * are shipped (scripts/make_planar.py writes them); generatePlanar recomputes them to a few ulp.
 */
export function planarDataset(dtype: DType = 'float64'): Dataset {
  const X = Matrix.zeros(2, PLANAR_X_BITS.length / 2, dtype);
  for (let t = 0; t < PLANAR_X_BITS.length; t++) X.data[t] = fromBits(PLANAR_X_BITS[t]!);
  return { X, Y: planarLabels(X.cols, dtype), classes: ['red', 'blue'], source: 'builtin:planar' };
}

export interface PlanarOptions {
  /** numpy seed (default 1, the course's). */
  seed?: number;
  /** Number of points, even (default 400). */
  m?: number;
  /** The flower's largest ray (default 4). */
  a?: number;
  dtype?: DType;
}

/**
 * load_planar_dataset()'s recipe with JavaScript's sin and cos: np.random.seed(seed); for class
 * j = 0, 1, m/2 points t = linspace(3.12 j, 3.12 (j + 1), m/2) + 0.2 randn, r = a sin(4t) + 0.2 randn,
 * at (r sin t, r cos t).
 */
export function generatePlanar(options: PlanarOptions = {}): Dataset {
  const { seed = 1, m = 400, a = 4, dtype = 'float64' } = options;
  if (!Number.isInteger(m) || m < 2 || m % 2 !== 0) throw new ConfigError(`planar: m must be an even integer >= 2, got ${m}`);
  const N = m / 2;
  const rng = new NumpyRandom(seed);
  const X = Matrix.zeros(2, m, dtype);
  for (let j = 0; j < 2; j++) {
    const base = linspace(j * 3.12, (j + 1) * 3.12, N);
    const noiseT = rng.randn(N);
    const noiseR = rng.randn(N);
    for (let i = 0; i < N; i++) {
      const t = base[i]! + noiseT[i]! * 0.2;
      const r = a * Math.sin(4 * t) + noiseR[i]! * 0.2;
      X.data[N * j + i] = r * Math.sin(t);
      X.data[m + N * j + i] = r * Math.cos(t);
    }
  }
  return { X, Y: planarLabels(m, dtype), classes: ['red', 'blue'], source: 'builtin:planar' };
}
