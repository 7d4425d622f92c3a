import type { Matrix } from '../matrix.js';
import type { ActivationKernel, Backend } from './backend.js';

// Rows of B kept hot in cache while every row of A passes over them (KB * N * 8 bytes in L2).
const KB = 128;

/**
 * The reference backend: plain TypeScript that reads like the math, in float64 arithmetic
 * (float32 matrices are accumulated in float64 and rounded once when stored).
 *
 * gemm sums every C[i][j] over k in ascending order, one product at a time, whatever the blocking:
 * the result does not depend on block sizes, and a faster backend can be checked against it.
 */
export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  private scratch = new Float64Array(0);

  private acc(length: number): Float64Array {
    if (this.scratch.length < length) this.scratch = new Float64Array(length);
    const acc = this.scratch.subarray(0, length);
    acc.fill(0);
    return acc;
  }

  gemm(transA: boolean, transB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): void {
    const M = C.rows;
    const N = C.cols;
    const K = transA ? A.rows : A.cols;
    const acc = this.acc(M * N);
    if (!transB) {
      axpyForm(transA, A.data, B.data, acc, M, N, K);
    } else {
      // op(A) rows must be contiguous for the dot form: materialise Aᵀ when A is transposed (rare).
      const a = transA ? transposed(A.data, A.rows, A.cols) : A.data;
      dotForm(a, B.data, acc, M, N, K);
    }
    const c = C.data;
    if (beta === 0) {
      for (let t = 0; t < M * N; t++) c[t] = alpha * acc[t]!;
    } else {
      for (let t = 0; t < M * N; t++) c[t] = alpha * acc[t]! + beta * c[t]!;
    }
  }

  addBias(Z: Matrix, b: Matrix): void {
    const { rows, cols } = Z;
    const z = Z.data;
    for (let i = 0; i < rows; i++) {
      const bi = b.data[i]!;
      for (let j = i * cols, end = j + cols; j < end; j++) z[j] = z[j]! + bi;
    }
  }

  activationForward(act: ActivationKernel, Z: Matrix, A: Matrix): void {
    const z = Z.data;
    const a = A.data;
    for (let t = 0; t < z.length; t++) a[t] = act.g(z[t]!);
  }

  biasActivationForward(act: ActivationKernel, Z: Matrix, b: Matrix, A: Matrix): void {
    const { rows, cols } = Z;
    const z = Z.data;
    const a = A.data;
    for (let i = 0; i < rows; i++) {
      const bi = b.data[i]!;
      for (let j = i * cols, end = j + cols; j < end; j++) {
        z[j] = z[j]! + bi;
        a[j] = act.g(z[j]!);
      }
    }
  }

  activationBackward(act: ActivationKernel, dA: Matrix, Z: Matrix, A: Matrix, dZ: Matrix): void {
    const da = dA.data;
    const z = Z.data;
    const a = A.data;
    const dz = dZ.data;
    for (let t = 0; t < dz.length; t++) dz[t] = da[t]! * act.dg(z[t]!, a[t]!);
  }

  rowSums(M: Matrix, scale: number, out: Matrix): void {
    const { rows, cols } = M;
    const m = M.data;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = i * cols, end = j + cols; j < end; j++) s += m[j]!;
      out.data[i] = scale * s;
    }
  }

  axpy(alpha: number, X: Matrix, Y: Matrix): void {
    const x = X.data;
    const y = Y.data;
    for (let t = 0; t < y.length; t++) y[t] = y[t]! + alpha * x[t]!;
  }
}

type Data = Float64Array | Float32Array;

/** acc[i][:] += op(A)[i][k] * B[k][:], k outermost in blocks so B's block stays in cache. */
function axpyForm(transA: boolean, a: Data, b: Data, acc: Float64Array, M: number, N: number, K: number): void {
  // op(A)[i][k] lives at a[i*K + k] (A is M×K) or at a[k*M + i] (A is K×M, transposed).
  const si = transA ? 1 : K;
  const sk = transA ? M : 1;
  for (let k0 = 0; k0 < K; k0 += KB) {
    const k1 = Math.min(K, k0 + KB);
    for (let i = 0; i < M; i++) {
      const row = i * N;
      let k = k0;
      // Four rows of B per pass: one load and one store of acc per four products, same sum order.
      for (; k + 3 < k1; k += 4) {
        const a0 = a[i * si + k * sk]!;
        const a1 = a[i * si + (k + 1) * sk]!;
        const a2 = a[i * si + (k + 2) * sk]!;
        const a3 = a[i * si + (k + 3) * sk]!;
        const b0 = k * N;
        const b1 = b0 + N;
        const b2 = b1 + N;
        const b3 = b2 + N;
        for (let j = 0; j < N; j++) {
          acc[row + j] = acc[row + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
        }
      }
      for (; k < k1; k++) {
        const ak = a[i * si + k * sk]!;
        const bk = k * N;
        for (let j = 0; j < N; j++) acc[row + j] = acc[row + j]! + ak * b[bk + j]!;
      }
    }
  }
}

/** acc[i][j] = Σ_k A[i][k] * B[j][k]: both operands read along contiguous rows. */
function dotForm(a: Data, b: Data, acc: Float64Array, M: number, N: number, K: number): void {
  for (let j = 0; j < N; j++) {
    const bj = j * K;
    let i = 0;
    // Four rows of A against one row of B: B[j][k] is loaded once for four sums.
    for (; i + 3 < M; i += 4) {
      const a0 = i * K;
      const a1 = a0 + K;
      const a2 = a1 + K;
      const a3 = a2 + K;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = b[bj + k]!;
        s0 += a[a0 + k]! * x;
        s1 += a[a1 + k]! * x;
        s2 += a[a2 + k]! * x;
        s3 += a[a3 + k]! * x;
      }
      acc[i * N + j] = s0;
      acc[(i + 1) * N + j] = s1;
      acc[(i + 2) * N + j] = s2;
      acc[(i + 3) * N + j] = s3;
    }
    for (; i < M; i++) {
      const ai = i * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ai + k]! * b[bj + k]!;
      acc[i * N + j] = s;
    }
  }
}

function transposed(a: Data, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}
