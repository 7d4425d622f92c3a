import { beforeAll, describe, expect, it } from 'vitest';
import { week2 } from '../../src/course/index.js';
import { loadCat } from '../../src/data/cat.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';
import { COURSE } from './courseFixture.js';

const cases = COURSE.cases;

describe('week 2 under the notebook names, against numpy', () => {
  it('sigmoid of a Matrix and of a number', () => {
    const c = cases['week2.sigmoid'];
    expectMatrixClose(week2.sigmoid(Matrix.from([c.z])), [c.s], 1e-15);
    expect(week2.sigmoid(0)).toBe(0.5);
  });

  it('initializeWithZeros(2): w (2, 1) of zeros, b = 0; a bad dim is a ConfigError', () => {
    const [w, b] = week2.initializeWithZeros(2);
    expect(w.toArray()).toEqual([[0], [0]]);
    expect(b).toBe(0);
    expect(() => week2.initializeWithZeros(0)).toThrow(ConfigError);
  });

  it('propagate: grads { dw, db } and the cost', () => {
    const c = cases['week2.propagate'];
    const [grads, cost] = week2.propagate(Matrix.from(c.w), c.b, Matrix.from(c.X), Matrix.from(c.Y));
    expectMatrixClose(grads.dw, c.dw, 1e-14);
    expectClose(grads.db, c.db, 1e-12, 'db');
    expectClose(cost, c.cost, 1e-14, 'cost');
  });

  it('propagate: w that does not fit X is a ShapeError naming both', () => {
    expect(() => week2.propagate(Matrix.zeros(3, 1), 0, Matrix.zeros(2, 4), Matrix.zeros(1, 4))).toThrow(
      /propagate: w \(3, 1\) must be \(n_x, 1\) = \(2, 1\), one weight per row of X \(2, 4\)/,
    );
    expect(() => week2.propagate(Matrix.zeros(2, 1), 0, Matrix.zeros(2, 4), Matrix.zeros(1, 3))).toThrow(ShapeError);
  });

  it('optimize: params, the last grads and the costs, 100 iterations of α = 0.009', () => {
    const c = cases['week2.optimize'];
    const w = Matrix.from(c.w);
    const lines: string[] = [];
    const [params, grads, costs] = week2.optimize(w, c.b, Matrix.from(c.X), Matrix.from(c.Y), c.numIterations, c.learningRate, (l) => lines.push(l));
    expectMatrixClose(params.w, c.paramsW, 1e-12);
    expectClose(params.b, c.paramsB, 1e-12, 'b');
    expectMatrixClose(grads.dw, c.dw, 1e-12);
    expectClose(grads.db, c.db, 1e-12, 'db');
    expect(costs).toHaveLength(1);
    expectClose(costs[0]!, c.costs[0], 1e-14, 'cost 0');
    expect(lines).toEqual([`Cost after iteration 0: ${c.costs[0].toFixed(6)}`]);
    expect(w.toArray()).toEqual(c.w); // the caller's w is left as it was
  });

  it('predict: 1 where sigmoid(wᵀX + b) > 0.5', () => {
    const c = cases['week2.predict'];
    expect(week2.predict(Matrix.from(c.w), c.b, Matrix.from(c.X)).toArray()).toEqual(c.predictions);
  });
});

describe('week 2 model on the cat data', () => {
  let train: Dataset;
  let test: Dataset;
  beforeAll(async () => {
    ({ train, test } = await loadCat());
  });

  it("model(2000 iterations, α = 0.005): the notebook's costs, w, b and accuracies 99.04 % and 70 %", () => {
    const c = cases['week2.model'];
    const shared = loadFixture('week2_logistic_cat');
    const d = week2.model(train.X, train.Y, test.X, test.Y, 2000, 0.005);
    expect(d.costs).toHaveLength(20);
    d.costs.forEach((J, k) => expectClose(J, c.costs[k], 1e-10, `cost at ${100 * k}`));
    d.costs.forEach((J, k) => expectClose(J, shared.costs[String(100 * k)], 1e-10, `shared fixture's cost at ${100 * k}`));
    expectClose(d.b, shared.finalB, 1e-9, "shared fixture's b");
    expectClose(d.b, c.b, 1e-9, 'b');
    c.wFirst5.forEach((v: number, i: number) => expectClose(d.w.get(i, 0), v, 1e-9, `w[${i}]`));
    expect(d.trainAccuracy).toBe(99.04306220095694);
    expect(d.testAccuracy).toBe(70);
    expect(d.trainAccuracy / 100).toBeCloseTo(shared.trainAccuracy, 12);
  });
});
