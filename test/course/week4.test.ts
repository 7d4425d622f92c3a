import { describe, expect, it } from 'vitest';
import { week4 } from '../../src/course/index.js';
import { ShapeError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { expectClose, expectMatrixClose } from '../helpers/fixtures.js';
import { COURSE, matrices } from './courseFixture.js';

const cases = COURSE.cases;

function expectParameters(got: Record<string, Matrix>, want: Record<string, number[][]>, rtol: number, atol = 1e-15): void {
  for (const k of Object.keys(want)) expectMatrixClose(got[k]!, want[k]!, rtol, atol, k);
}

const courseCaches = (c: { caches: [[number[][], number[][], number[][]], number[][]][] }) =>
  c.caches.map(([[A, W, b], Z]) => [[Matrix.from(A), Matrix.from(W), Matrix.from(b)], Matrix.from(Z)] as const);

describe('week 4: both deep inits, side by side', () => {
  it('initializeParameters(3, 2, 1): seed 1, × 0.01', () => {
    expectParameters(week4.initializeParameters(3, 2, 1), cases['week4.initializeParameters'].parameters, 1e-15);
  });
  it("initializeParametersDeep([5, 4, 3]): Step by Step's seed 3, × 0.01", () => {
    expectParameters(week4.initializeParametersDeep([5, 4, 3]), cases['week4.initializeParametersDeep'].parameters, 1e-15);
  });
  it("initializeParametersDeepApplication([5, 4, 3]): the Application's seed 1, / sqrt(n[l-1]), the library's default", () => {
    const app = week4.initializeParametersDeepApplication([5, 4, 3]);
    expectParameters(app, cases['week4.initializeParametersDeepApplication'].parameters, 1e-15);
    expect(app.W1!.toArray()).toEqual(initializeParametersDeep([5, 4, 3]).W1!.toArray());
  });
});

describe("week 4's blocks on the Step by Step test cases, against numpy", () => {
  it('linearForward and linearActivationForward', () => {
    const f = cases['week4.linearForward'];
    expectMatrixClose(week4.linearForward(Matrix.from(f.A), Matrix.from(f.W), Matrix.from(f.b))[0], f.Z, 1e-14);
    const a = cases['week4.linearActivationForward'];
    for (const act of ['sigmoid', 'relu'] as const) {
      expectMatrixClose(week4.linearActivationForward(Matrix.from(a.APrev), Matrix.from(a.W), Matrix.from(a.b), act)[0], a[act], 1e-14);
    }
  });

  it('lModelForward (3 layers) and computeCost', () => {
    const c = cases['week4.lModelForward'];
    const [AL, caches] = week4.lModelForward(Matrix.from(c.X), matrices(c.parameters));
    expectMatrixClose(AL, c.AL, 1e-13);
    expect(caches).toHaveLength(3);
    const k = cases['week4.computeCost'];
    expectClose(week4.computeCost(Matrix.from(k.AL), Matrix.from(k.Y)), k.cost, 1e-15, 'cost');
  });

  it('linearBackward', () => {
    const c = cases['week4.linearBackward'];
    const [dAPrev, dW, db] = week4.linearBackward(Matrix.from(c.dZ), { APrev: Matrix.from(c.A), W: Matrix.from(c.W), b: Matrix.from(c.b) });
    expectMatrixClose(dAPrev, c.dAPrev, 1e-14);
    expectMatrixClose(dW, c.dW, 1e-14);
    expectMatrixClose(db, c.db, 1e-14);
  });

  it("linearActivationBackward with the course's cache ((A_prev, W, b), Z): A recomputed from Z", () => {
    const c = cases['week4.linearActivationBackward'];
    const [A, W, b, Z] = [c.A, c.W, c.b, c.Z].map((v) => Matrix.from(v)) as [Matrix, Matrix, Matrix, Matrix];
    for (const act of ['sigmoid', 'relu'] as const) {
      const [dAPrev, dW, db] = week4.linearActivationBackward(Matrix.from(c.dA), [[A, W, b], Z], act);
      expectMatrixClose(dAPrev, c[act].dAPrev, 1e-14, 1e-15, `${act} dA_prev`);
      expectMatrixClose(dW, c[act].dW, 1e-14, 1e-15, `${act} dW`);
      expectMatrixClose(db, c[act].db, 1e-14, 1e-15, `${act} db`);
    }
  });

  it("lModelBackward with the course's caches: dW1, db1, dA1", () => {
    const c = cases['week4.lModelBackward'];
    const grads = week4.lModelBackward(Matrix.from(c.AL), Matrix.from(c.Y), courseCaches(c));
    for (const k of ['dW1', 'db1', 'dA1', 'dW2', 'db2', 'dA0']) expectMatrixClose(grads[k]!, c.grads[k], 1e-13, 1e-15, k);
  });

  it('updateParameters', () => {
    const c = cases['week4.updateParameters'];
    expectParameters(week4.updateParameters(matrices(c.parameters), matrices(c.grads), c.learningRate), c.updated, 1e-14);
  });

  it('a malformed cache ends in a ShapeError that shows both forms, never a TypeError', () => {
    const dA = Matrix.zeros(1, 2);
    const W = Matrix.zeros(1, 3);
    expect(() => week4.linearActivationBackward(dA, [[Matrix.zeros(3, 2), W], Matrix.zeros(1, 2)] as never, 'relu')).toThrow(
      "linearActivationBackward: the linear cache must be (A_prev, W, b), three matrices, got an array of 2 items",
    );
  });
});
