import { ConfigError } from '../errors.js';
import { assertSameDType, Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';

/** The columns of M in the given order: numpy's X[:, permutation]. */
export function gatherColumns(M: Matrix, columns: readonly number[]): Matrix {
  const n = columns.length;
  const out = Matrix.zeros(M.rows, n, M.dtype);
  for (let i = 0; i < M.rows; i++) {
    const row = i * M.cols;
    for (let k = 0; k < n; k++) out.data[i * n + k] = M.data[row + columns[k]!]!;
  }
  return out;
}

/**
 * The course's random_mini_batches(X, Y, mini_batch_size, seed): np.random.seed(seed), shuffle the
 * columns of X and Y with the same np.random.permutation(m), then cut them into batches of
 * miniBatchSize columns; the last batch holds the rest (m mod miniBatchSize) when m does not divide.
 */
export function randomMiniBatches(X: Matrix, Y: Matrix, miniBatchSize = 64, seed = 0): [Matrix, Matrix][] {
  const m = X.cols;
  if (Y.cols !== m) throw new ConfigError(`randomMiniBatches: X has m = ${m} columns but Y has ${Y.cols}; they must hold the same samples`);
  assertSameDType('randomMiniBatches', X, 'X', Y, 'Y');
  if (!Number.isInteger(miniBatchSize) || miniBatchSize < 1) {
    throw new ConfigError(`randomMiniBatches: miniBatchSize must be an integer >= 1, got ${miniBatchSize}`);
  }
  return miniBatchColumns(m, miniBatchSize, seed).map((columns) => [gatherColumns(X, columns), gatherColumns(Y, columns)]);
}

/** The sample indices of each of random_mini_batches' batches: np.random.permutation(m) cut into runs of miniBatchSize. */
export function miniBatchColumns(m: number, miniBatchSize: number, seed: number): number[][] {
  const permutation = new NumpyRandom(seed).permutation(m);
  const batches: number[][] = [];
  for (let start = 0; start < m; start += miniBatchSize) batches.push(permutation.slice(start, Math.min(start + miniBatchSize, m)));
  return batches;
}
