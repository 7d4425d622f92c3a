import type { Backend } from '../backend/backend.js';
import { Matrix, type DType } from '../matrix.js';

// A training iteration creates the same matrices in the same order every time (Z, A, dZ, dW, db,
// dA_prev of every layer). A Workspace hands the ones of the last iteration out again instead of
// allocating new ones, from the backend's own memory when it has one, so after the first iteration
// the hot path allocates nothing and the wasm kernels write their outputs in place.

/** Shapes kept per slot: a mini-batch run alternates between the batch size and the last, smaller batch. */
const SHAPES_PER_SLOT = 2;

/** Per-iteration matrices of a training loop, reused from one iteration to the next. */
export class Workspace {
  private readonly slots: Matrix[][] = [];
  private next = 0;
  private disposed = false;

  constructor(private readonly backend: Backend) {}

  /** Starts an iteration: the matrices handed out in the last one are handed out again, in the same order. */
  nextIteration(): void {
    this.next = 0;
  }

  /**
   * Runs fn with this workspace providing the matrices that layer functions create. Whatever fn
   * returns that came from the workspace is overwritten in the next iteration: callers keep numbers
   * (costs), not matrices. Callbacks run outside, so what they create is theirs.
   */
  run<T>(fn: () => T): T {
    const outer = current;
    current = this.disposed ? undefined : this;
    try {
      return fn();
    } finally {
      current = outer;
    }
  }

  /** A (rows, cols) matrix whose contents are unspecified: the caller overwrites every element. */
  take(rows: number, cols: number, dtype: DType): Matrix {
    const slot = (this.slots[this.next++] ??= []);
    const found = slot.find((M) => M.rows === rows && M.cols === cols && M.dtype === dtype);
    if (found) return found;
    if (slot.length === SHAPES_PER_SLOT) this.release(slot.shift()!);
    const M = this.backend.allocate?.(rows, cols, dtype) ?? Matrix.zeros(rows, cols, dtype);
    slot.push(M);
    return M;
  }

  /** Gives every matrix back to the backend; the workspace hands out no more. */
  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots) for (const M of slot) this.release(M);
    this.slots.length = 0;
  }

  private release(M: Matrix): void {
    this.backend.release?.(M);
  }
}

let current: Workspace | undefined;

/**
 * An output matrix for a kernel that writes every element: from the running training iteration's
 * workspace, else a new zeroed matrix (every call outside a training loop).
 */
export function outputMatrix(rows: number, cols: number, dtype: DType): Matrix {
  return current ? current.take(rows, cols, dtype) : Matrix.zeros(rows, cols, dtype);
}
