import type { DType, Matrix } from '../matrix.js';

/**
 * An activation as the kernels see it: its name (fast backends switch on it) and, for the
 * reference backend, the scalar g(z) and g'(z) written once in nn/activations.ts.
 */
export interface ActivationKernel {
  readonly name: string;
  /** Parameter of the activation, e.g. leaky ReLU's slope; 0 when unused. */
  readonly slope: number;
  g(z: number): number;
  /** g'(z), given z and a = g(z) (sigmoid and tanh are cheapest from a). */
  dg(z: number, a: number): number;
}

/**
 * The narrow set of kernels every layer of the network is written against. A backend is one file
 * that implements these; `nn/` never touches storage itself on the hot path.
 * All kernels write into the output argument and check nothing: callers check shapes first.
 */
export interface Backend {
  readonly name: string;
  /** C = alpha * op(A) · op(B) + beta * C, op(M) = Mᵀ when its flag is set. beta = 0 ignores C's contents. */
  gemm(transA: boolean, transB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): void;
  /** Z[i][j] += b[i][0]: the course's broadcast of b (n, 1) over the m columns. */
  addBias(Z: Matrix, b: Matrix): void;
  /** A = g(Z), elementwise. */
  activationForward(act: ActivationKernel, Z: Matrix, A: Matrix): void;
  /**
   * Z += b, then A = g(Z): the forward pass's bias and activation in one pass over Z, with the
   * same results as addBias followed by activationForward.
   */
  biasActivationForward(act: ActivationKernel, Z: Matrix, b: Matrix, A: Matrix): void;
  /** dZ = dA * g'(Z), elementwise (A = g(Z) from the forward pass). */
  activationBackward(act: ActivationKernel, dA: Matrix, Z: Matrix, A: Matrix, dZ: Matrix): void;
  /** out[i][0] = scale * Σ_j M[i][j] (the course's (1/m) np.sum(dZ, axis=1, keepdims=True)). */
  rowSums(M: Matrix, scale: number, out: Matrix): void;
  /** Y = Y + alpha * X, elementwise (the update W := W - α dW is axpy(-α, dW, W)). */
  axpy(alpha: number, X: Matrix, Y: Matrix): void;

  // Optional hooks of backends with their own memory (wasm). A training loop that allocates its
  // long-lived matrices (X, Y, parameters, caches, gradients) with `allocate` saves a copy in and
  // out of every kernel call; other matrices still work everywhere, copied per call.
  /** A zeroed (rows, cols) matrix in the backend's memory, used by its kernels in place. */
  allocate?(rows: number, cols: number, dtype: DType): Matrix;
  /** Gives back a matrix from `allocate`; it must not be used after. Unreleased ones are freed when collected. */
  release?(M: Matrix): void;
  /**
   * Promises that M (from `allocate`) stays unchanged until it is released, so that gemm may keep
   * it packed between products (a training run's X, multiplied every iteration).
   */
  keepPacked?(M: Matrix): void;
  /** Whether M lives in the backend's own memory (from `allocate`, not released): kernels read it in place. */
  isResident?(M: Matrix): boolean;
  /** Gives back the packed forms that keepPacked made of M, which stays (a run over data that outlive it). */
  forgetPacked?(M: Matrix): void;
  /** The most bytes the backend's own memory holds (wasm: 2 GiB of 32-bit addresses); absent: no limit of its own. */
  readonly maxBytes?: number;
  /** The most bytes the packed forms of matrices marked keepPacked may hold (wasm: 64 MB). */
  readonly keptPackedMaxBytes?: number;
  /** Threads for large kernels (1 = the caller only). Results never depend on it. */
  setThreads?(threads: number): void;
  /** Starts the backend's threads and resolves when they run; kernels work before, on fewer threads. */
  ready?(): Promise<void>;
}
