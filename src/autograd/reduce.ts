import { ConfigError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { Tensor } from './tensor.js';

export interface ReduceOptions {
  /** 0: over the rows (one value per column), 1: over the columns (one per row); all when absent. */
  axis?: 0 | 1;
  /**
   * Keep the reduced axis as size 1: axis 1 gives (n, 1), the course's np.sum(dZ, axis=1,
   * keepdims=True). Without it, axis 1 gives the 1-D result as a row (1, n), which broadcasts as numpy's.
   */
  keepdims?: boolean;
}

function reduceShape(op: string, X: Matrix, options: ReduceOptions): [number, number] {
  const { axis } = options;
  if (axis === undefined) return [1, 1];
  if (axis === 0) return [1, X.cols];
  if (axis === 1) return options.keepdims ? [X.rows, 1] : [1, X.rows];
  throw new ConfigError(`${op}: axis must be 0, 1 or absent (all elements), got ${JSON.stringify(axis)}`);
}

/** Σ along an axis (or all); VJP: g spread back over the summed elements, times `scale`. */
function reduceSum(op: string, x: Tensor, options: ReduceOptions, scale: (X: Matrix) => number): Tensor {
  const X = x.data;
  const [rows, cols] = reduceShape(op, X, options);
  const out = Matrix.zeros(rows, cols, X.dtype);
  const k = scale(X);
  // Output index of element (i, j): a column or row of results, or the single total.
  const target = (i: number, j: number) => (options.axis === undefined ? 0 : options.axis === 0 ? j : i);
  const acc = new Float64Array(out.data.length);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.cols; j++) acc[target(i, j)] += X.data[i * X.cols + j]!;
  for (let t = 0; t < acc.length; t++) out.data[t] = k === 1 ? acc[t]! : acc[t]! * k;
  return Tensor.fromOp(op, out, [x], (g) => {
    const G = Matrix.zeros(X.rows, X.cols, X.dtype);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.cols; j++) G.data[i * X.cols + j] = k === 1 ? g.data[target(i, j)]! : g.data[target(i, j)]! * k;
    return [G];
  });
}

export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceSum('sum', x, options, () => 1);
}

/** The mean: the sum times 1/count of the elements reduced. */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceSum('mean', x, options, (X) => 1 / (options.axis === undefined ? X.size : options.axis === 0 ? X.rows : X.cols));
}
