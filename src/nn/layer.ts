import type { ActivationKernel } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { ShapeError } from '../errors.js';
import { assertMultiplies, assertSameDType, assertShape, formatShape, Matrix } from '../matrix.js';
import { activation } from './activations.js';
import { layerCache } from './courseCache.js';
import { softmax, softmaxBackward } from './softmax.js';
import { outputMatrix } from './workspace.js';

// One layer of the course: LINEAR then ACTIVATION forward, and the same two steps backward.
// Functions return tuples as the course's Python does: `const [Z, cache] = linearForward(A, W, b)`.

/** The course's linear_cache: (A_prev, W, b). */
export interface LinearCache {
  readonly APrev: Matrix;
  readonly W: Matrix;
  readonly b: Matrix;
}

/** The course's activation_cache (Z), plus A = g(Z), which sigmoid' and tanh' reuse. */
export interface ActivationCache {
  readonly Z: Matrix;
  readonly A: Matrix;
}

/** The course's cache of one layer: (linear_cache, activation_cache). */
export interface LayerCache {
  readonly linearCache: LinearCache;
  readonly activationCache: ActivationCache;
}

/**
 * A layer's cache as the course's Python builds it, ((A_prev, W, b), Z), written [[APrev, W, b], Z].
 * The backward functions take it as well as a LayerCache; A is recomputed as g(Z).
 */
export type CourseLayerCache = readonly [linearCache: readonly [APrev: Matrix, W: Matrix, b: Matrix], Z: Matrix];

export type ActivationLike = ActivationKernel | string;

function kernel(act: ActivationLike, op: string, layer?: number): ActivationKernel {
  return typeof act === 'string' ? activation(act, undefined, layer === undefined ? op : `${op} (layer ${layer})`) : act;
}

function wName(layer?: number): string {
  return layer === undefined ? 'W' : `W[${layer}]`;
}
function aPrevName(layer?: number): string {
  return layer === undefined ? 'A_prev' : layer === 1 ? 'A[0] (= X)' : `A[${layer - 1}]`;
}

/** W·A_prev, after checking W, A_prev and b against each other; b is added by the caller. */
function linearProduct(op: string, APrev: Matrix, W: Matrix, b: Matrix, layer?: number): Matrix {
  // Every layer of every iteration passes here: the messages are built only when a check fails.
  if (W.cols !== APrev.rows || b.rows !== W.rows || b.cols !== 1 || W.dtype !== APrev.dtype || W.dtype !== b.dtype) {
    assertMultiplies(op, W, wName(layer), APrev, aPrevName(layer), layer, `${wName(layer)}'s columns must equal A_prev's rows`);
    assertShape(op, b, W.rows, 1, 'b', layer, `b must be (n[l], 1) = (${W.rows}, 1) to match ${wName(layer)} ${formatShape(W.shape)}`);
    assertSameDType(op, W, wName(layer), APrev, aPrevName(layer), layer);
    assertSameDType(op, W, wName(layer), b, 'b', layer);
  }
  const Z = outputMatrix(W.rows, APrev.cols, W.dtype);
  getBackend().gemm(false, false, 1, W, APrev, 0, Z);
  return Z;
}

/** Z = W·A_prev + b, with b (n, 1) broadcast over the m columns. */
export function linearForward(APrev: Matrix, W: Matrix, b: Matrix, layer?: number): [Matrix, LinearCache] {
  const Z = linearProduct('linearForward', APrev, W, b, layer);
  getBackend().addBias(Z, b);
  return [Z, { APrev, W, b }];
}

/** A = g(W·A_prev + b). */
export function linearActivationForward(
  APrev: Matrix,
  W: Matrix,
  b: Matrix,
  act: ActivationLike,
  layer?: number,
): [Matrix, LayerCache] {
  const g = kernel(act, 'linearActivationForward', layer);
  // Shape errors name the linear step, where they arise.
  const Z = linearProduct('linearForward', APrev, W, b, layer);
  const linearCache = { APrev, W, b };
  // Softmax normalises each column: not an elementwise kernel.
  if (g.name === 'softmax') {
    getBackend().addBias(Z, b);
    const A = softmax(Z);
    return [A, { linearCache, activationCache: { Z, A } }];
  }
  // Bias and activation in one pass over Z (the cache keeps Z = W·A_prev + b, as the course's).
  const A = outputMatrix(Z.rows, Z.cols, Z.dtype);
  getBackend().biasActivationForward(g, Z, b, A);
  return [A, { linearCache, activationCache: { Z, A } }];
}

/** dZ = dA * g'(Z): the course's relu_backward / sigmoid_backward, for any activation. */
export function activationBackward(dA: Matrix, cache: ActivationCache, act: ActivationLike, layer?: number): Matrix {
  const op = 'activationBackward';
  const g = kernel(act, op, layer);
  const { Z, A } = cache;
  if (dA.rows !== Z.rows || dA.cols !== Z.cols) {
    throw new ShapeError(
      `${layer === undefined ? op : `${op} (layer ${layer})`}: dA${layer === undefined ? '' : `[${layer}]`} ${formatShape(dA.shape)} must have the shape of Z${layer === undefined ? '' : `[${layer}]`} ${formatShape(Z.shape)}`,
    );
  }
  if (g.name === 'softmax') return softmaxBackward(dA, A, layer);
  const dZ = outputMatrix(Z.rows, Z.cols, Z.dtype);
  getBackend().activationBackward(g, dA, Z, A, dZ);
  return dZ;
}

/**
 * dW = (1/m) dZ·A_prevᵀ, db = (1/m) Σ dZ over columns, dA_prev = Wᵀ·dZ.
 * `computeDAPrev: false` skips dA_prev where nothing uses it (layer 1 during training).
 */
export function linearBackward(dZ: Matrix, cache: LinearCache, layer?: number): [Matrix, Matrix, Matrix];
export function linearBackward(
  dZ: Matrix,
  cache: LinearCache,
  layer: number | undefined,
  options: { computeDAPrev?: boolean },
): [Matrix | null, Matrix, Matrix];
export function linearBackward(
  dZ: Matrix,
  cache: LinearCache,
  layer?: number,
  options: { computeDAPrev?: boolean } = {},
): [Matrix | null, Matrix, Matrix] {
  const op = 'linearBackward';
  const { APrev, W } = cache;
  const m = APrev.cols;
  if (dZ.rows !== W.rows || dZ.cols !== m) assertShape(op, dZ, W.rows, m, 'dZ', layer, `dZ must be (n[l], m) = (${W.rows}, ${m}), the shape of Z`);
  const backend = getBackend();
  const dW = outputMatrix(W.rows, W.cols, W.dtype);
  backend.gemm(false, true, 1 / m, dZ, APrev, 0, dW);
  const db = outputMatrix(W.rows, 1, W.dtype);
  backend.rowSums(dZ, 1 / m, db);
  let dAPrev: Matrix | null = null;
  if (options.computeDAPrev ?? true) {
    dAPrev = outputMatrix(APrev.rows, m, W.dtype);
    backend.gemm(true, false, 1, W, dZ, 0, dAPrev);
  }
  return [dAPrev, dW, db];
}

/** The course's linear_activation_backward: dZ = dA * g'(Z), then linearBackward. */
export function linearActivationBackward(
  dA: Matrix,
  cache: LayerCache | CourseLayerCache,
  act: ActivationLike,
  layer?: number,
): [Matrix, Matrix, Matrix];
export function linearActivationBackward(
  dA: Matrix,
  cache: LayerCache | CourseLayerCache,
  act: ActivationLike,
  layer: number | undefined,
  options: { computeDAPrev?: boolean },
): [Matrix | null, Matrix, Matrix];
export function linearActivationBackward(
  dA: Matrix,
  cache: LayerCache | CourseLayerCache,
  act: ActivationLike,
  layer?: number,
  options: { computeDAPrev?: boolean } = {},
): [Matrix | null, Matrix, Matrix] {
  const g = kernel(act, 'linearActivationBackward', layer);
  const { linearCache, activationCache } = layerCache(cache, g, 'linearActivationBackward', layer);
  const dZ = activationBackward(dA, activationCache, g, layer);
  return linearBackward(dZ, linearCache, layer, options);
}
