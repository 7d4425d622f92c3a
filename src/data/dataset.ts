import { DataError } from '../errors.js';
import type { Matrix } from '../matrix.js';

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
  for (let s = 0; s < m; s++) {
    for (let f = 0; f < n; f++) out[f * m + s] = scale === 1 ? values[s * n + f]! : values[s * n + f]! / scale;
  }
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
