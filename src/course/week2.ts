// Week 2, "Logistic Regression with a Neural Network mindset": the notebook's graded functions
// under its names, on deepnet's blocks. Logistic regression is the network [n_x, 1]: w is W1ᵀ,
// b its bias, and one sigmoid unit.
import { getBackend } from '../backend/select.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertSameShape, formatShape, Matrix } from '../matrix.js';
import { sigmoid as sigmoidKernel } from '../nn/activations.js';
import { computeCost } from '../nn/costs.js';
import { linearActivationForward, linearBackward } from '../nn/layer.js';
import { withResidentData } from '../nn/resident.js';
import { checkIterations, checkLearningRate } from '../nn/trainingChecks.js';
import { costLine, type PrintCost, printer } from './print.js';
import { pyStr } from './numpyStr.js';

/** The notebook's sigmoid(z): 1 / (1 + e^-z), of a number or elementwise of a Matrix. */
export function sigmoid(z: number): number;
export function sigmoid(z: Matrix): Matrix;
export function sigmoid(z: number | Matrix): number | Matrix {
  if (typeof z === 'number') return sigmoidKernel.g(z);
  const s = Matrix.zeros(z.rows, z.cols, z.dtype);
  getBackend().activationForward(sigmoidKernel, z, s);
  return s;
}

/** The notebook's initialize_with_zeros(dim): w = zeros((dim, 1)), b = 0. */
export function initializeWithZeros(dim: number): [w: Matrix, b: number] {
  if (!Number.isInteger(dim) || dim < 1) throw new ConfigError(`initializeWithZeros: dim must be a positive integer, got ${dim}`);
  return [Matrix.zeros(dim, 1), 0];
}

export interface LogisticGrads {
  /** dJ/dw, (n_x, 1) like w. */
  dw: Matrix;
  /** dJ/db. */
  db: number;
}

function checkW(op: string, w: Matrix, X: Matrix): void {
  if (w.cols !== 1 || w.rows !== X.rows) {
    throw new ShapeError(
      `${op}: w ${formatShape(w.shape)} must be (n_x, 1) = (${X.rows}, 1), one weight per row of X ${formatShape(X.shape)}`,
    );
  }
}

function checkB(op: string, b: number): void {
  if (typeof b !== 'number' || !Number.isFinite(b)) throw new ConfigError(`${op}: b must be a finite number, got ${String(b)}`);
}

/** A = sigmoid(wᵀX + b), with its cache: the layer [n_x, 1] forward. */
function forward(op: string, w: Matrix, b: number, X: Matrix) {
  checkW(op, w, X);
  checkB(op, b);
  return linearActivationForward(X, w.T, Matrix.full(1, 1, b, X.dtype), sigmoidKernel);
}

/**
 * The notebook's propagate(w, b, X, Y): the cost J = -(1/m) Σ (y log a + (1-y) log(1-a)) of
 * A = sigmoid(wᵀX + b), and its gradients dw = (1/m) X (A - Y)ᵀ, db = (1/m) Σ (A - Y).
 */
export function propagate(w: Matrix, b: number, X: Matrix, Y: Matrix): [grads: LogisticGrads, cost: number] {
  const [A, cache] = forward('propagate', w, b, X);
  assertSameShape('propagate', A, 'A', Y, 'Y');
  const cost = computeCost(A, Y);
  // dZ = A - Y, then the linear layer's backward: dW = (1/m) dZ·Xᵀ is dwᵀ, db = (1/m) Σ dZ.
  const dZ = A.clone();
  getBackend().axpy(-1, Y, dZ);
  const [, dW, db] = linearBackward(dZ, cache.linearCache, undefined, { computeDAPrev: false });
  return [{ dw: dW.T, db: db.data[0]! }, cost];
}

/**
 * The notebook's optimize(w, b, X, Y, num_iterations, learning_rate, print_cost): gradient descent
 * w := w - α dw, b := b - α db. Returns the learned { w, b }, the last iteration's grads, and the
 * cost every 100 iterations. `printCost` prints "Cost after iteration i: J" every 100 iterations
 * (true: to the console; a function: to it).
 */
export function optimize(
  w: Matrix,
  b: number,
  X: Matrix,
  Y: Matrix,
  numIterations = 100,
  learningRate = 0.009,
  printCost: PrintCost = false,
): [params: { w: Matrix; b: number }, grads: LogisticGrads, costs: number[]] {
  checkIterations(numIterations);
  checkLearningRate(learningRate);
  const print = printer(printCost);
  const costs: number[] = [];
  let grads: LogisticGrads = { dw: Matrix.zeros(w.rows, w.cols, w.dtype), db: 0 };
  w = w.clone();
  // X and Y stay in the kernels' memory for the whole loop (the cat data's X is 20 MB).
  withResidentData(X, Y, {}, (X, Y) => {
    for (let i = 0; i < numIterations; i++) {
      const [g, cost] = propagate(w, b, X, Y);
      grads = g;
      getBackend().axpy(-learningRate, g.dw, w);
      b = b - learningRate * g.db;
      if (i % 100 === 0) {
        costs.push(cost);
        print?.(costLine(i, cost));
      }
    }
  });
  return [{ w, b }, grads, costs];
}

/** The notebook's predict(w, b, X): 1 where sigmoid(wᵀX + b) > 0.5, else 0, as (1, m). */
export function predict(w: Matrix, b: number, X: Matrix): Matrix {
  const [A] = forward('predict', w, b, X);
  const p = Matrix.zeros(1, A.cols, A.dtype);
  for (let i = 0; i < A.cols; i++) p.data[i] = A.data[i]! > 0.5 ? 1 : 0;
  return p;
}

/** The notebook's accuracy in per cent: 100 - mean(|Ŷ - Y|) · 100. */
export function accuracyPercent(prediction: Matrix, Y: Matrix): number {
  assertSameShape('accuracyPercent', prediction, 'prediction', Y, 'Y');
  let s = 0;
  for (let t = 0; t < Y.data.length; t++) s += Math.abs(prediction.data[t]! - Y.data[t]!);
  return 100 - (s / Y.data.length) * 100;
}

export interface LogisticModel {
  costs: number[];
  YPredictionTest: Matrix;
  YPredictionTrain: Matrix;
  w: Matrix;
  b: number;
  learningRate: number;
  numIterations: number;
  /** The notebook's printed "train accuracy: x %" and "test accuracy: x %". */
  trainAccuracy: number;
  testAccuracy: number;
}

/**
 * The notebook's model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
 * print_cost): zero init, optimize, predict both sets. With `printCost` it prints the costs and
 * then the train and test accuracies, as the notebook does.
 */
export function model(
  XTrain: Matrix,
  YTrain: Matrix,
  XTest: Matrix,
  YTest: Matrix,
  numIterations = 2000,
  learningRate = 0.5,
  printCost: PrintCost = false,
): LogisticModel {
  let [w, b] = initializeWithZeros(XTrain.rows);
  const [params, , costs] = optimize(w, b, XTrain, YTrain, numIterations, learningRate, printCost);
  ({ w, b } = params);
  const YPredictionTest = predict(w, b, XTest);
  const YPredictionTrain = predict(w, b, XTrain);
  const trainAccuracy = accuracyPercent(YPredictionTrain, YTrain);
  const testAccuracy = accuracyPercent(YPredictionTest, YTest);
  const print = printer(printCost);
  print?.(`train accuracy: ${pyStr(trainAccuracy)} %`);
  print?.(`test accuracy: ${pyStr(testAccuracy)} %`);
  return { costs, YPredictionTest, YPredictionTrain, w, b, learningRate, numIterations, trainAccuracy, testAccuracy };
}
