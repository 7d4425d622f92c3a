// Week 3, "Planar data classification with one hidden layer": the notebook's graded functions
// under its names, on deepnet's blocks. The network is [n_x, n_h, n_y]: LINEAR -> TANH ->
// LINEAR -> SIGMOID, and its cache is the notebook's dict { Z1, A1, Z2, A2 }.
import { getBackend } from '../backend/select.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertSameShape, Matrix } from '../matrix.js';
import { sigmoid, tanh } from '../nn/activations.js';
import { computeCost as bceCost } from '../nn/costs.js';
import { initializeParameters as initializeSmall } from '../nn/init.js';
import { activationBackward, linearActivationForward, linearBackward } from '../nn/layer.js';
import { updateParameters as update } from '../nn/model.js';
import { type Gradients, type Parameters } from '../nn/parameters.js';
import { checkIterations, checkLearningRate } from '../nn/trainingChecks.js';
import { costLine, type PrintCost, printer } from './print.js';

/** The notebook's cache of the forward pass. */
export interface ShallowCache {
  Z1: Matrix;
  A1: Matrix;
  Z2: Matrix;
  A2: Matrix;
}

/** The notebook's layer_sizes(X, Y): [n_x, n_h, n_y] = [X's rows, 4, Y's rows]. */
export function layerSizes(X: Matrix, Y: Matrix): [nX: number, nH: number, nY: number] {
  if (X.cols !== Y.cols) {
    throw new ShapeError(`layerSizes: X has ${X.cols} samples (columns) but Y has ${Y.cols}; both are (n, m), one sample per column`);
  }
  return [X.rows, 4, Y.rows];
}

/**
 * The notebook's initialize_parameters(n_x, n_h, n_y): np.random.seed(2), then
 * W1 = randn(n_h, n_x) · 0.01, b1 = 0, W2 = randn(n_y, n_h) · 0.01, b2 = 0.
 */
export function initializeParameters(nX: number, nH: number, nY: number): Parameters {
  return initializeSmall(nX, nH, nY, { seed: 2 });
}

function parameter(parameters: Parameters, name: string, op: string): Matrix {
  const P = parameters[name];
  if (!(P instanceof Matrix)) throw new ShapeError(`${op}: parameters have no ${name}; expected { W1, b1, W2, b2 }`);
  return P;
}

/** The notebook's forward_propagation(X, parameters): A2 = sigmoid(W2 · tanh(W1 X + b1) + b2), and the cache. */
export function forwardPropagation(X: Matrix, parameters: Parameters): [A2: Matrix, cache: ShallowCache] {
  const op = 'forwardPropagation';
  const [A1, cache1] = linearActivationForward(X, parameter(parameters, 'W1', op), parameter(parameters, 'b1', op), tanh, 1);
  const [A2, cache2] = linearActivationForward(A1, parameter(parameters, 'W2', op), parameter(parameters, 'b2', op), sigmoid, 2);
  return [A2, { Z1: cache1.activationCache.Z, A1, Z2: cache2.activationCache.Z, A2 }];
}

/**
 * The notebook's compute_cost(A2, Y, parameters): the cross-entropy -(1/m) Σ (y log a + (1-y) log(1-a)).
 * `parameters` is accepted, as in the notebook, and not used.
 */
export function computeCost(A2: Matrix, Y: Matrix, _parameters?: Parameters): number {
  return bceCost(A2, Y);
}

/**
 * The notebook's backward_propagation(parameters, cache, X, Y): dZ2 = A2 - Y, dW2, db2 from the
 * linear step, dZ1 = W2ᵀ dZ2 * (1 - A1²), dW1, db1. Returns { dW1, db1, dW2, db2 }.
 */
export function backwardPropagation(parameters: Parameters, cache: ShallowCache, X: Matrix, Y: Matrix): Gradients {
  const op = 'backwardPropagation';
  const W1 = parameter(parameters, 'W1', op);
  const W2 = parameter(parameters, 'W2', op);
  const { Z1, A1, A2 } = cache;
  assertSameShape(op, A2, 'A2', Y, 'Y');
  const dZ2 = A2.clone();
  getBackend().axpy(-1, Y, dZ2);
  const [dA1, dW2, db2] = linearBackward(dZ2, { APrev: A1, W: W2, b: parameter(parameters, 'b2', op) }, 2);
  const dZ1 = activationBackward(dA1, { Z: Z1, A: A1 }, tanh, 1);
  const [, dW1, db1] = linearBackward(dZ1, { APrev: X, W: W1, b: parameter(parameters, 'b1', op) }, 1, { computeDAPrev: false });
  return { dW1, db1, dW2, db2 };
}

/** The notebook's update_parameters(parameters, grads, learning_rate = 1.2): P := P - α dP. */
export function updateParameters(parameters: Parameters, grads: Gradients, learningRate = 1.2): Parameters {
  return update(parameters, grads, learningRate);
}

/**
 * The notebook's nn_model(X, Y, n_h, num_iterations = 10000, print_cost = False): the seed-2 init,
 * then forward, cost, backward and update with α = 1.2. `printCost` prints the cost every 1000
 * iterations (true: to the console; a function: to it).
 */
export function nnModel(X: Matrix, Y: Matrix, nH: number, numIterations = 10000, printCost: PrintCost = false, learningRate = 1.2): Parameters {
  if (!Number.isInteger(nH) || nH < 1) throw new ConfigError(`nnModel: n_h must be a positive integer, got ${nH}`);
  checkIterations(numIterations);
  checkLearningRate(learningRate);
  const [nX, , nY] = layerSizes(X, Y);
  const print = printer(printCost);
  let parameters = initializeParameters(nX, nH, nY);
  for (let i = 0; i < numIterations; i++) {
    const [A2, cache] = forwardPropagation(X, parameters);
    const cost = computeCost(A2, Y, parameters);
    const grads = backwardPropagation(parameters, cache, X, Y);
    parameters = updateParameters(parameters, grads, learningRate);
    if (i % 1000 === 0) print?.(costLine(i, cost));
  }
  return parameters;
}

/** The notebook's predict(parameters, X): A2 > 0.5 as 0/1, (n_y, m). */
export function predict(parameters: Parameters, X: Matrix): Matrix {
  const [A2] = forwardPropagation(X, parameters);
  const p = Matrix.zeros(A2.rows, A2.cols, A2.dtype);
  for (let t = 0; t < p.data.length; t++) p.data[t] = A2.data[t]! > 0.5 ? 1 : 0;
  return p;
}

/** The notebook's accuracy in per cent: (Y·pᵀ + (1-Y)·(1-p)ᵀ) / m · 100. */
export function accuracyPercent(predictions: Matrix, Y: Matrix): number {
  assertSameShape('accuracyPercent', predictions, 'predictions', Y, 'Y');
  let right = 0;
  for (let t = 0; t < Y.data.length; t++) right += Y.data[t]! * predictions.data[t]! + (1 - Y.data[t]!) * (1 - predictions.data[t]!);
  return (right / Y.data.length) * 100;
}
