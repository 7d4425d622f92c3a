import { AutogradError, ShapeError } from '../errors.js';
import { assertDType, type DType, formatShape, Matrix, type Shape } from '../matrix.js';
import { sigmoid as sigmoidOp, tanh as tanhOp, relu as reluOp, leakyRelu as leakyReluOp, softmax as softmaxOp, logSoftmax as logSoftmaxOp } from './activations.js';
import { add, clamp, div, exp, log, mul, neg, pow, sub } from './elementwise.js';
import { matmul, transpose } from './linalg.js';
import { mean, type ReduceOptions, sum } from './reduce.js';

// A tensor as PyTorch's autograd has it: data, requiresGrad, grad, and for a result of an op the
// op's parents with its vector-Jacobian product (VJP). Every tensor is 2-D, as every Matrix is:
// a scalar is (1, 1), and a vector that numpy would make 1-D is a row (1, n), which broadcasts
// exactly as numpy and PyTorch broadcast a 1-D array (along the last axis).

/** The gradient of each parent given the gradient of the op's output (null where none is needed). */
export type VJP = (g: Matrix) => readonly (Matrix | null)[];

let gradEnabled = true;

/** Whether ops record the graph (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the graph (PyTorch's `with torch.no_grad()`), e.g. for updates. fn must be synchronous. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export interface TensorOptions {
  requiresGrad?: boolean;
}

export type TensorLike = Tensor | number;

/** A fresh matrix holding A + B (never mutates either: VJPs may hand out the same matrix twice). */
function plus(A: Matrix, B: Matrix): Matrix {
  const out = A.clone();
  for (let t = 0; t < out.data.length; t++) out.data[t] = out.data[t]! + B.data[t]!;
  return out;
}

export class Tensor {
  /** The values: the same storage as a Matrix (row-major typed array). */
  data: Matrix;
  requiresGrad: boolean;
  /** The accumulated gradient of a leaf that requires grad (null until a backward reaches it). */
  grad: Matrix | null = null;
  /** The op that made this tensor ('leaf' for tensors made by the user). */
  readonly op: string;
  readonly parents: readonly Tensor[];
  private vjp: VJP | null;
  private released = false;

  /** A leaf tensor over `data` (not copied). `node` is for ops only (see fromOp). */
  constructor(data: Matrix, options: TensorOptions = {}, node?: { op: string; parents: readonly Tensor[]; vjp: VJP }) {
    if (!(data instanceof Matrix)) throw new ShapeError('Tensor: data must be a Matrix (use Tensor.from(number[][]) for nested arrays)');
    this.data = data;
    this.requiresGrad = options.requiresGrad ?? false;
    this.op = node?.op ?? 'leaf';
    this.parents = node?.parents ?? [];
    this.vjp = node?.vjp ?? null;
  }

  /** From nested rows or a number (a (1, 1) scalar). */
  static from(values: number | readonly (readonly number[])[], options: TensorOptions & { dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? 'float64';
    assertDType(dtype, 'Tensor dtype');
    const M = typeof values === 'number' ? Matrix.full(1, 1, values, dtype) : Matrix.from(values, dtype);
    return new Tensor(M, options);
  }

  static zeros(rows: number, cols: number, options: TensorOptions & { dtype?: DType } = {}): Tensor {
    return new Tensor(Matrix.zeros(rows, cols, options.dtype ?? 'float64'), options);
  }

  static ones(rows: number, cols: number, options: TensorOptions & { dtype?: DType } = {}): Tensor {
    return new Tensor(Matrix.full(rows, cols, 1, options.dtype ?? 'float64'), options);
  }

  /**
   * The result of an op. It joins the graph only when recording is on and a parent requires grad;
   * otherwise it is a plain constant, as in PyTorch.
   */
  static fromOp(op: string, data: Matrix, parents: readonly Tensor[], vjp: VJP): Tensor {
    if (!gradEnabled || !parents.some((p) => p.requiresGrad)) return new Tensor(data);
    return new Tensor(data, { requiresGrad: true }, { op, parents, vjp });
  }

  /** A number as a constant (1, 1) tensor of this tensor's dtype. */
  static lift(x: TensorLike, dtype: DType): Tensor {
    return x instanceof Tensor ? x : new Tensor(Matrix.full(1, 1, x, dtype));
  }

  get shape(): Shape {
    return this.data.shape;
  }
  get rows(): number {
    return this.data.rows;
  }
  get cols(): number {
    return this.data.cols;
  }
  get dtype(): DType {
    return this.data.dtype;
  }

  /** True for tensors made by the user (and for every tensor that does not require grad), as in PyTorch. */
  get isLeaf(): boolean {
    return this.parents.length === 0;
  }

  /** The value of a (1, 1) tensor. */
  item(): number {
    if (this.data.size !== 1) throw new ShapeError(`item: only a tensor with one element has an item, this one is ${formatShape(this.shape)}`);
    return this.data.data[0]!;
  }

  toArray(): number[][] {
    return this.data.toArray();
  }

  /** Forgets the accumulated gradient (PyTorch's zero_grad with set_to_none). */
  zeroGrad(): void {
    this.grad = null;
  }

  /** The same storage as a new leaf that does not require grad: the graph stops here. */
  detach(): Tensor {
    return new Tensor(this.data);
  }

  /**
   * Sends gradients back through the graph and accumulates them into `.grad` of every leaf that
   * requires grad. A non-scalar output needs `gradient`, of the output's shape (the vector of the
   * vector-Jacobian product). The graph is freed afterwards unless `retainGraph` is true.
   */
  backward(gradient?: Tensor | Matrix | number, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new AutogradError(
        'backward: this tensor does not require grad and has no graph to go back through; create the inputs with { requiresGrad: true }',
      );
    }
    let g: Matrix;
    if (gradient === undefined) {
      if (this.data.size !== 1) {
        throw new AutogradError(
          `backward: the output has shape ${formatShape(this.shape)}, not a scalar, so a gradient is needed: pass a gradient of the output's shape ${formatShape(this.shape)}, e.g. backward(Tensor.ones(${this.rows}, ${this.cols}))`,
        );
      }
      g = Matrix.full(1, 1, 1, this.dtype);
    } else {
      g = typeof gradient === 'number' ? Matrix.full(1, 1, gradient, this.dtype) : gradient instanceof Tensor ? gradient.data : gradient;
      if (g.rows !== this.rows || g.cols !== this.cols) {
        throw new ShapeError(`backward: gradient has shape ${formatShape(g.shape)} but the output has shape ${formatShape(this.shape)}; they must be the same`);
      }
    }
    const order = topologicalOrder(this);
    const grads = new Map<Tensor, Matrix>([[this, g]]);
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const gNode = grads.get(node);
      if (!gNode) continue;
      grads.delete(node);
      if (node.isLeaf) {
        if (node.requiresGrad) node.grad = node.grad ? plus(node.grad, gNode) : gNode.clone();
        continue;
      }
      if (node.released || !node.vjp) {
        throw new AutogradError(
          `backward: trying to go back through the graph a second time (at a '${node.op}' op), but its saved results were freed by the first backward. Call backward(gradient, { retainGraph: true }) the first time if you need to call backward twice.`,
        );
      }
      const parentGrads = node.vjp(gNode);
      node.parents.forEach((p, i) => {
        const gp = parentGrads[i];
        if (!p.requiresGrad || !gp) return;
        const prev = grads.get(p);
        grads.set(p, prev ? plus(prev, gp) : gp);
      });
      if (!options.retainGraph) {
        node.vjp = null;
        node.released = true;
      }
    }
  }

  add(other: TensorLike): Tensor {
    return add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return div(this, other);
  }
  neg(): Tensor {
    return neg(this);
  }
  pow(p: number): Tensor {
    return pow(this, p);
  }
  exp(): Tensor {
    return exp(this);
  }
  log(): Tensor {
    return log(this);
  }
  /** max(x, min) (and min(x, max) when max is given): relu is clamp(0), as in the seeds' MLP. */
  clamp(min: number, max = Infinity): Tensor {
    return clamp(this, min, max);
  }
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return matmul(this, other);
  }
  t(): Tensor {
    return transpose(this);
  }
  sum(options: ReduceOptions = {}): Tensor {
    return sum(this, options);
  }
  mean(options: ReduceOptions = {}): Tensor {
    return mean(this, options);
  }
  sigmoid(): Tensor {
    return sigmoidOp(this);
  }
  tanh(): Tensor {
    return tanhOp(this);
  }
  relu(): Tensor {
    return reluOp(this);
  }
  leakyRelu(slope?: number): Tensor {
    return leakyReluOp(this, slope);
  }
  /** Softmax along axis 0 (default: over the rows of each column, one sample per column) or 1. */
  softmax(axis: 0 | 1 = 0): Tensor {
    return softmaxOp(this, axis);
  }
  logSoftmax(axis: 0 | 1 = 0): Tensor {
    return logSoftmaxOp(this, axis);
  }

  toString(): string {
    return `Tensor(${this.rows}, ${this.cols}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''}${this.isLeaf ? '' : `, op ${this.op}`})`;
  }
}

/** Nodes in an order where every tensor comes after its parents (iterative: deep graphs do not overflow the stack). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.parents.length) {
      top[1]++;
      const p = node.parents[i]!;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}
