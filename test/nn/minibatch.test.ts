import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { gatherColumns, randomMiniBatches } from '../../src/nn/minibatch.js';
import { NumpyRandom } from '../../src/random.js';
import { expectMatrixClose } from '../helpers/fixtures.js';
import { fx, X, Y } from './trainingFixture.js';

describe("the course's random_mini_batches", () => {
  for (const [name, c] of Object.entries<{ seed: number; size: number; permutation: number[]; batchSizes: number[]; lastBatchX: number[][]; lastBatchY: number[][] }>(fx.miniBatches)) {
    it(`${name}: numpy's permutation, batch sizes and last batch`, () => {
      expect(new NumpyRandom(c.seed).permutation(150)).toEqual(c.permutation);
      const batches = randomMiniBatches(X(), Y(), c.size, c.seed);
      expect(batches.map(([Xb, Yb]) => [Xb.cols, Yb.cols])).toEqual(c.batchSizes.map((s) => [s, s]));
      const [Xl, Yl] = batches[batches.length - 1]!;
      expectMatrixClose(Xl, c.lastBatchX, 0, 0, 'last batch X');
      expectMatrixClose(Yl, c.lastBatchY, 0, 0, 'last batch Y');
    });
  }

  it('keeps every sample exactly once, with X and Y columns still paired', () => {
    const Xs = Matrix.from([[0, 1, 2, 3, 4, 5, 6], [10, 11, 12, 13, 14, 15, 16]]);
    const Ys = Matrix.from([[0, 1, 2, 3, 4, 5, 6]]);
    const batches = randomMiniBatches(Xs, Ys, 3, 1);
    expect(batches.map(([b]) => b.cols)).toEqual([3, 3, 1]);
    const seen = batches.flatMap(([b, y]) => b.toArray()[0]!.map((v, j) => [v, b.get(1, j) - 10, y.get(0, j)]));
    seen.forEach(([a, b, c]) => expect([b, c]).toEqual([a, a]));
    expect(seen.map(([a]) => a).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('gathers columns as numpy X[:, permutation]', () => {
    expect(gatherColumns(Matrix.from([[1, 2, 3], [4, 5, 6]]), [2, 0]).toArray()).toEqual([[3, 1], [6, 4]]);
  });

  it('refuses a batch size below 1 and X, Y with different m', () => {
    expect(() => randomMiniBatches(X(), Y(), 0)).toThrow(ConfigError);
    expect(() => randomMiniBatches(X(), Y().sliceColumns(0, 10))).toThrow(/X has m = 150 columns but Y has 10/);
  });
});
