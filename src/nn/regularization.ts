import { ConfigError } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { NumpyRandom } from '../random.js';
import { type CostName, costFunction } from './costs.js';
import { type LayerCache, linearActivationForward } from './layer.js';
import { type ActivationOptions, type FirstLayer, layerActivations } from './model.js';
import { type Gradients, numLayers, type Parameters } from './parameters.js';

// The course's regularisers (Improving Deep Neural Networks, week 1): L2 and inverted dropout.

/**
 * Σ over layers of ||W[l]||², the Frobenius norms of the weights (biases are not regularised).
 * `firstLayer` is ||W[1]||² when the caller has it in another form (the Gram form's).
 */
function sumOfSquaredWeights(parameters: Parameters, firstLayer?: number): number {
  const L = numLayers(parameters);
  let s = 0;
  for (let l = 1; l <= L; l++) {
    if (l === 1 && firstLayer !== undefined) {
      s += firstLayer;
      continue;
    }
    const w = parameters[`W${l}`]!.data;
    let sl = 0;
    for (let t = 0; t < w.length; t++) sl += w[t]! * w[t]!;
    s += sl;
  }
  return s;
}

/**
 * The course's compute_cost_with_regularization: J + (1/m)(λ/2) Σ_l ||W[l]||² (`firstLayerSquares`:
 * ||W[1]||² computed by the caller, as the Gram form does).
 */
export function computeCostWithRegularization(AL: Matrix, Y: Matrix, parameters: Parameters, lambd: number, cost: CostName = 'bce', firstLayerSquares?: number): number {
  const m = Y.cols;
  return costFunction(cost).cost(AL, Y) + (1 / m) * (lambd / 2) * sumOfSquaredWeights(parameters, firstLayerSquares);
}

/**
 * The L2 term of backward_propagation_with_regularization: dW[l] += (λ W[l]) / m, in place, for
 * layers fromLayer..L (2 when the Gram form adds layer 1's itself).
 */
export function addL2Gradients(grads: Gradients, parameters: Parameters, lambd: number, m: number, fromLayer = 1): Gradients {
  const L = numLayers(parameters);
  for (let l = fromLayer; l <= L; l++) {
    const w = parameters[`W${l}`]!.data;
    const dw = grads[`dW${l}`]!.data;
    for (let t = 0; t < w.length; t++) dw[t] = dw[t]! + (lambd * w[t]!) / m;
  }
  return grads;
}

/**
 * keep_prob of each hidden layer 1..L-1 from one number (every hidden layer) or a list (one per
 * hidden layer). The output layer is never dropped, as in the course.
 */
export function keepProbPerLayer(keepProb: number | readonly number[], L: number): number[] {
  const list = typeof keepProb === 'number' ? Array.from({ length: L - 1 }, () => keepProb) : [...keepProb];
  if (list.length !== L - 1) {
    throw new ConfigError(`keepProb lists ${list.length} values but the network has ${L - 1} hidden layers (one keep_prob per hidden layer 1..L-1)`);
  }
  list.forEach((p, i) => {
    if (typeof p !== 'number' || !(p > 0 && p <= 1)) {
      throw new ConfigError(`keepProb[${i}] (layer ${i + 1}) must be in (0, 1], got ${JSON.stringify(p)}`);
    }
  });
  return list;
}

/** The masks D[l] of the hidden layers (index l - 1), for the backward pass. */
export type DropoutMasks = Matrix[];

/**
 * The course's forward_propagation_with_dropout for L layers: after each hidden layer's activation,
 * D = rand(n[l], m) < keep_prob; A = A * D; A = A / keep_prob (inverted dropout: the expected
 * activation is unchanged, so predict runs the plain forward pass). Masks are drawn from `rng`
 * layer by layer. The caches keep the undropped A for g'(Z); the next layer's input is the dropped A.
 */
export function lModelForwardWithDropout(
  X: Matrix,
  parameters: Parameters,
  keepProb: readonly number[],
  rng: NumpyRandom,
  options: ActivationOptions = {},
  first?: FirstLayer,
): [Matrix, LayerCache[], DropoutMasks] {
  const L = numLayers(parameters);
  const acts = layerActivations(L, options);
  const caches: LayerCache[] = [];
  const masks: DropoutMasks = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const [Al, cache] = l === 1 && first ? first(acts[0]!) : linearActivationForward(A, parameters[`W${l}`]!, parameters[`b${l}`]!, acts[l - 1]!, l);
    caches.push(cache);
    A = Al;
    if (l < L) {
      const kp = keepProb[l - 1]!;
      const u = rng.rand(A.rows, A.cols);
      const D = Matrix.zeros(A.rows, A.cols, A.dtype);
      const dropped = Matrix.zeros(A.rows, A.cols, A.dtype);
      for (let t = 0; t < u.length; t++) {
        D.data[t] = u[t]! < kp ? 1 : 0;
        dropped.data[t] = (A.data[t]! * D.data[t]!) / kp;
      }
      masks.push(D);
      A = dropped;
    }
  }
  return [A, caches, masks];
}

/** backward_propagation_with_dropout's step for a hidden layer: dA[l] = dA[l] * D[l] / keep_prob. */
export function dropoutBackward(masks: DropoutMasks, keepProb: readonly number[]): (layer: number, dA: Matrix) => Matrix {
  return (layer, dA) => {
    const D = masks[layer - 1];
    if (!D) return dA;
    const kp = keepProb[layer - 1]!;
    const out = Matrix.zeros(dA.rows, dA.cols, dA.dtype);
    for (let t = 0; t < out.data.length; t++) out.data[t] = (dA.data[t]! * D.data[t]!) / kp;
    return out;
  };
}
