import { DataError } from '../errors.js';
import type { DType, Matrix } from '../matrix.js';

/** A data set in the course's layout: X (n_x, m) and Y (n_y, m), one sample per column. */
export interface Dataset {
  X: Matrix;
  Y: Matrix;
  /** Class names by label index, when the source has them (the cat files' list_classes). */
  classes?: string[];
  /** Where it came from (a file path or builtin:NAME), for messages. */
  source: string;
}

/** Samples-as-rows values (m, n) to the course's (n, m), scaled: the course's x.reshape(m, -1).T / scale. */
export function samplesToColumns(
  values: ArrayLike<number>,
  m: number,
  n: number,
  out: Float64Array | Float32Array,
  scale = 1,
): void {
  // In blocks of 64 samples x 64 features, so that the reads (along a sample) and the writes (along
  // a feature) both stay in cache: the cat data's 2.5 million values go over in one pass each way.
  const B = 64;
  for (let s0 = 0; s0 < m; s0 += B) {
    const s1 = Math.min(m, s0 + B);
    for (let f0 = 0; f0 < n; f0 += B) {
      const f1 = Math.min(n, f0 + B);
      for (let f = f0; f < f1; f++) {
        const row = f * m;
        if (scale === 1) for (let s = s0; s < s1; s++) out[row + s] = values[s * n + f]!;
        else for (let s = s0; s < s1; s++) out[row + s] = values[s * n + f]! / scale;
      }
    }
  }
}

/**
 * Where a loader makes a data set's X: a backend's own memory (wasm), so that training and
 * evaluation read it there instead of copying it in (20 MB for the cat data). Zeroed, as Matrix.zeros.
 */
export type Allocate = (rows: number, cols: number, dtype: DType) => Matrix;

/** Values already in the course's (n, m) layout, scaled: out = values / scale, in one pass. */
export function scaledInto(values: ArrayLike<number>, out: Float64Array | Float32Array, scale: number): void {
  if (values.length !== out.length) throw new RangeError(`scaledInto: ${values.length} values for ${out.length} elements`);
  for (let t = 0; t < out.length; t++) out[t] = values[t]! / scale;
}

/**
 * Two samples whose labels differ as numbers but are the same number once stored in Y (integer
 * class numbers beyond 2^24 in float32: 16777216 and 16777217 are both 16777216 there), as
 * [sample, an earlier sample]; undefined when there are none. Such labels would merge two classes
 * without a word. Other values that round together are regression targets, rounded as any
 * float32 number is.
 */
export function mergedLabels(values: ArrayLike<number>, Y: Matrix): [number, number] | undefined {
  if (Y.dtype !== 'float32') return undefined;
  const first = new Map<number, number>();
  for (let s = 0; s < values.length; s++) {
    const value = values[s]!;
    if (!Number.isInteger(value)) continue;
    const stored = Y.data[s]!;
    const seen = first.get(stored);
    if (seen === undefined) first.set(stored, s);
    else if (values[seen] !== value) return [s, seen];
  }
  return undefined;
}

/** The error for mergedLabels' two samples: `label` and `earlier` name them, `stored` is their one float32 value. */
export function mergedLabelsError(label: string, earlier: string, stored: number): DataError {
  return new DataError(`${label} and ${earlier}: both are ${stored} in float32, so two classes would become one; read the labels as float64 (--dtype float64), exact to 2^53`);
}

/** Throws a DataError naming the first NaN or Infinity in a (n, m) matrix, by sample and feature. */
export function assertFinite(M: Matrix, name: string, source: string): void {
  const { rows, cols } = M;
  for (let t = 0; t < M.data.length; t++) {
    const v = M.data[t]!;
    if (!Number.isFinite(v)) {
      throw new DataError(`${source}: ${name} holds ${v} at feature ${Math.floor(t / cols)}, sample ${t % cols} (of ${rows} x ${cols})`);
    }
  }
}
