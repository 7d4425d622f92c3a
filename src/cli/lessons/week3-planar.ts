import { withBackend } from '../../backend/select.js';
import { numpyStr, pyStr, shapeStr } from '../../course/numpyStr.js';
import {
  accuracyPercent,
  backwardPropagation,
  computeCost,
  forwardPropagation,
  initializeParameters,
  layerSizes,
  nnModel,
  predict,
  updateParameters,
} from '../../course/week3.js';
import { planarDataset } from '../../data/planar.js';
import { Matrix } from '../../matrix.js';
import type { Parameters } from '../../nn/parameters.js';
import { NumpyRandom } from '../../random.js';
import { type Lesson, numpyMean, randnMatrix } from './lesson.js';

const KEYS = ['W1', 'b1', 'W2', 'b2'] as const;

function printParameters(print: (line: string) => void, parameters: Parameters, prefix = ''): void {
  for (const k of KEYS) print(`${prefix}${k} = ${numpyStr(parameters[prefix + k]!)}`);
}

/** (randn(rows, cols) > 0) as 0/1, the notebook's boolean labels. */
function positive(M: Matrix): Matrix {
  const out = M.clone();
  for (let t = 0; t < out.data.length; t++) out.data[t] = M.data[t]! > 0 ? 1 : 0;
  return out;
}

// The test cases' fixed parameters, as the notebook's planar_utils writes them.
const W1 = [[-0.00416758, -0.00056267], [-0.02136196, 0.01640271], [-0.01793436, -0.00841747], [0.00502881, -0.01245288]];
const W2 = [[-0.01057952, -0.00909008, 0.00551454, 0.02292208]];
const TRAINED: Record<string, number[][]> = {
  W1: [[-0.00615039, 0.0169021], [-0.02311792, 0.03137121], [-0.0169217, -0.01752545], [0.00935436, -0.05018221]],
  W2: [[-0.0104319, -0.04019007, 0.01607211, 0.04440255]],
  b1: [[-8.97523455e-7], [8.15562092e-6], [6.04810633e-7], [-2.545607e-6]],
  b2: [[9.14954378e-5]],
};
const GRADS: Record<string, number[][]> = {
  dW1: [[0.00023322, -0.00205423], [0.00082222, -0.00700776], [-0.00031831, 0.0028636], [-0.00092857, 0.00809933]],
  dW2: [[-1.75740039e-5, 3.70231337e-3, -1.25683095e-3, -2.55715317e-3]],
  db1: [[1.05570087e-7], [-3.81814487e-6], [-1.90155145e-7], [5.46467802e-7]],
  db2: [[-1.0892314e-5]],
};
const CACHE = {
  A1: [[-0.00616578, 0.0020626, 0.00349619], [-0.05225116, 0.02725659, -0.02646251], [-0.02009721, 0.0036869, 0.02883756], [0.02152675, -0.01385234, 0.02599885]],
  A2: [[0.5002307, 0.49985831, 0.50023963]],
  Z1: [[-0.00616586, 0.0020626, 0.0034962], [-0.05229879, 0.02726335, -0.02646869], [-0.02009991, 0.00368692, 0.02884556], [0.02153007, -0.01385322, 0.02600471]],
  Z2: [[0.00092281, -0.00056678, 0.00095853]],
};

function matrices(values: Record<string, number[][]>): Record<string, Matrix> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Matrix.from(v)]));
}

// The week 3 notebook: the flower's shapes, each graded function on its test case, the network
// with 4 hidden units, then the study of the hidden layer's size.
export const week3Planar: Lesson = {
  name: 'week3-planar',
  notebook: 'Planar data classification with one hidden layer (week 3)',
  summary: 'one hidden layer (tanh) on the planar flower, and the study of the hidden layer size 1..50',
  options: [],
  // The matrices are a few hundred numbers: the reference kernels run them with the same bits
  // (float64 is bit-identical across backends) and without a copy into kernel memory per call.
  run: async (print) => withBackend('reference', () => run(print)),
};

function run(print: (line: string) => void): Record<string, unknown> {
  const { X, Y } = planarDataset();
  print(`The shape of X is: ${shapeStr(X.shape)}`);
  print(`The shape of Y is: ${shapeStr(Y.shape)}`);
  print(`I have m = ${Y.cols} training examples!`);

  let rng = new NumpyRandom(1);
  const [nX, nH, nY] = layerSizes(randnMatrix(rng, 5, 3), randnMatrix(rng, 2, 3));
  print(`The size of the input layer is: n_x = ${nX}`);
  print(`The size of the hidden layer is: n_h = ${nH}`);
  print(`The size of the output layer is: n_y = ${nY}`);

  printParameters(print, initializeParameters(2, 4, 1));

  rng = new NumpyRandom(1);
  const XAssess = randnMatrix(rng, 2, 3);
  const b1 = randnMatrix(rng, 4, 1);
  const [, cache] = forwardPropagation(XAssess, { W1: Matrix.from(W1), W2: Matrix.from(W2), b1, b2: Matrix.from([[-1.3]]) });
  print([cache.Z1, cache.A1, cache.Z2, cache.A2].map((M) => pyStr(numpyMean(M))).join(' '));

  rng = new NumpyRandom(1);
  const cost = computeCost(Matrix.from([[0.5002307, 0.49985831, 0.50023963]]), positive(randnMatrix(rng, 1, 3)));
  print(`cost = ${pyStr(cost)}`);

  rng = new NumpyRandom(1);
  const XBack = randnMatrix(rng, 2, 3);
  const YBack = positive(randnMatrix(rng, 1, 3));
  const zeros = { b1: Matrix.zeros(4, 1), b2: Matrix.zeros(1, 1) };
  const c = matrices(CACHE);
  const grads = backwardPropagation({ W1: Matrix.from(W1), W2: Matrix.from(W2), ...zeros }, { Z1: c.Z1!, A1: c.A1!, Z2: c.Z2!, A2: c.A2! }, XBack, YBack);
  printParameters(print, grads, 'd');

  printParameters(print, updateParameters(matrices(TRAINED), matrices(GRADS)));

  rng = new NumpyRandom(1);
  const XModel = randnMatrix(rng, 2, 3);
  const YModel = positive(randnMatrix(rng, 1, 3));
  printParameters(print, nnModel(XModel, YModel, 4, 10000, false));

  rng = new NumpyRandom(1);
  print(`predictions mean = ${pyStr(numpyMean(predict(matrices(TRAINED), randnMatrix(rng, 2, 3))))}`);

  const parameters = nnModel(X, Y, 4, 10000, print);
  const accuracy = accuracyPercent(predict(parameters, X), Y);
  print(`Accuracy: ${Math.trunc(accuracy)}%`);

  const study: { nH: number; accuracy: number }[] = [];
  for (const size of [1, 2, 3, 4, 5, 20, 50]) {
    const p = nnModel(X, Y, size, 5000);
    const a = accuracyPercent(predict(p, X), Y);
    print(`Accuracy for ${size} hidden units: ${pyStr(a)} %`);
    study.push({ nH: size, accuracy: a });
  }
  return { accuracy, hiddenSizes: study };
}
