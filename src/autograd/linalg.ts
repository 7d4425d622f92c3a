import { getBackend } from '../backend/select.js';
import { assertMultiplies, assertSameDType, Matrix } from '../matrix.js';
import { Tensor } from './tensor.js';

/** a·b; VJP: ∂a = g·bᵀ, ∂b = aᵀ·g (the gemm kernels of the backend, with transpose flags). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const A = a.data;
  const B = b.data;
  assertMultiplies('matmul', A, 'a', B, 'b');
  assertSameDType('matmul', A, 'a', B, 'b');
  const backend = getBackend();
  const out = Matrix.zeros(A.rows, B.cols, A.dtype);
  backend.gemm(false, false, 1, A, B, 0, out);
  return Tensor.fromOp('matmul', out, [a, b], (g) => {
    let gA: Matrix | null = null;
    let gB: Matrix | null = null;
    if (a.requiresGrad) {
      gA = Matrix.zeros(A.rows, A.cols, A.dtype);
      backend.gemm(false, true, 1, g, B, 0, gA);
    }
    if (b.requiresGrad) {
      gB = Matrix.zeros(B.rows, B.cols, B.dtype);
      backend.gemm(true, false, 1, A, g, 0, gB);
    }
    return [gA, gB];
  });
}

/** aᵀ; VJP: gᵀ. */
export function transpose(a: Tensor): Tensor {
  return Tensor.fromOp('t', a.data.transpose(), [a], (g) => [g.transpose()]);
}
