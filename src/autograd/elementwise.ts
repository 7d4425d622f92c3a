import { Matrix } from '../matrix.js';
import { at, broadcastShape, reduceTo } from './broadcast.js';
import { Tensor, type TensorLike } from './tensor.js';

// Elementwise ops, each with its derivative beside it. A binary op gives f(x, y) and the partial
// derivatives ∂f/∂x, ∂f/∂y; the VJP multiplies them by the output's gradient and sums over the
// dimensions a broadcast operand was spread along.

type Partial = (x: number, y: number, out: number) => number;

function binary(op: string, aLike: TensorLike, bLike: TensorLike, f: (x: number, y: number) => number, dfdx: Partial, dfdy: Partial): Tensor {
  const dtype = aLike instanceof Tensor ? aLike.dtype : bLike instanceof Tensor ? bLike.dtype : 'float64';
  const a = Tensor.lift(aLike, dtype);
  const b = Tensor.lift(bLike, dtype);
  const A = a.data;
  const B = b.data;
  const [rows, cols] = broadcastShape(op, A, B);
  const out = Matrix.zeros(rows, cols, dtype);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.data[i * cols + j] = f(at(A, i, j), at(B, i, j));
  return Tensor.fromOp(op, out, [a, b], (g) => {
    const partial = (d: Partial) => {
      const G = Matrix.zeros(rows, cols, dtype);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const t = i * cols + j;
          G.data[t] = g.data[t]! * d(at(A, i, j), at(B, i, j), out.data[t]!);
        }
      }
      return G;
    };
    return [a.requiresGrad ? reduceTo(partial(dfdx), A.rows, A.cols) : null, b.requiresGrad ? reduceTo(partial(dfdy), B.rows, B.cols) : null];
  });
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b, (x, y) => x + y, () => 1, () => 1);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b, (x, y) => x - y, () => 1, () => -1);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b, (x, y) => x * y, (_x, y) => y, (x) => x);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b, (x, y) => x / y, (_x, y) => 1 / y, (x, y) => -x / (y * y));
}

export function unary(op: string, x: Tensor, f: (x: number) => number, df: (x: number, out: number) => number): Tensor {
  const X = x.data;
  const out = Matrix.zeros(X.rows, X.cols, X.dtype);
  for (let t = 0; t < out.data.length; t++) out.data[t] = f(X.data[t]!);
  return Tensor.fromOp(op, out, [x], (g) => {
    const G = Matrix.zeros(X.rows, X.cols, X.dtype);
    for (let t = 0; t < G.data.length; t++) G.data[t] = g.data[t]! * df(X.data[t]!, out.data[t]!);
    return [G];
  });
}


export function neg(x: Tensor): Tensor {
  return unary('neg', x, (v) => -v, () => -1);
}

/** x^p for a constant p; d/dx = p x^(p-1) (x^1 is x itself, so squares are exact). */
export function pow(x: Tensor, p: number): Tensor {
  const power = (v: number, q: number) => (q === 1 ? v : q === 2 ? v * v : Math.pow(v, q));
  return unary('pow', x, (v) => power(v, p), (v) => p * power(v, p - 1));
}

export function exp(x: Tensor): Tensor {
  return unary('exp', x, Math.exp, (_v, out) => out);
}

export function log(x: Tensor): Tensor {
  return unary('log', x, Math.log, (v) => 1 / v);
}

/** min(max(x, min), max); the gradient passes where min <= x <= max, as PyTorch's clamp. */
export function clamp(x: Tensor, min: number, max = Infinity): Tensor {
  return unary('clamp', x, (v) => Math.min(Math.max(v, min), max), (v) => (v >= min && v <= max ? 1 : 0));
}
