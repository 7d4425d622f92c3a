import { DataError } from '../errors.js';
import { Matrix } from '../matrix.js';

/** Class indices (1, m) to one-hot labels (K, m): Y[k][j] = 1 where sample j is of class k. */
export function oneHot(labels: Matrix, K: number, source = 'labels'): Matrix {
  if (labels.rows !== 1) throw new DataError(`${source}: one-hot encoding needs labels of shape (1, m), got (${labels.rows}, ${labels.cols})`);
  if (!Number.isInteger(K) || K < 1) throw new DataError(`${source}: the number of classes K must be a positive integer, got ${K}`);
  const m = labels.cols;
  const Y = Matrix.zeros(K, m, labels.dtype);
  for (let j = 0; j < m; j++) {
    const k = labels.data[j]!;
    if (!Number.isInteger(k) || k < 0 || k >= K) {
      throw new DataError(`${source}: sample ${j} has label ${k}; expected a class index 0..${K - 1}`);
    }
    Y.data[k * m + j] = 1;
  }
  return Y;
}

/** The number of classes of integer labels (1, m): max + 1, or the class names' count if larger. */
export function classCount(labels: Matrix, classes?: readonly string[]): number {
  let max = -1;
  for (let j = 0; j < labels.data.length; j++) {
    const k = labels.data[j]!;
    if (!Number.isInteger(k) || k < 0) return 0;
    max = Math.max(max, k);
  }
  return Math.max(max + 1, classes?.length ?? 0);
}
