import type { ActivationKernel, Backend } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import { type DType, Matrix } from '../matrix.js';
import type { LayerCache } from './layer.js';
import { softmax } from './softmax.js';
import { outputMatrix } from './workspace.js';

// The first layer in Gram form. Gradient descent's dW[1] = (1/m) dZ[1]·Xᵀ is always some (n[1], m)
// matrix times Xᵀ, so W[1] stays s·W0 + U·Xᵀ (W0 the starting W[1], s a number, U (n[1], m)). With
// K = Xᵀ·X and C0 = W0·X computed once, Z[1] = s·C0 + U·K + b[1] costs n[1]·m² multiply-adds instead
// of n[1]·n[0]·m, the update is U := U - (α/m)·dZ[1] with no product, and X is not read again. L2
// scales s and U; momentum keeps its velocity a·W0 + V·Xᵀ in the same form; a mini-batch uses its
// columns of C0 and K and writes its dZ[1] into its columns of U. W[1] itself is computed
// (materialised) only when something reads it.

export type GramMode = 'auto' | 'on' | 'off';
export const GRAM_MODES: readonly GramMode[] = ['auto', 'on', 'off'];

/** K = Xᵀ·X is held at most this large: 64 MB, m = 2896 samples in float64, 4096 in float32. */
export const GRAM_MAX_BYTES = 64 << 20;

/** What decides the form: the shapes, the optimiser and what the run does each epoch. */
export interface GramPlan {
  n0: number;
  n1: number;
  /** Training samples (after a validation split). */
  m: number;
  dtype: DType;
  optimizer: string;
  epochs: number;
  /** Mini-batches per epoch (1: full batch). */
  batches: number;
  lambd: number;
  /** W[1] is read every epoch (validation, callbacks): one materialisation an epoch. */
  readsEveryEpoch: boolean;
}

export interface GramChoice {
  gram: boolean;
  /** One line for the run's first line: which form runs and why. */
  why: string;
}

/** Multiply-adds of layer 1 over the run in each form (the other layers are the same in both). */
function work(p: GramPlan): { direct: number; gram: number } {
  const { n0, n1, m, epochs } = p;
  const direct = epochs * 2 * n1 * n0 * m;
  const perEpoch = n1 * m * m + (p.readsEveryEpoch ? n1 * n0 * m : 0) + (p.lambd > 0 && p.batches > 1 ? p.batches * n1 * m * m : 0);
  // K (once), C0 (once), W[1] at the end.
  const gram = n0 * m * m + 2 * n1 * n0 * m + epochs * perEpoch;
  return { direct, gram };
}

/**
 * The form layer 1 trains in: `on` where it applies (else a ConfigError saying why), `off` never,
 * `auto` where it saves work: n[0] larger than m, a supported optimiser (gd, momentum), K within
 * GRAM_MAX_BYTES, and fewer multiply-adds over the run.
 */
export function chooseForm(mode: GramMode, p: GramPlan, where = 'fit'): GramChoice {
  if (!GRAM_MODES.includes(mode)) throw new ConfigError(`${where}: gram must be one of ${GRAM_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  if (mode === 'off') return { gram: false, why: 'first layer in direct form (gram off)' };
  const kBytes = p.m * p.m * (p.dtype === 'float32' ? 4 : 8);
  let against: string | undefined;
  if (p.optimizer !== 'gd' && p.optimizer !== 'momentum') {
    against = `the ${p.optimizer} update is elementwise in W[1], so W[1] leaves the form s·W0 + U·Xᵀ (gd and momentum keep it)`;
  } else if (kBytes > GRAM_MAX_BYTES) {
    against = `K = Xᵀ·X (${p.m} x ${p.m}, ${p.dtype}) would take ${(kBytes / 2 ** 20).toFixed(0)} MB, more than the ${GRAM_MAX_BYTES / 2 ** 20} MB allowed`;
  }
  if (against) {
    if (mode === 'on') throw new ConfigError(`${where}: gram 'on' cannot apply: ${against}`);
    return { gram: false, why: `first layer in direct form (${against})` };
  }
  const kShape = `K = Xᵀ·X, ${p.m} x ${p.m}`;
  if (mode === 'on') return { gram: true, why: `first layer in Gram form (${kShape})` };
  if (p.n0 <= p.m) return { gram: false, why: `first layer in direct form (n[0] = ${p.n0} is not larger than m = ${p.m})` };
  const w = work(p);
  if (w.gram >= w.direct) return { gram: false, why: `first layer in direct form (the Gram form would not save work over ${p.epochs} epochs)` };
  return { gram: true, why: `first layer in Gram form (${kShape}: ${(w.direct / w.gram).toFixed(1)}x fewer multiply-adds in layer 1)` };
}

/** Layer 1's state in Gram form for one training run; dispose() gives its memory back. */
export class GramFirstLayer {
  private s = 1;
  /** Momentum's velocity of W[1] is a·W0 + V·Xᵀ. */
  private a = 0;
  private readonly W0: Matrix;
  private readonly U: Matrix;
  private readonly V: Matrix | undefined;
  private readonly K: Matrix;
  private readonly C0: Matrix;
  private readonly held: Matrix[] = [];
  private w0Squares = 0;
  /** C0 and ||W0||² wait for the next forward pass after a rebase. */
  private stale = true;
  /** U·K[:, columns] of the last forward pass, and whether it covered every column. */
  private P: Matrix | undefined;
  private fullP = false;
  /** W[1] holds s·W0 + U·Xᵀ of the current state. */
  private fresh = true;
  /** A copy of W[1] as last materialised for a reader, to see whether the reader changed it. */
  private shown: Matrix['data'] | undefined;
  private showing = false;

  constructor(
    private readonly backend: Backend,
    /** The training set's X (n[0], m). */
    private readonly X: Matrix,
    /** The parameters' W[1]: its value is the start W0, and it receives s·W0 + U·Xᵀ when materialised. */
    private readonly W1: Matrix,
    momentum: boolean,
  ) {
    const { dtype } = W1;
    const m = X.cols;
    this.W0 = this.matrix(W1.rows, W1.cols, dtype);
    this.W0.data.set(W1.data);
    this.U = this.matrix(W1.rows, m, dtype);
    this.V = momentum ? this.matrix(W1.rows, m, dtype) : undefined;
    this.C0 = this.matrix(W1.rows, m, dtype);
    this.K = this.matrix(m, m, dtype);
    backend.gemm(true, false, 1, X, X, 0, this.K);
    // K is every iteration's B (U·K) and never changes: packed once, read packed from then on.
    backend.keepPacked?.(this.K);
  }

  private matrix(rows: number, cols: number, dtype: DType): Matrix {
    const M = this.backend.allocate?.(rows, cols, dtype) ?? Matrix.zeros(rows, cols, dtype);
    this.held.push(M);
    return M;
  }

  private refresh(): void {
    if (!this.stale) return;
    const w = this.W0.data;
    let sq = 0;
    let zeros = true;
    for (let t = 0; t < w.length; t++) {
      sq += w[t]! * w[t]!;
      zeros &&= w[t] === 0;
    }
    // W0 = 0 (the logistic unit's zeros init) gives C0 = 0 exactly, every sum being +0 + (±0)...:
    // the product reads all of X for nothing (its first call 6-20 ms). Tested element by element,
    // not by sq: squares of 1e-200 are 0 too.
    if (zeros) this.C0.data.fill(0);
    else this.backend.gemm(false, false, 1, this.W0, this.X, 0, this.C0);
    this.w0Squares = sq;
    this.stale = false;
  }

  /**
   * A[1] = g(s·C0[:, columns] + U·K[:, columns] + b[1]) and its cache, for the given samples (null:
   * all of them, in order). The cache's linear part names X and W[1]; its Z and A are the batch's.
   */
  forward(columns: readonly number[] | null, b1: Matrix, act: ActivationKernel): [Matrix, LayerCache] {
    this.refresh();
    const { U, K, C0, s } = this;
    const m = K.rows;
    const n1 = U.rows;
    const mb = columns ? columns.length : m;
    const dtype = U.dtype;
    let Kb = K;
    if (columns) {
      Kb = outputMatrix(m, mb, dtype);
      const k = K.data;
      const kb = Kb.data;
      for (let i = 0; i < m; i++) for (let j = 0; j < mb; j++) kb[i * mb + j] = k[i * m + columns[j]!]!;
    }
    const P = outputMatrix(n1, mb, dtype);
    this.backend.gemm(false, false, 1, U, Kb, 0, P);
    this.P = P;
    this.fullP = columns === null;
    const Z = outputMatrix(n1, mb, dtype);
    if (columns) {
      const z = Z.data;
      const p = P.data;
      const c = C0.data;
      for (let i = 0; i < n1; i++) for (let j = 0; j < mb; j++) z[i * mb + j] = s * c[i * m + columns[j]!]! + p[i * mb + j]!;
    } else {
      // Z = U·K + s·C0 on the kernels (the same sum as the loop above, in one pass).
      Z.data.set(P.data);
      this.backend.axpy(s, C0, Z);
    }
    const linearCache = { APrev: this.X, W: this.W1, b: b1 };
    if (act.name === 'softmax') {
      this.backend.addBias(Z, b1);
      const A = softmax(Z);
      return [A, { linearCache, activationCache: { Z, A } }];
    }
    const A = outputMatrix(n1, mb, dtype);
    this.backend.biasActivationForward(act, Z, b1, A);
    return [A, { linearCache, activationCache: { Z, A } }];
  }

  /** ||W[1]||² = s²||W0||² + 2s⟨C0, U⟩ + ⟨U·K, U⟩ of the state of the last forward pass. */
  squares(): number {
    const { U, s } = this;
    let UK = this.P;
    if (!UK || !this.fullP) {
      UK = outputMatrix(U.rows, U.cols, U.dtype);
      this.backend.gemm(false, false, 1, U, this.K, 0, UK);
    }
    const u = U.data;
    const c = this.C0.data;
    const p = UK.data;
    let cu = 0;
    let pu = 0;
    for (let t = 0; t < u.length; t++) {
      cu += c[t]! * u[t]!;
      pu += p[t]! * u[t]!;
    }
    return s * s * this.w0Squares + 2 * s * cu + pu;
  }

  /**
   * One step of gradient descent (or momentum, with beta) on W[1] from the batch's dZ[1]:
   * dW[1] = (1/mb) dZ[1]·Xbᵀ + (λ/mb) W[1], in the form's coordinates.
   */
  update(dZ1: Matrix, columns: readonly number[] | null, learningRate: number, lambd: number, beta?: number): void {
    const { U, V } = this;
    const mb = dZ1.cols;
    const decay = lambd / mb;
    const u = U.data;
    // G, the Xᵀ part of dW[1]: (λ/mb) U, plus dZ[1]/mb in the batch's columns.
    const gScale = decay * this.s;
    if (V && beta !== undefined) {
      const v = V.data;
      this.a = beta * this.a + (1 - beta) * gScale;
      for (let t = 0; t < u.length; t++) v[t] = beta * v[t]! + (1 - beta) * (decay * u[t]!);
      this.scatter(V, dZ1, columns, (1 - beta) / mb);
      this.s = this.s - learningRate * this.a;
      this.backend.axpy(-learningRate, V, U);
    } else {
      this.s = this.s - learningRate * gScale;
      if (lambd > 0) for (let t = 0; t < u.length; t++) u[t] = u[t]! - learningRate * (decay * u[t]!);
      this.scatter(U, dZ1, columns, -learningRate / mb);
    }
    this.fresh = false;
  }

  /** M[:, columns] += alpha·dZ (every column of M, on the kernels, for the full batch). */
  private scatter(M: Matrix, dZ: Matrix, columns: readonly number[] | null, alpha: number): void {
    if (!columns) return this.backend.axpy(alpha, dZ, M);
    const out = M.data;
    const dz = dZ.data;
    const m = M.cols;
    const mb = dZ.cols;
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < mb; j++) out[i * m + columns[j]!] += alpha * dz[i * mb + j]!;
  }

  /** W[1] := s·W0 + U·Xᵀ (one product), unless it already holds the current state. */
  materialise(): void {
    if (this.fresh) return;
    this.W1.data.set(this.W0.data);
    this.backend.gemm(false, true, 1, this.U, this.X, this.s, this.W1);
    this.fresh = true;
  }

  /** W[1], materialised for a reader (a callback): after it, changed() says whether the reader wrote to it. */
  show(): void {
    // Later reads in the same callback keep the first copy: the reader may have written between them.
    if (this.showing) return;
    this.materialise();
    this.shown ??= this.W1.data.slice();
    this.shown.set(this.W1.data);
    this.showing = true;
  }

  /** Whether W[1] differs from what show() gave (and forgets it). */
  changed(): boolean {
    const shown = this.shown;
    if (!this.showing || !shown) return false;
    this.showing = false;
    const w = this.W1.data;
    for (let t = 0; t < w.length; t++) if (!Object.is(w[t], shown[t])) return true;
    return false;
  }

  /**
   * Starts the form again from the W[1] a reader wrote: W0 := W[1], s = 1, U = 0. Momentum's V is
   * kept (it is in the Xᵀ form whatever W0 is); a velocity with a W0 part (L2) cannot move to the new
   * W0: then this returns false and the caller goes on in the direct form (see velocity()).
   */
  rebase(): boolean {
    if (this.a !== 0) return false;
    this.W0.data.set(this.W1.data);
    this.s = 1;
    this.U.data.fill(0);
    this.stale = true;
    this.fresh = true;
    return true;
  }

  /** Momentum's velocity of W[1], a·W0 + V·Xᵀ, written into v (for the direct form taking over). */
  velocity(v: Matrix): void {
    if (!this.V) return;
    v.data.set(this.W0.data);
    this.backend.gemm(false, true, 1, this.V, this.X, this.a, v);
  }

  dispose(): void {
    for (const M of this.held) this.backend.release?.(M);
    this.held.length = 0;
  }
}
