import { ShapeError } from '../errors.js';
import { formatShape, Matrix } from '../matrix.js';
import { outputMatrix } from './workspace.js';

// Softmax normalises each column (one sample) over the K output units, so unlike the other
// activations it is not elementwise: its forward and its vector-Jacobian product live here.

/** A[:, j] = exp(Z[:, j] - max Z[:, j]) / Σ_k exp(Z[k, j] - max Z[:, j]); the shift keeps exp finite. */
export function softmax(Z: Matrix): Matrix {
  const { rows, cols } = Z;
  const A = outputMatrix(rows, cols, Z.dtype);
  const z = Z.data;
  const a = A.data;
  for (let j = 0; j < cols; j++) {
    let max = -Infinity;
    for (let i = 0; i < rows; i++) max = Math.max(max, z[i * cols + j]!);
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const e = Math.exp(z[i * cols + j]! - max);
      a[i * cols + j] = e;
      sum += e;
    }
    for (let i = 0; i < rows; i++) a[i * cols + j] = a[i * cols + j]! / sum;
  }
  return A;
}

/** dZ = Jᵀ dA per column, J the softmax Jacobian: dZ_i = a_i (dA_i - Σ_k a_k dA_k). */
export function softmaxBackward(dA: Matrix, A: Matrix, layer?: number): Matrix {
  if (dA.rows !== A.rows || dA.cols !== A.cols) {
    const where = layer === undefined ? 'softmaxBackward' : `softmaxBackward (layer ${layer})`;
    throw new ShapeError(`${where}: dA ${formatShape(dA.shape)} must have the shape of A ${formatShape(A.shape)}`);
  }
  const { rows, cols } = A;
  const dZ = outputMatrix(rows, cols, A.dtype);
  for (let j = 0; j < cols; j++) {
    let dot = 0;
    for (let i = 0; i < rows; i++) dot += A.data[i * cols + j]! * dA.data[i * cols + j]!;
    for (let i = 0; i < rows; i++) dZ.data[i * cols + j] = A.data[i * cols + j]! * (dA.data[i * cols + j]! - dot);
  }
  return dZ;
}

/** The class of each column: the row of its largest value (the first one on ties), as (1, m). */
export function argmaxColumns(M: Matrix): Matrix {
  const out = Matrix.zeros(1, M.cols, M.dtype);
  for (let j = 0; j < M.cols; j++) {
    let best = 0;
    for (let i = 1; i < M.rows; i++) if (M.data[i * M.cols + j]! > M.data[best * M.cols + j]!) best = i;
    out.data[j] = best;
  }
  return out;
}

/** The K x K confusion matrix: counts[t][p] = samples of true class t predicted as p. */
export function confusionMatrix(predicted: ArrayLike<number>, actual: ArrayLike<number>, K: number): number[][] {
  if (predicted.length !== actual.length) {
    throw new ShapeError(`confusionMatrix: ${predicted.length} predictions but ${actual.length} labels`);
  }
  const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let s = 0; s < actual.length; s++) {
    const t = actual[s]!;
    const p = predicted[s]!;
    if (!Number.isInteger(t) || t < 0 || t >= K || !Number.isInteger(p) || p < 0 || p >= K) {
      throw new ShapeError(`confusionMatrix: sample ${s} has label ${t} and prediction ${p}; both must be class indices 0..${K - 1}`);
    }
    counts[t]![p]!++;
  }
  return counts;
}
