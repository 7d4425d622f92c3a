import { describe, expect, it } from 'vitest';
import { backendNames, resolveBackend } from '../../src/backend/select.js';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { relu, sigmoid } from '../../src/nn/activations.js';
import { NumpyRandom } from '../../src/random.js';

function random(rows: number, cols: number, seed: number, dtype: 'float64' | 'float32' = 'float64'): Matrix {
  const M = Matrix.zeros(rows, cols, dtype);
  M.data.set(new NumpyRandom(seed).randn(rows * cols));
  return M;
}

/** C = alpha op(A) op(B) + beta C by the definition, one sum at a time. */
function naiveGemm(tA: boolean, tB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): number[][] {
  const a = tA ? A.T : A;
  const b = tB ? B.T : B;
  return Array.from({ length: a.rows }, (_, i) =>
    Array.from({ length: b.cols }, (_, j) => {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.get(i, k) * b.get(k, j);
      return alpha * s + (beta === 0 ? 0 : beta * C.get(i, j));
    }),
  );
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [7, 130, 9],
  [20, 259, 13],
  [5, 4, 300],
];

describe.each(backendNames())('backend %s kernels', (name) => {
  const backend = resolveBackend(name);
  describe.each(shapes)('gemm M=%i K=%i N=%i', (Mr, K, N) => {
    it.each([
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ])('transA=%s transB=%s equals the definition (1e-12)', (tA, tB) => {
      const A = tA ? random(K, Mr, 1) : random(Mr, K, 1);
      const B = tB ? random(N, K, 2) : random(K, N, 2);
      const C0 = random(Mr, N, 3);
      for (const [alpha, beta] of [
        [1, 0],
        [0.25, 0],
        [-1.5, 0.5],
      ] as const) {
        const C = C0.clone();
        backend.gemm(tA, tB, alpha, A, B, beta, C);
        const expected = naiveGemm(tA, tB, alpha, A, B, beta, C0);
        for (let i = 0; i < Mr; i++) for (let j = 0; j < N; j++) expect(Math.abs(C.get(i, j) - expected[i]![j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[i]![j]!)));
      }
    });
  });

  it('addBias broadcasts b over the columns; rowSums scales the row sums; axpy', () => {
    const Z = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    backend.addBias(Z, Matrix.from([[10], [20]]));
    expect(Z.toArray()).toEqual([
      [11, 12, 13],
      [24, 25, 26],
    ]);
    const out = Matrix.zeros(2, 1);
    backend.rowSums(Z, 1 / 3, out);
    expect(out.toArray()).toEqual([[(1 / 3) * 36], [(1 / 3) * 75]]);
    const Y = Matrix.from([[1, 1]]);
    backend.axpy(-0.5, Matrix.from([[2, 4]]), Y);
    expect(Y.toArray()).toEqual([[0, -1]]);
  });

  it('activation kernels: forward g and backward dA * g\'', () => {
    const Z = Matrix.from([[-2, 0, 3]]);
    const A = Matrix.zeros(1, 3);
    backend.activationForward(relu, Z, A);
    expect(A.toArray()).toEqual([[0, 0, 3]]);
    const dZ = Matrix.zeros(1, 3);
    backend.activationBackward(relu, Matrix.from([[5, 6, 7]]), Z, A, dZ);
    expect(dZ.toArray()).toEqual([[0, 0, 7]]);
    backend.activationForward(sigmoid, Z, A);
    expect(A.get(0, 1)).toBe(0.5);
  });

});

describe('reference backend', () => {
  const backend = resolveBackend('reference');
  it('float32 matrices accumulate in float64 and round once (1e-6 of float64)', () => {
    const A = random(6, 40, 4, 'float32');
    const B = random(40, 5, 5, 'float32');
    const C = Matrix.zeros(6, 5, 'float32');
    backend.gemm(false, false, 1, A, B, 0, C);
    const C64 = Matrix.zeros(6, 5);
    backend.gemm(false, false, 1, A.astype('float64'), B.astype('float64'), 0, C64);
    for (let t = 0; t < C.data.length; t++) expect(C.data[t]).toBe(Math.fround(C64.data[t]!));
  });
});

describe('backend selection', () => {
  it('unknown names are a ConfigError listing the available backends', () => {
    expect(() => resolveBackend('cuda')).toThrow(ConfigError);
    expect(() => resolveBackend('cuda')).toThrow(/unknown backend "cuda"; available: auto, reference/);
  });

  it('auto resolves to a registered backend', () => {
    expect(backendNames()).toContain(resolveBackend('auto').name);
  });
});
