import { describe, expect, it } from 'vitest';
import { week3 } from '../../src/course/index.js';
import { planarDataset } from '../../src/data/planar.js';
import { ShapeError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';
import { COURSE, matrices } from './courseFixture.js';

const cases = COURSE.cases;

function expectParameters(got: Record<string, Matrix>, want: Record<string, number[][]>, rtol: number, atol = 1e-15): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const k of Object.keys(want)) expectMatrixClose(got[k]!, want[k]!, rtol, atol, k);
}

describe('week 3 under the notebook names, against numpy', () => {
  it('layerSizes: (n_x, 4, n_y); X and Y of different m is a ShapeError', () => {
    const c = cases['week3.layerSizes'];
    expect(week3.layerSizes(Matrix.from(c.X), Matrix.from(c.Y))).toEqual(c.sizes);
    expect(() => week3.layerSizes(Matrix.zeros(2, 3), Matrix.zeros(1, 4))).toThrow(ShapeError);
  });

  it('initializeParameters(2, 4, 1): seed 2, randn · 0.01 (within 4 ulp of numpy)', () => {
    const c = cases['week3.initializeParameters'];
    expectParameters(week3.initializeParameters(2, 4, 1), c.parameters, 1e-15);
  });

  it('forwardPropagation: A2 and the cache { Z1, A1, Z2, A2 }', () => {
    const c = cases['week3.forwardPropagation'];
    const [A2, cache] = week3.forwardPropagation(Matrix.from(c.X), matrices(c.parameters));
    expectMatrixClose(A2, c.A2, 1e-14);
    expectParameters({ ...cache }, c.cache, 1e-14);
  });

  it('computeCost', () => {
    const c = cases['week3.computeCost'];
    expectClose(week3.computeCost(Matrix.from(c.A2), Matrix.from(c.Y)), c.cost, 1e-14, 'cost');
  });

  it('backwardPropagation: dZ2 = A2 - Y, dW2, db2, dZ1 = W2ᵀ dZ2 * (1 - A1²), dW1, db1', () => {
    const c = cases['week3.backwardPropagation'];
    const p = matrices(c.parameters);
    const cache = matrices(c.cache) as unknown as week3.ShallowCache;
    expectParameters(week3.backwardPropagation(p, cache, Matrix.from(c.X), Matrix.from(c.Y)), c.grads, 1e-12);
  });

  it('updateParameters: α = 1.2 by default', () => {
    const c = cases['week3.updateParameters'];
    expectParameters(week3.updateParameters(matrices(c.parameters), matrices(c.grads)), c.updated, 1e-14);
  });

  it('nnModel on the 3-sample test case, 10000 iterations', () => {
    const c = cases['week3.nnModel'];
    expectParameters(week3.nnModel(Matrix.from(c.X), Matrix.from(c.Y), c.nH, c.numIterations), c.parameters, 1e-8);
  });

  it('predict: A2 > 0.5', () => {
    const c = cases['week3.predict'];
    expect(week3.predict(matrices(c.parameters), Matrix.from(c.X)).toArray()).toEqual(c.predictions);
  });

  it('nnModel on the flower (4 units): the costs every 1000 up to 7000 and the printed accuracy 90 %', () => {
    const { X, Y } = planarDataset();
    const lines: string[] = [];
    const parameters = week3.nnModel(X, Y, 4, 10000, (l) => lines.push(l));
    const costs: number[] = cases['week3.planar'].costs;
    const shared = loadFixture('week3_planar_shallow');
    expect(lines).toHaveLength(10);
    // Up to 7000 the run is tame; after it, a 1e-16 difference grows to 1e-4 (the shared fixture's
    // two routes of the same math differ by 2.5e-4 there), so 8000 and 9000 are checked to 1e-3.
    lines.forEach((line, k) => {
      const J = Number(line.split(': ')[1]);
      expect(line.startsWith(`Cost after iteration ${1000 * k}: `)).toBe(true);
      expect(Math.abs(J - costs[k]!), line).toBeLessThanOrEqual(k <= 7 ? 5e-7 : 1e-3 * costs[k]!);
      expect(Math.abs(J - shared.costs[String(1000 * k)]), line).toBeLessThanOrEqual(k <= 7 ? 5e-7 : 1e-3 * costs[k]!);
    });
    // The notebook prints 'Accuracy: %d%': 90 here, in numpy and in the published notebook; the
    // last points of the drifting run may fall either side (numpy: 90.75 or 90.5 by route).
    const accuracy = week3.accuracyPercent(week3.predict(parameters, X), Y);
    expect(Math.trunc(accuracy)).toBe(90);
    expect(Math.abs(accuracy - shared.accuracy * 100)).toBeLessThanOrEqual(0.5);
  });

  it("the hidden-size study: the notebook's accuracies for n_h = 1, 2, 3, 4, 5, 20, 50 (5000 iterations)", () => {
    const { X, Y } = planarDataset();
    for (const [nH, accuracy] of cases['week3.hiddenSizes'] as [number, number][]) {
      expect(week3.accuracyPercent(week3.predict(week3.nnModel(X, Y, nH, 5000), X), Y), `n_h = ${nH}`).toBe(accuracy);
    }
  });
});
