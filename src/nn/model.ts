import type { ActivationKernel } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertSameShape, formatShape, Matrix } from '../matrix.js';
import { activation, type ActivationName, DEFAULT_LEAKY_SLOPE } from './activations.js';
import { type CostName, costFunction } from './costs.js';
import { argmaxColumns } from './softmax.js';
import { layerCache } from './courseCache.js';
import { activationBackward, type CourseLayerCache, type LayerCache, linearActivationForward, linearBackward } from './layer.js';
import { type Gradients, numLayers, type Parameters } from './parameters.js';
import { outputMatrix } from './workspace.js';

/** Which activation each layer uses: the course's [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID by default. */
export interface ActivationOptions {
  /** One activation per layer 1..L; overrides hidden/output. */
  activations?: readonly (ActivationName | ActivationKernel)[];
  /** Activation of every hidden layer (default relu). */
  hidden?: ActivationName;
  /** Activation of the output layer (default sigmoid). */
  output?: ActivationName;
  /** Leaky ReLU's slope for z <= 0 (default 0.01). */
  leakySlope?: number;
}

export interface ModelOptions extends ActivationOptions {
  /** The cost whose dAL starts the backward pass (default bce). */
  cost?: CostName;
}

/** The activation kernel of each layer 1..L (index l - 1). */
export function layerActivations(L: number, options: ActivationOptions = {}): ActivationKernel[] {
  const slope = options.leakySlope ?? DEFAULT_LEAKY_SLOPE;
  if (options.activations) {
    if (options.activations.length !== L) {
      throw new ConfigError(
        `activations lists ${options.activations.length} activations but the network has L = ${L} layers (one per layer 1..L)`,
      );
    }
    return options.activations.map((a, i) =>
      typeof a === 'string' ? activation(a, slope, `activations[${i}] (layer ${i + 1})`) : a,
    );
  }
  const hidden = activation(options.hidden ?? 'relu', slope, 'hidden');
  const output = activation(options.output ?? 'sigmoid', slope, 'output');
  const acts: ActivationKernel[] = [];
  for (let l = 1; l <= L; l++) acts.push(l === L ? output : hidden);
  return acts;
}

/**
 * A training loop's own way to compute layer 1's A[1] = g(Z[1]) and cache from its activation (the
 * Gram form of nn/gram.ts); the building blocks compute it as W[1]·X + b[1].
 */
export type FirstLayer = (act: ActivationKernel) => [Matrix, LayerCache];

/** The course's L_model_forward: returns AL and the caches of layers 1..L (caches[l - 1]). */
export function lModelForward(X: Matrix, parameters: Parameters, options: ActivationOptions = {}, first?: FirstLayer): [Matrix, LayerCache[]] {
  const L = numLayers(parameters);
  const acts = layerActivations(L, options);
  const caches: LayerCache[] = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const b = parameters[`b${l}`];
    if (!b) throw new ShapeError(`lModelForward (layer ${l}): parameters have W${l} but no b${l}`);
    const [Al, cache] = l === 1 && first ? first(acts[0]!) : linearActivationForward(A, parameters[`W${l}`]!, b, acts[l - 1]!, l);
    caches.push(cache);
    A = Al;
  }
  return [A, caches];
}

/**
 * The course's L_model_backward: grads dA{l-1}, dW{l}, db{l} (and dZ{l}, dAL) for l = L..1.
 * Each cache is lModelForward's or the course's own ((A_prev, W, b), Z) (see nn/courseCache.ts).
 * `computeDA0: false` skips dA0 = W1ᵀ·dZ1, which training never uses (it is the largest product).
 */
export function lModelBackward(
  AL: Matrix,
  Y: Matrix,
  caches: readonly (LayerCache | CourseLayerCache)[],
  options: ModelOptions & {
    computeDA0?: boolean;
    /** false: layer 1 gives dZ1 and db1 only (the Gram form updates W[1] from dZ1 itself). */
    computeDW1?: boolean;
    /** Changes dA[l] of a hidden layer before its g'(Z) step: inverted dropout's dA * D[l] / keep_prob. */
    maskDA?: (layer: number, dA: Matrix) => Matrix;
  } = {},
): Gradients {
  assertSameShape('lModelBackward', AL, 'AL', Y, 'Y');
  if (!Array.isArray(caches) || caches.length === 0) {
    throw new ShapeError(
      `lModelBackward: caches must list the cache of each layer 1..L (lModelForward's second result, or the course's ((A_prev, W, b), Z) per layer), got ${Array.isArray(caches) ? 'an empty array' : caches === null ? 'null' : typeof caches}`,
    );
  }
  const L = caches.length;
  const acts = layerActivations(L, options);
  // Softmax with categorical cross-entropy: dZ[L] = A[L] - Y, the product of dAL = -Y/A with the
  // softmax Jacobian worked out once (exact even where a rounds to 0, where -Y/A is not).
  const fused = acts[L - 1]!.name === 'softmax' && options.cost === 'ce';
  const grads: Gradients = {};
  let dA = AL;
  if (!fused) {
    dA = costFunction(options.cost ?? 'bce').dAL(AL, Y);
    grads.dAL = dA;
  }
  for (let l = L; l >= 1; l--) {
    const cache = layerCache(caches[l - 1], acts[l - 1]!, 'lModelBackward', l);
    if (options.maskDA && l < L) dA = options.maskDA(l, dA);
    const dZ = fused && l === L ? outputDZ(AL, Y) : activationBackward(dA, cache.activationCache, acts[l - 1]!, l);
    grads[`dZ${l}`] = dZ;
    if (l === 1 && options.computeDW1 === false) {
      const db = outputMatrix(dZ.rows, 1, dZ.dtype);
      getBackend().rowSums(dZ, 1 / dZ.cols, db);
      grads.db1 = db;
      break;
    }
    const computeDAPrev = l > 1 || (options.computeDA0 ?? true);
    const [dAPrev, dW, db] = linearBackward(dZ, cache.linearCache, l, { computeDAPrev });
    grads[`dW${l}`] = dW;
    grads[`db${l}`] = db;
    if (dAPrev) grads[`dA${l - 1}`] = dAPrev;
    if (dAPrev) dA = dAPrev;
  }
  return grads;
}

/** dZ = A - Y. */
function outputDZ(AL: Matrix, Y: Matrix): Matrix {
  const dZ = outputMatrix(AL.rows, AL.cols, AL.dtype);
  for (let t = 0; t < dZ.data.length; t++) dZ.data[t] = AL.data[t]! - Y.data[t]!;
  return dZ;
}

/**
 * The course's update_parameters: W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l].
 * Returns new parameters; `inPlace: true` overwrites the given ones (the training loop's choice).
 */
export function updateParameters(
  parameters: Parameters,
  grads: Gradients,
  learningRate: number,
  options: { inPlace?: boolean } = {},
): Parameters {
  if (!Number.isFinite(learningRate)) {
    throw new ConfigError(`updateParameters: learningRate must be a finite number, got ${learningRate}`);
  }
  const L = numLayers(parameters);
  const out: Parameters = options.inPlace ? parameters : {};
  const backend = getBackend();
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b'] as const) {
      const P = parameters[`${p}${l}`]!;
      const dP = grads[`d${p}${l}`];
      if (!dP) throw new ShapeError(`updateParameters (layer ${l}): grads have no d${p}${l}`);
      if (dP.rows !== P.rows || dP.cols !== P.cols) {
        throw new ShapeError(
          `updateParameters (layer ${l}): d${p}[${l}] ${formatShape(dP.shape)} must have the shape of ${p}[${l}] ${formatShape(P.shape)}`,
        );
      }
      const next = options.inPlace ? P : P.clone();
      backend.axpy(-learningRate, dP, next);
      out[`${p}${l}`] = next;
    }
  }
  return out;
}

/**
 * The course's predict: 1 where AL > 0.5, else 0, for a sigmoid output; for softmax the class
 * index of each sample (1, m); for any other output the forward pass's AL itself (a regression's
 * prediction).
 */
export function predict(X: Matrix, parameters: Parameters, options: ActivationOptions = {}): Matrix {
  const [AL] = lModelForward(X, parameters, options);
  const L = numLayers(parameters);
  const output = layerActivations(L, options)[L - 1]!.name;
  if (output === 'softmax') return argmaxColumns(AL);
  if (output !== 'sigmoid') return AL;
  const p = Matrix.zeros(AL.rows, AL.cols, AL.dtype);
  for (let t = 0; t < p.data.length; t++) p.data[t] = AL.data[t]! > 0.5 ? 1 : 0;
  return p;
}

/** The fraction of entries where the prediction equals the label: mean(p == Y). */
export function accuracy(p: Matrix, Y: Matrix): number {
  assertSameShape('accuracy', p, 'predictions', Y, 'Y');
  let same = 0;
  for (let t = 0; t < p.data.length; t++) if (p.data[t] === Y.data[t]) same++;
  return p.data.length === 0 ? 0 : same / p.data.length;
}
