import { DataError } from '../errors.js';
import type { Normalization } from '../io/modelfile.js';
import { Matrix } from '../matrix.js';

// Input scaling kept in the model file as { mean, std }: x' = (x - mean) / std per feature (row of
// X). Min-max scaling is the same form with mean = min and std = max - min.
export type { Normalization };

function checkTrainingSet(X: Matrix, op: string): void {
  if (X.cols === 0) throw new DataError(`${op}: the training set has no samples (X is (${X.rows}, 0))`);
}

/** Statistics that overflowed (values near the float64 limit) are refused when fitted, before any training. */
function checkFinite(stats: Normalization, names: [string, string], source: string, hint: string): Normalization {
  for (let i = 0; i < stats.mean.length; i++) {
    const offset = stats.mean[i]!;
    const scale = stats.std[i]!;
    if (!Number.isFinite(offset) || !Number.isFinite(scale)) {
      throw new DataError(`${source}: feature ${i} has ${Number.isFinite(offset) ? `${names[1]} ${scale}` : `${names[0]} ${offset}`}: its values are too large for float64 arithmetic; ${hint}`);
    }
  }
  return stats;
}

/**
 * Standardisation statistics of a training set X (n, m): each feature's mean and population
 * standard deviation (numpy's X.mean(axis=1), X.std(axis=1)). A constant feature gets std 1, so it
 * becomes 0 everywhere instead of dividing by zero.
 */
export function fitStandardization(X: Matrix, source = 'fitStandardization'): Normalization {
  checkTrainingSet(X, source);
  const { rows, cols } = X;
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += X.data[i * cols + j]!;
    const mu = s / cols;
    let v = 0;
    for (let j = 0; j < cols; j++) v += (X.data[i * cols + j]! - mu) ** 2;
    const sd = Math.sqrt(v / cols);
    mean.push(mu);
    std.push(sd > 0 ? sd : 1);
  }
  return checkFinite({ mean, std }, ['mean', 'standard deviation'], source, 'rescale it, or use minmax scaling');
}

/** Min-max statistics of a training set: x' = (x - min) / (max - min); a constant feature gets scale 1. */
export function fitMinMax(X: Matrix, source = 'fitMinMax'): Normalization {
  checkTrainingSet(X, source);
  const { rows, cols } = X;
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < rows; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = X.data[i * cols + j]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    mean.push(lo);
    std.push(hi > lo ? hi - lo : 1);
  }
  return checkFinite({ mean, std }, ['minimum', 'range (max - min)'], source, 'rescale it, or use standard scaling');
}

/** (x - mean) / std per feature, with statistics from the training set (use them on the test set too). */
export function applyNormalization(X: Matrix, stats: Normalization): Matrix {
  if (stats.mean.length !== X.rows || stats.std.length !== X.rows) {
    throw new DataError(`normalisation statistics are for ${stats.mean.length} features but X has ${X.rows} rows (features)`);
  }
  const out = Matrix.zeros(X.rows, X.cols, X.dtype);
  const { rows, cols } = X;
  for (let i = 0; i < rows; i++) {
    const mu = stats.mean[i]!;
    const sd = stats.std[i]!;
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = (X.data[i * cols + j]! - mu) / sd;
  }
  return out;
}
