import { withBackend } from '../../backend/select.js';
import { numpyStr, pyStr } from '../../course/numpyStr.js';
import {
  computeCost,
  initializeParameters,
  initializeParametersDeep,
  linearActivationBackward,
  linearActivationForward,
  linearBackward,
  linearForward,
  lModelBackward,
  lModelForward,
  updateParameters,
} from '../../course/week4.js';
import { Matrix } from '../../matrix.js';
import type { Parameters } from '../../nn/parameters.js';
import { NumpyRandom } from '../../random.js';
import { type Lesson, randnMatrix } from './lesson.js';

function printParameters(print: (line: string) => void, parameters: Parameters): void {
  for (const k of ['W1', 'b1', 'W2', 'b2']) print(`${k} = ${numpyStr(parameters[k]!)}`);
}

// The Step by Step notebook: each building block on its test case, the caches built as the
// notebook builds them, ((A_prev, W, b), Z).
export const week4StepByStep: Lesson = {
  name: 'week4-step-by-step',
  notebook: 'Building your Deep Neural Network: Step by Step (week 4)',
  summary: 'the deep network block by block: inits, forward, cost, backward with the course-style caches, update',
  options: [],
  run: async (print) => withBackend('reference', () => run(print)),
};

function run(print: (line: string) => void): Record<string, unknown> {
  printParameters(print, initializeParameters(3, 2, 1));
  printParameters(print, initializeParametersDeep([5, 4, 3]));

  let rng = new NumpyRandom(1);
  let A = randnMatrix(rng, 3, 2);
  let W = randnMatrix(rng, 1, 3);
  let b = randnMatrix(rng, 1, 1);
  const [Z] = linearForward(A, W, b);
  print(`Z = ${numpyStr(Z)}`);

  rng = new NumpyRandom(2);
  const APrev = randnMatrix(rng, 3, 2);
  W = randnMatrix(rng, 1, 3);
  b = randnMatrix(rng, 1, 1);
  print(`With sigmoid: A = ${numpyStr(linearActivationForward(APrev, W, b, 'sigmoid')[0])}`);
  print(`With ReLU: A = ${numpyStr(linearActivationForward(APrev, W, b, 'relu')[0])}`);

  rng = new NumpyRandom(6);
  const X = randnMatrix(rng, 5, 4);
  const parameters: Parameters = {};
  for (const [k, r, c] of [['W1', 4, 5], ['b1', 4, 1], ['W2', 3, 4], ['b2', 3, 1], ['W3', 1, 3], ['b3', 1, 1]] as const) {
    parameters[k] = randnMatrix(rng, r, c);
  }
  const [AL, caches] = lModelForward(X, parameters);
  print(`AL = ${numpyStr(AL)}`);
  print(`Length of caches list = ${caches.length}`);

  print(`cost = ${pyStr(computeCost(Matrix.from([[0.8, 0.9, 0.4]]), Matrix.from([[1, 1, 1]])))}`);

  rng = new NumpyRandom(1);
  const dZ = randnMatrix(rng, 1, 2);
  A = randnMatrix(rng, 3, 2);
  W = randnMatrix(rng, 1, 3);
  b = randnMatrix(rng, 1, 1);
  const [dAPrev, dW, db] = linearBackward(dZ, { APrev: A, W, b });
  print(`dA_prev = ${numpyStr(dAPrev)}`);
  print(`dW = ${numpyStr(dW)}`);
  print(`db = ${numpyStr(db)}`);

  rng = new NumpyRandom(2);
  const dA = randnMatrix(rng, 1, 2);
  A = randnMatrix(rng, 3, 2);
  W = randnMatrix(rng, 1, 3);
  b = randnMatrix(rng, 1, 1);
  const Zc = randnMatrix(rng, 1, 2);
  for (const act of ['sigmoid', 'relu'] as const) {
    // The notebook's cache: linear_cache = (A, W, b); activation_cache = Z.
    const [dAPrev2, dW2, db2] = linearActivationBackward(dA, [[A, W, b], Zc], act);
    print(`${act}:`);
    print(`dA_prev = ${numpyStr(dAPrev2)}`);
    print(`dW = ${numpyStr(dW2)}`);
    print(`db = ${numpyStr(db2)}`);
    // The notebook's print("\n"): two empty lines.
    if (act === 'sigmoid') for (let k = 0; k < 2; k++) print('');
  }

  rng = new NumpyRandom(3);
  const ALb = randnMatrix(rng, 1, 2);
  const Y = Matrix.from([[1, 0]]);
  const [A1, W1, b1, Z1] = [randnMatrix(rng, 4, 2), randnMatrix(rng, 3, 4), randnMatrix(rng, 3, 1), randnMatrix(rng, 3, 2)];
  const [A2, W2, b2, Z2] = [randnMatrix(rng, 3, 2), randnMatrix(rng, 1, 3), randnMatrix(rng, 1, 1), randnMatrix(rng, 1, 2)];
  const grads = lModelBackward(ALb, Y, [
    [[A1, W1, b1], Z1],
    [[A2, W2, b2], Z2],
  ]);
  for (const k of ['dW1', 'db1', 'dA1']) print(`${k} = ${numpyStr(grads[k]!)}`);

  rng = new NumpyRandom(2);
  const up: Parameters = {};
  for (const [k, r, c] of [['W1', 3, 4], ['b1', 3, 1], ['W2', 1, 3], ['b2', 1, 1]] as const) up[k] = randnMatrix(rng, r, c);
  rng = new NumpyRandom(3);
  const ug: Parameters = {};
  for (const [k, r, c] of [['dW1', 3, 4], ['db1', 3, 1], ['dW2', 1, 3], ['db2', 1, 1]] as const) ug[k] = randnMatrix(rng, r, c);
  printParameters(print, updateParameters(up, ug, 0.1));
  return { AL: AL.toArray(), dW1: grads.dW1!.toArray() };
}
