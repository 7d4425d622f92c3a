import { Matrix } from '../../matrix.js';
import type { NumpyRandom } from '../../random.js';

// A lesson runs a notebook's cells in order and prints what the notebook prints. Its first line
// names the notebook; `run` returns the numbers that --json adds beside the lines.

export interface LessonOptions {
  /** why-deep: the smallest and largest n of n-bit parity. */
  minN?: number;
  maxN?: number;
  /** why-deep: np.random.seed of the initial weights. */
  seed?: number;
  /** why-deep: the most iterations a network trains. */
  iterations?: number;
}

export interface Lesson {
  readonly name: string;
  /** The first line of the output: the notebook it follows. */
  readonly notebook: string;
  /** One line for --list. */
  readonly summary: string;
  /** The options of LessonOptions it takes. */
  readonly options: readonly (keyof LessonOptions)[];
  run(print: (line: string) => void, options: LessonOptions): Promise<Record<string, unknown>>;
}

/** np.random.randn(rows, cols) as a Matrix. */
export function randnMatrix(rng: NumpyRandom, rows: number, cols: number): Matrix {
  return Matrix.fromTypedArray(rng.randn(rows, cols), rows, cols);
}

/**
 * np.sum of a contiguous float64 array, in numpy's order (pairwise, eight accumulators per block of
 * up to 128), so a printed sum or mean has numpy's last digit (np.sum((p == y) / m) is
 * 0.9999999999999998 there, not 1).
 */
export function numpySum(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[start + i]!;
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, start, n2) + numpySum(a, start + n2, n - n2);
}

/** np.mean(M). */
export function numpyMean(M: Matrix): number {
  return numpySum(M.data) / M.data.length;
}

/** The Application notebook's accuracy: np.sum((p == y) / m). */
export function sumOfMatches(p: Matrix, Y: Matrix): number {
  const m = Y.cols;
  return numpySum(Array.from(p.data, (v, t) => (v === Y.data[t] ? 1 : 0) / m));
}
