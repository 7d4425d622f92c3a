import { ConfigError, DataError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
import type { Dataset } from './dataset.js';

/** The columns (samples) of M in the given order: numpy's M[:, order]. */
export function takeColumns(M: Matrix, order: readonly number[]): Matrix {
  const out = Matrix.zeros(M.rows, order.length, M.dtype);
  for (let i = 0; i < M.rows; i++) {
    const row = i * M.cols;
    const dst = i * order.length;
    for (let j = 0; j < order.length; j++) out.data[dst + j] = M.data[row + order[j]!]!;
  }
  return out;
}

function subset(data: Dataset, order: readonly number[], part: string): Dataset {
  return { ...data, X: takeColumns(data.X, order), Y: takeColumns(data.Y, order), source: `${data.source} (${part})` };
}

function checkSamples(data: Dataset, op: string): number {
  const m = data.X.cols;
  if (data.Y.cols !== m) throw new DataError(`${op}: ${data.source} has ${m} samples in X but ${data.Y.cols} in Y`);
  return m;
}

/** The samples in the order of np.random.seed(seed); np.random.permutation(m). */
export function shuffle(data: Dataset, seed: number): Dataset {
  const m = checkSamples(data, 'shuffle');
  return subset(data, new NumpyRandom(seed).permutation(m), 'shuffled');
}

export interface SplitOptions {
  /** Fraction of the samples that go to the test set, in (0, 1) (default 0.2). */
  testFraction?: number;
  /** numpy seed of the permutation (default 1). */
  seed?: number;
}

/**
 * A seeded train/test split, as numpy would write it: perm = np.random.permutation(m) after
 * np.random.seed(seed); the first ceil(testFraction * m) samples of perm are the test set, the
 * rest (in perm's order) the training set.
 */
export function trainTestSplit(data: Dataset, options: SplitOptions = {}): { train: Dataset; test: Dataset } {
  const { testFraction = 0.2, seed = 1 } = options;
  if (!(testFraction > 0 && testFraction < 1)) throw new ConfigError(`testFraction must be a number in (0, 1), got ${testFraction}`);
  const m = checkSamples(data, 'trainTestSplit');
  const mTest = Math.ceil(testFraction * m);
  if (mTest >= m) throw new DataError(`trainTestSplit: ${data.source} has m = ${m} samples; a test fraction of ${testFraction} leaves none to train on`);
  const perm = new NumpyRandom(seed).permutation(m);
  return { train: subset(data, perm.slice(mTest), 'train split'), test: subset(data, perm.slice(0, mTest), 'test split') };
}
