import { ConfigError, ShapeError } from './errors.js';

export type DType = 'float64' | 'float32';
export type Storage = Float64Array | Float32Array;
export type Shape = readonly [rows: number, cols: number];

export const DTYPES: readonly DType[] = ['float64', 'float32'];

export function allocate(dtype: DType, length: number): Storage {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function assertDType(dtype: unknown, where = 'dtype'): asserts dtype is DType {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new ConfigError(`${where} must be 'float64' or 'float32', got ${JSON.stringify(dtype)}`);
  }
}

/**
 * A dense 2-D matrix in row-major typed-array storage: element (i, j) is data[i * cols + j].
 * Data matrices follow the course: X is (n_x, m), one sample per column.
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: DType;
  readonly data: Storage;

  constructor(rows: number, cols: number, data: Storage) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new ShapeError(`Matrix: dimensions must be non-negative integers, got (${rows}, ${cols})`);
    }
    if (data.length !== rows * cols) {
      throw new ShapeError(
        `Matrix: storage holds ${data.length} values but shape (${rows}, ${cols}) needs ${rows * cols}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
  }

  static zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix {
    assertDType(dtype);
    return new Matrix(rows, cols, allocate(dtype, rows * cols));
  }

  static full(rows: number, cols: number, value: number, dtype: DType = 'float64'): Matrix {
    const M = Matrix.zeros(rows, cols, dtype);
    M.data.fill(value);
    return M;
  }

  /** From nested rows: `Matrix.from([[1, 2, 3], [4, 5, 6]])` is (2, 3). Ragged rows are an error. */
  static from(values: readonly (readonly number[])[], dtype: DType = 'float64'): Matrix {
    assertDType(dtype);
    if (!Array.isArray(values)) throw new ShapeError('Matrix.from: expected an array of rows (number[][])');
    const rows = values.length;
    const cols = rows === 0 ? 0 : values[0]!.length;
    const M = Matrix.zeros(rows, cols, dtype);
    for (let i = 0; i < rows; i++) {
      const row = values[i]!;
      if (!Array.isArray(row) || row.length !== cols) {
        throw new ShapeError(
          `Matrix.from: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values but row 0 has ${cols} (rows must all be the same length)`,
        );
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') {
          throw new ShapeError(`Matrix.from: element (${i}, ${j}) is ${typeof v}, expected a number`);
        }
        M.data[i * cols + j] = v;
      }
    }
    return M;
  }

  /** Wraps (does not copy) a typed array as a (rows, cols) matrix. */
  static fromTypedArray(data: Storage, rows: number, cols: number): Matrix {
    return new Matrix(rows, cols, data);
  }

  get shape(): Shape {
    return [this.rows, this.cols];
  }

  get size(): number {
    return this.rows * this.cols;
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** A copy in the given dtype (float64 -> float32 rounds each value). */
  astype(dtype: DType): Matrix {
    assertDType(dtype);
    if (dtype === this.dtype) return this.clone();
    const out = Matrix.zeros(this.rows, this.cols, dtype);
    out.data.set(this.data);
    return out;
  }

  /** The materialised transpose. */
  transpose(): Matrix {
    const out = Matrix.zeros(this.cols, this.rows, this.dtype);
    const { rows, cols } = this;
    const a = this.data;
    const t = out.data;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
    return out;
  }

  get T(): Matrix {
    return this.transpose();
  }

  /** Columns [start, end) as a new matrix: a batch of samples. */
  sliceColumns(start: number, end: number): Matrix {
    const n = end - start;
    const out = Matrix.zeros(this.rows, n, this.dtype);
    for (let i = 0; i < this.rows; i++) {
      out.data.set(this.data.subarray(i * this.cols + start, i * this.cols + end), i * n);
    }
    return out;
  }

  toString(): string {
    return `Matrix(${this.rows}, ${this.cols}, ${this.dtype})`;
  }
}

export function formatShape(shape: Shape | readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** The name of a course quantity with its layer, e.g. W[2], or just the name when there is no layer. */
export function named(name: string, layer?: number): string {
  return layer === undefined ? name : `${name}[${layer}]`;
}

function where(op: string, layer?: number): string {
  return layer === undefined ? op : `${op} (layer ${layer})`;
}

/** Throws a ShapeError unless `M` is exactly (rows, cols). */
export function assertShape(
  op: string,
  M: Matrix,
  rows: number,
  cols: number,
  name: string,
  layer?: number,
  hint?: string,
): void {
  if (M.rows !== rows || M.cols !== cols) {
    throw new ShapeError(
      `${where(op, layer)}: ${named(name, layer)} has shape ${formatShape(M.shape)} but must be ${formatShape([rows, cols])}` +
        (hint ? `. ${hint}` : ''),
    );
  }
}

/** Throws a ShapeError unless `A` and `B` have the same shape (elementwise operations). */
export function assertSameShape(op: string, A: Matrix, aName: string, B: Matrix, bName: string, layer?: number): void {
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new ShapeError(
      `${where(op, layer)}: ${aName} ${formatShape(A.shape)} and ${bName} ${formatShape(B.shape)} must have the same shape`,
    );
  }
}

/** Throws a ShapeError unless `A` and `B` share a dtype (no silent conversions). */
export function assertSameDType(op: string, A: Matrix, aName: string, B: Matrix, bName: string, layer?: number): void {
  if (A.dtype !== B.dtype) {
    throw new ShapeError(
      `${where(op, layer)}: ${aName} is ${A.dtype} but ${bName} is ${B.dtype}; convert one with .astype() so both are the same dtype`,
    );
  }
}

/**
 * The check of every product W·A in the course: W's columns must equal A's rows. When A looks like
 * samples-as-rows (its columns equal W's columns), the hint says to transpose X.
 */
export function assertMultiplies(
  op: string,
  W: Matrix,
  wName: string,
  A: Matrix,
  aName: string,
  layer?: number,
  rule = `${wName}'s columns must equal ${aName}'s rows`,
): void {
  if (W.cols === A.rows) return;
  let hint = '';
  if (A.cols === W.cols) {
    hint =
      ` Hint: ${aName} looks like it holds one sample per row; the course's convention is one sample per COLUMN, ` +
      `so X must be (n_x, m) = (${A.cols}, ${A.rows}): transpose it (X.T).`;
  }
  throw new ShapeError(
    `${where(op, layer)}: cannot multiply ${wName} ${formatShape(W.shape)} by ${aName} ${formatShape(A.shape)}: ${rule} (${W.cols} != ${A.rows}).${hint}`,
  );
}
