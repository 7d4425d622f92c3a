import { ConfigError, ShapeError } from '../errors.js';
import { formatShape, type Matrix } from '../matrix.js';

/** The course's parameters dictionary: { W1, b1, ..., WL, bL }. */
export type Parameters = Record<string, Matrix>;

/** The course's grads dictionary: { dA0, dW1, db1, dZ1, dA1, ... }. */
export type Gradients = Record<string, Matrix>;

/** The most layers L a network may have (a model file holds 2L tensors: W1, b1, ..., WL, bL). */
export const MAX_LAYERS = 1000;

/** Checks layerDims = [n0, n1, ..., nL]: at least two sizes, each a positive integer. */
export function validateLayerDims(layerDims: readonly number[], where = 'layerDims'): void {
  if (!Array.isArray(layerDims) || layerDims.length < 2) {
    throw new ConfigError(
      `${where} must list at least the input and output sizes [n0, ..., nL], got ${JSON.stringify(layerDims)}`,
    );
  }
  if (layerDims.length - 1 > MAX_LAYERS) throw new ConfigError(`${where} has L = ${layerDims.length - 1} layers; deepnet builds at most ${MAX_LAYERS}`);
  layerDims.forEach((n, l) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new ConfigError(`${where}[${l}] (n[${l}]) must be a positive integer, got ${JSON.stringify(n)}`);
    }
  });
}

/** The number of layers L of a parameters dictionary (W1..WL). */
export function numLayers(parameters: Parameters): number {
  let L = 0;
  while (parameters[`W${L + 1}`]) L++;
  if (L === 0) throw new ShapeError('parameters hold no W1: expected { W1, b1, ..., WL, bL }');
  return L;
}

/** layerDims read off the parameters, checking that consecutive layers fit together. */
export function layerDimsOf(parameters: Parameters): number[] {
  const L = numLayers(parameters);
  const dims = [parameters.W1!.cols];
  for (let l = 1; l <= L; l++) {
    const W = parameters[`W${l}`]!;
    const b = parameters[`b${l}`];
    if (W.cols !== dims[l - 1]) {
      throw new ShapeError(
        `parameters: W[${l}] ${formatShape(W.shape)} must have n[${l - 1}] = ${dims[l - 1]} columns to follow W[${l - 1}]`,
      );
    }
    if (!b || b.rows !== W.rows || b.cols !== 1) {
      throw new ShapeError(
        `parameters: b[${l}] ${b ? formatShape(b.shape) : 'is missing'} but must be (${W.rows}, 1) to match W[${l}] ${formatShape(W.shape)}`,
      );
    }
    dims.push(W.rows);
  }
  return dims;
}

export function cloneParameters(parameters: Parameters): Parameters {
  const out: Parameters = {};
  for (const [k, v] of Object.entries(parameters)) out[k] = v.clone();
  return out;
}
