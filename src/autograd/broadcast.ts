import { ShapeError } from '../errors.js';
import { assertSameDType, formatShape, Matrix } from '../matrix.js';

// numpy's broadcasting in two dimensions: each dimension equal, or 1 on one side. The course's case
// is b (n, 1) spread over the m columns of W·A (n, m); a (1, 1) tensor is a scalar.

export function broadcastShape(op: string, A: Matrix, B: Matrix): [number, number] {
  assertSameDType(op, A, 'a', B, 'b');
  const dim = (x: number, y: number) => (x === y ? x : x === 1 ? y : y === 1 ? x : -1);
  const rows = dim(A.rows, B.rows);
  const cols = dim(A.cols, B.cols);
  if (rows < 0 || cols < 0) {
    throw new ShapeError(
      `${op}: cannot broadcast a ${formatShape(A.shape)} with b ${formatShape(B.shape)}: each dimension must be equal or 1 (a column (n, 1) spreads over m columns, a (1, 1) tensor is a scalar)`,
    );
  }
  return [rows, cols];
}

/** The element of M that lands on (i, j) of the broadcast result. */
export function at(M: Matrix, i: number, j: number): number {
  return M.data[(M.rows === 1 ? 0 : i) * M.cols + (M.cols === 1 ? 0 : j)]!;
}

/** The gradient of a broadcast operand: G summed over the dimensions that were spread. */
export function reduceTo(G: Matrix, rows: number, cols: number): Matrix {
  if (G.rows === rows && G.cols === cols) return G;
  const out = Matrix.zeros(rows, cols, G.dtype);
  for (let i = 0; i < G.rows; i++) {
    for (let j = 0; j < G.cols; j++) {
      const t = (rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : j);
      out.data[t] = out.data[t]! + G.data[i * G.cols + j]!;
    }
  }
  return out;
}
