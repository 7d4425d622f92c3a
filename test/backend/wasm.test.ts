import { afterAll, describe, expect, it, vi } from 'vitest';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ActivationKernel } from '../../src/backend/backend.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { calibrations, gemmBlocking, type GemmBlocking } from '../../src/backend/wasm/blocking.js';
import type { ThreadPool } from '../../src/backend/wasm/pool.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { Matrix, type DType } from '../../src/matrix.js';
import { leakyRelu, linear, relu, sigmoid, tanh } from '../../src/nn/activations.js';

// Every wasm kernel against the reference backend on the same random inputs.
// float64: the kernels sum in the reference's order, so they must agree to 1e-12 relative (in fact
// bit for bit); float32 gemm accumulates in float32, so it is held to 1e-5 of Σ|a||b|.

const ref = new ReferenceBackend();
const wasm = new WasmBackend();
afterAll(() => wasm.dispose());

/** A small deterministic generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function random(rows: number, cols: number, dtype: DType, seed: number, scale = 1): Matrix {
  const next = rng(seed);
  const M = Matrix.zeros(rows, cols, dtype);
  for (let t = 0; t < M.data.length; t++) M.data[t] = (next() * 2 - 1) * scale;
  return M;
}

/** |got - want| <= tol * bound elementwise, with a message naming the first bad element. */
function expectClose(got: Matrix, want: Matrix, tol: number, bound: ArrayLike<number>): void {
  expect(got.shape).toEqual(want.shape);
  for (let t = 0; t < want.data.length; t++) {
    const g = got.data[t]!;
    const w = want.data[t]!;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    const err = Math.abs(g - w);
    if (!(err <= tol * bound[t]!)) {
      throw new Error(`element ${t}: got ${g}, want ${w} (error ${err}, allowed ${tol * bound[t]!})`);
    }
  }
}

function relativeBound(want: Matrix): Float64Array {
  return Float64Array.from(want.data, (w) => Math.max(Math.abs(w), Number.MIN_VALUE));
}

/** |alpha| Σ_k |op(A)[i][k]| |op(B)[k][j]| + |beta C[i][j]|: the scale of a product's rounding error. */
function gemmBound(tA: boolean, tB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): Float64Array {
  const absA = new Matrix(A.rows, A.cols, Float64Array.from(A.data, Math.abs));
  const absB = new Matrix(B.rows, B.cols, Float64Array.from(B.data, Math.abs));
  const out = Matrix.zeros(C.rows, C.cols);
  ref.gemm(tA, tB, Math.abs(alpha), absA, absB, 0, out);
  return out.data.map((v, t) => v + Math.abs(beta * C.data[t]!) + Number.MIN_VALUE) as Float64Array;
}

const SHAPES: [M: number, N: number, K: number][] = [
  [1, 1, 1],
  [3, 5, 4],
  [1, 7, 3],
  [7, 1, 3],
  [2, 3, 1],
  [5, 8, 16],
  // Across k-blocks of 256: two less one, two and one, four and a bit (every blocking: below).
  [6, 9, 511],
  [11, 13, 513],
  [4, 33, 1100],
  [20, 37, 1025],
  // Taller than wide: the rows are the outer loop (W1ᵀ·dZ1's order), over one and several k-blocks.
  [61, 9, 20],
  [61, 9, 1030],
];
const COMBOS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

function gemmCase(dtype: DType, M: number, N: number, K: number, tA: boolean, tB: boolean, alpha: number, beta: number, scale = 1, seed = 1) {
  const A = tA ? random(K, M, dtype, seed, scale) : random(M, K, dtype, seed, scale);
  const B = tB ? random(N, K, dtype, seed + 1, scale) : random(K, N, dtype, seed + 1, scale);
  const C0 = random(M, N, dtype, seed + 2, scale);
  const want = C0.clone();
  ref.gemm(tA, tB, alpha, A, B, beta, want);
  const got = C0.clone();
  wasm.gemm(tA, tB, alpha, A, B, beta, got);
  return { A, B, C0, want, got };
}

describe('wasm gemm vs reference', () => {
  for (const [tA, tB] of COMBOS) {
    const op = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
    it(`float64 ${op}: every shape, alpha/beta, bit-identical`, () => {
      for (const [M, N, K] of SHAPES) {
        for (const [alpha, beta] of [[1, 0], [1 / 209, 0], [0.5, 2], [-1.5, 1]] as const) {
          const { want, got } = gemmCase('float64', M, N, K, tA, tB, alpha, beta);
          expectClose(got, want, 1e-12, relativeBound(want));
          expect(Array.from(got.data)).toEqual(Array.from(want.data));
        }
      }
    });

    it(`float32 ${op}: every shape, alpha/beta, within 1e-5 of the error scale`, () => {
      for (const [M, N, K] of SHAPES) {
        for (const [alpha, beta] of [[1, 0], [1 / 209, 0], [0.5, 2]] as const) {
          const { A, B, C0, want, got } = gemmCase('float32', M, N, K, tA, tB, alpha, beta);
          expectClose(got, want, 1e-5, gemmBound(tA, tB, alpha, A, B, beta, C0));
        }
      }
    });
  }

  it('extreme magnitudes: float64 near 1e±150, float32 near 1e±18', () => {
    for (const [tA, tB] of COMBOS) {
      for (const scale of [1e150, 1e-150]) {
        const { want, got } = gemmCase('float64', 7, 11, 300, tA, tB, 1, 0, scale, 7);
        expectClose(got, want, 1e-12, relativeBound(want));
      }
      for (const scale of [1e18, 1e-18]) {
        const { A, B, C0, want, got } = gemmCase('float32', 7, 11, 300, tA, tB, 1, 0, scale, 7);
        expectClose(got, want, 1e-5, gemmBound(tA, tB, 1, A, B, 0, C0));
      }
    }
  });

  it('K = 0 gives beta C, and beta = 0 ignores NaN in C', () => {
    const A = Matrix.zeros(3, 0);
    const B = Matrix.zeros(0, 4);
    const C = Matrix.full(3, 4, 2);
    wasm.gemm(false, false, 1, A, B, 0.5, C);
    expect(Array.from(C.data)).toEqual(new Array(12).fill(1));
    const C2 = Matrix.full(2, 2, NaN);
    wasm.gemm(false, false, 1, Matrix.from([[1, 2], [3, 4]]), Matrix.from([[1, 0], [0, 1]]), 0, C2);
    expect(C2.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('the cat shapes: forward W1·X, backward (1/m) dZ1·Xᵀ and W1ᵀ·dZ1', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const [tA, tB, M, N, K, alpha] of [
        [false, false, 20, 209, 1200, 1],
        [false, true, 20, 1200, 209, 1 / 209],
        [true, false, 1200, 209, 20, 1],
      ] as const) {
        const { A, B, C0, want, got } = gemmCase(dtype, M, N, K, tA, tB, alpha, 0, 1, 3);
        const tol = dtype === 'float64' ? 1e-12 : 1e-5;
        expectClose(got, want, tol, dtype === 'float64' ? relativeBound(want) : gemmBound(tA, tB, alpha, A, B, 0, C0));
      }
    }
  });

  it('Xᵀ·X (upper triangle computed, the rest mirrored, Xᵀ read where X lies) gives the bits of the full product, on 1 and 2 threads', async () => {
    for (const [threads, blocking] of [[1, undefined], [2, undefined], [2, { kc: 7, chunkCols: 16 }]] as const) {
      const b = new WasmBackend({ threads, blocking });
      await b.ready();
      for (const dtype of ['float32', 'float64'] as const) {
        // m from one tile to several column blocks, a partial last panel of 1 to 3 rows or none; n
        // past a k-block; 1 / m as the Gram form's scale is not, but a user's may be.
        for (const [n, m] of [[40, 33], [700, 61], [300, 36], [129, 63], [90, 6], [1300, 209]] as const) {
          for (const alpha of [1, 1 / m]) {
            const X = random(n, m, dtype, 41);
            const copy = X.clone();
            const K = Matrix.zeros(m, m, dtype);
            const full = Matrix.zeros(m, m, dtype);
            b.gemm(true, false, alpha, X, X, 0, K);
            b.gemm(true, false, alpha, X, copy, 0, full);
            expect(Array.from(K.data), `${dtype} ${n}x${m} alpha ${alpha}, ${threads} threads, kc ${blocking?.kc ?? 'auto'}`).toEqual(Array.from(full.data));
          }
        }
      }
      b.dispose();
    }
  });

  it('Xᵀ·X of a matrix outside the kernels\' memory copies it in once, not once per operand', () => {
    const b = new WasmBackend({ threads: 1 });
    const X = random(3000, 200, 'float64', 7);
    b.gemm(true, false, 1, X, X, 0, Matrix.zeros(200, 200));
    // X (4.8 MB) and K (0.3 MB) staged, and a packed panel of Xᵀ: under 1.3 X, where twice X was staged.
    expect(b.heap.allocatedBytes).toBeLessThan(1.3 * X.data.byteLength);
    b.dispose();
  });

  it('few rows (B read in place, or packed) give the same bits as the same rows of a taller product (B packed)', () => {
    // Up to 32 rows, gemm may read B unpacked; a C row depends only on its A row, so the first rows of
    // a 40-row product (B packed) must equal the short product bit for bit: same k order, same rounding.
    // 2 to 32 rows go either way (fewRowsB): both ways are checked, and the default (in place for
    // a B of at most 64 KB, as 7 x 209 x 20 and 5 x 209 x 7 have; packed for the larger ones).
    const ways = (['in-place', 'packed', undefined] as const).map((fewRowsB) => new WasmBackend({ fewRowsB, threads: 1 }));
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [M, N, K] of [[1, 209, 600], [4, 13, 257], [20, 37, 1025], [32, 8, 300], [20, 300, 40], [7, 209, 20], [5, 209, 7]] as const) {
        for (const [alpha, beta] of [[1, 0], [0.5, 2]] as const) {
          const A = random(40, K, dtype, 31);
          const B = random(K, N, dtype, 32);
          const Ctall = random(40, N, dtype, 33);
          const rows = new Matrix(M, K, A.data.slice(0, M * K));
          const C0 = Ctall.data.slice(0, M * N);
          wasm.gemm(false, false, alpha, A, B, beta, Ctall);
          for (const [w, b] of ways.entries()) {
            const Cshort = new Matrix(M, N, C0.slice());
            b.gemm(false, false, alpha, rows, B, beta, Cshort);
            expect(Array.from(Cshort.data), `${dtype} ${M}x${N}x${K} ${['in place', 'packed', 'by default'][w]}`).toEqual(Array.from(Ctall.data.slice(0, M * N)));
          }
        }
      }
    }
    for (const b of ways) b.dispose();
  });

  it('a B kept packed (training\'s X) gives the bits of packing it per product: NN and NT, one row and more, odd sizes, 1 and 2 threads, two blockings', async () => {
    for (const blocking of [undefined, { kc: 7, chunkCols: 16 }]) {
      for (const threads of [1, 2]) {
        const kept = new WasmBackend({ threads, blocking });
        const plain = new WasmBackend({ threads, blocking });
        await Promise.all([kept.ready(), plain.ready()]);
        for (const dtype of ['float32', 'float64'] as const) {
          // Widths whose strips (4 or 8 columns) leave 0, 1 and 2 after the one-row kernel's groups of three.
          for (const [transB, K, N] of [[false, 700, 301], [true, 700, 301], [false, 300, 209], [false, 90, 45], [true, 50, 48]] as const) {
            // X as training holds it: resident, unchanged, multiplied again and again.
            const X = kept.allocate(transB ? N : K, transB ? K : N, dtype);
            X.data.set(random(X.rows, X.cols, dtype, 41).data);
            kept.keepPacked(X);
            // A first product packs X as any product does; the second packs it whole, for the rest.
            kept.gemm(false, transB, 1, random(20, K, dtype, 40), X, 0, Matrix.zeros(20, N, dtype));
            expect(kept.keptPackedBytes).toBe(0);
            for (const M of [1, 2, 20, 23, 64]) {
              const A = random(M, K, dtype, 42 + M);
              const C = random(M, N, dtype, 43);
              const want = new Matrix(M, N, C.data.slice());
              const got = new Matrix(M, N, C.data.slice());
              for (const [alpha, beta] of [[1, 0], [0.5, 2]] as const) {
                plain.gemm(false, transB, alpha, A, new Matrix(X.rows, X.cols, X.data.slice()), beta, want);
                kept.gemm(false, transB, alpha, A, X, beta, got);
                expect(Array.from(got.data), `${dtype} ${M}x${N}x${K} ${transB ? 'NT' : 'NN'} ${threads}T kc ${blocking?.kc ?? 'auto'}`).toEqual(Array.from(want.data));
              }
            }
            // Packed once, and given back with X.
            expect(kept.keptPackedBytes).toBeGreaterThan(0);
            kept.release(X);
            expect(kept.keptPackedBytes).toBe(0);
          }
        }
        kept.dispose();
        plain.dispose();
      }
    }
  });

  it('a kept matrix collected without release() gives back its packed forms', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const b = new WasmBackend({ threads: 1 });
    // X exists only in this scope: after it returns, nothing holds it.
    ((): void => {
      const X = b.allocate(700, 301, 'float64');
      X.data.set(random(700, 301, 'float64', 41).data);
      b.keepPacked(X);
      for (let r = 0; r < 2; r++) b.gemm(false, false, 1, random(20, 700, 'float64', 40), X, 0, Matrix.zeros(20, 301, 'float64'));
    })();
    expect(b.keptPackedBytes).toBeGreaterThan(0);
    for (let tries = 0; tries < 20 && b.keptPackedBytes > 0; tries++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(b.keptPackedBytes).toBe(0);
    b.dispose();
  });

  it('refuses a fewRowsB that is neither way', () => {
    expect(() => new WasmBackend({ fewRowsB: 'sideways' as 'packed' })).toThrow("wasm backend: fewRowsB is 'in-place' or 'packed' (got sideways)");
  });
});

describe('wasm threads', () => {
  it('1, 2 and 4 threads give bit-identical products in every transpose combination', async () => {
    const results: Record<string, number[][]> = {};
    for (const threads of [1, 2, 4]) {
      const b = new WasmBackend({ threads });
      await b.ready();
      for (const dtype of ['float64', 'float32'] as const) {
        for (const [tA, tB] of COMBOS) {
          for (const [M, N, K] of [[23, 301, 700], [2003, 41, 30]]) {
            const A = tA ? random(K, M, dtype, 11) : random(M, K, dtype, 11);
            const B = tB ? random(N, K, dtype, 12) : random(K, N, dtype, 12);
            // A wide C is split across threads by columns, a tall one (2003 x 41) by rows; alpha 1
            // and beta 0 write tiles straight into C, other values through a scratch tile.
            for (const [alpha, beta] of [[0.25, 0.5], [1, 0]] as const) {
              const C = random(M, N, dtype, 13);
              b.gemm(tA, tB, alpha, A, B, beta, C);
              (results[`${dtype}${tA}${tB} ${M}x${N} ${alpha}`] ??= []).push(Array.from(C.data));
            }
          }
        }
      }
      b.dispose();
    }
    expect(Object.keys(results)).toHaveLength(2 * 4 * 2 * 2);
    for (const [key, [one, two, four]] of Object.entries(results)) {
      expect(two, key).toEqual(one);
      expect(four, key).toEqual(one);
    }
  });

  it('the workers take part in large products', async () => {
    const b = new WasmBackend({ threads: 2 });
    await b.ready();
    const { A, B, C0 } = gemmCase('float32', 20, 600, 2000, false, false, 1, 0);
    // On a busy machine a worker may wake late, so give it many products (but stop at its first chunk).
    for (let n = 0; n < 500 && b.chunksByThread()[1] === 0; n++) b.gemm(false, false, 1, A, B, 0, C0);
    expect(b.chunksByThread()).toHaveLength(2);
    expect(b.chunksByThread()[1]).toBeGreaterThan(0);
    b.dispose();
  });

  it('worker 1 warms the kernels in a scratch of its own, given back at dispose once it is done, and never while in use', async () => {
    const b = new WasmBackend({ threads: 2 });
    const empty = b.heap.allocatedBytes;
    await b.ready();
    const pool = b['pool']!;
    const team = b.heap.allocatedBytes - empty;
    // The control block (a few hundred bytes) and the scratch: two 32 x 256 float64 operands, C and the work.
    expect(team).toBeGreaterThan(2 * 32 * 256 * 8);
    await vi.waitFor(() => expect(pool.warmed).toBe(true), { timeout: 10_000, interval: 5 });
    const { A, B, C0 } = gemmCase('float64', 20, 300, 200, false, false, 1, 0);
    const want = C0.clone();
    wasm.gemm(false, false, 1, A, B, 0, want);
    const got = C0.clone();
    b.gemm(false, false, 1, A, B, 0, got);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    b.dispose();
    expect(b.heap.allocatedBytes).toBe(empty);
    // Disposed before its worker could start: the scratch stays allocated, so no block made later
    // lies where a worker being terminated may still write.
    const early = new WasmBackend({ threads: 2 });
    const none = early.heap.allocatedBytes;
    early['threadPool']();
    expect(early.heap.allocatedBytes - none).toBe(team);
    early.dispose();
    const kept = early.heap.allocatedBytes - none;
    expect(kept).toBeGreaterThan(2 * 32 * 256 * 8);
    expect(kept).toBeLessThan(team);
  });

  it('a thread that starts while a product runs joins it, with the same bits', () => {
    // The team is made by this very product (no ready() first): its worker boots while the caller
    // computes, and takes the chunks still unclaimed (a process that trains before its threads are
    // up, as `deepnet train` does). About 0.4 s of work on one thread, several times a worker's start.
    const X = random(12288, 600, 'float64', 41);
    const want = Matrix.zeros(600, 600);
    new WasmBackend({ threads: 1 }).gemm(true, false, 1, X, X, 0, want);
    const b = new WasmBackend({ threads: 2 });
    const Xr = b.allocate(12288, 600, 'float64');
    Xr.data.set(X.data);
    const got = b.allocate(600, 600, 'float64');
    b.gemm(true, false, 1, Xr, Xr, 0, got);
    expect(b.chunksByThread()[1]).toBeGreaterThan(0);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    b.dispose();
  });

  it("worker 1's warm-up writes nowhere outside its scratch", async () => {
    const b = new WasmBackend({ threads: 2 });
    const before = b.allocate(1, 4096, 'float64');
    before.data.fill(7);
    b['threadPool']();
    // The blocks made next lie right after the scratch (filled before the worker starts).
    const after = b.allocate(1, 4096, 'float64');
    after.data.fill(7);
    await b.ready();
    await vi.waitFor(() => expect(b['pool']!.warmed).toBe(true), { timeout: 10_000, interval: 5 });
    const warm = b['pool']!['warm']!;
    const end = warm.work + b.heap.kernels.gemmWorkBytes(warm.rows, warm.cols, 8, warm.kc);
    expect(after.data.byteOffset - end).toBeGreaterThanOrEqual(0);
    expect(after.data.byteOffset - end).toBeLessThan(128);
    expect(before.data.every((v) => v === 7)).toBe(true);
    expect(after.data.every((v) => v === 7)).toBe(true);
    b.dispose();
  });

  it('changing the thread count, or using the backend after dispose(), starts a fresh team', async () => {
    const b = new WasmBackend({ threads: 2 });
    const { A, B, C0 } = gemmCase('float32', 20, 400, 300, true, false, 1, 0);
    const want = C0.clone();
    wasm.gemm(true, false, 1, A, B, 0, want);
    for (const threads of [3, 1, 2]) {
      b.setThreads(threads);
      await b.ready();
      const got = C0.clone();
      b.gemm(true, false, 1, A, B, 0, got);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
      expect(b.chunksByThread()).toHaveLength(threads === 1 ? 0 : threads);
    }
    b.dispose();
    const again = C0.clone();
    b.gemm(true, false, 1, A, B, 0, again);
    expect(Array.from(again.data)).toEqual(Array.from(want.data));
    b.dispose();
  });

  it('a chunk that traps in any thread is an error, not a hang, and the team works on after it', async () => {
    const b = new WasmBackend({ threads: 2 });
    await b.ready();
    const pool = (b as unknown as { threadPool(): ThreadPool }).threadPool();
    // Real operands and work space, but C's address is past the end of the memory: every chunk,
    // on whichever thread, traps when it writes its tile.
    const block = b.heap.alloc(1 << 16);
    const job = {
      chunks: 8, chunkCols: 8, N: 64, elementBytes: 8, transB: 0, M: 5, K: 4, alpha: 1, ap: block, b: block, ldb: 64,
      beta: 0, c: b.heap.buffer.byteLength, ldc: 64, work: block + 4096, workStride: 4096, rowChunk: 5, rowChunks: 1, kc: 512,
      packGroups: 0, packPanels: 1, transA: 0, a: block, lda: 4,
    };
    expect(() => pool.run(job)).toThrow('a 5 x 64 product failed in a kernel thread');
    b.heap.release(block);
    const { A, B, C0 } = gemmCase('float64', 20, 600, 300, false, false, 1, 0);
    const want = C0.clone();
    ref.gemm(false, false, 1, A, B, 0, want);
    b.gemm(false, false, 1, A, B, 0, C0);
    expect(Array.from(C0.data)).toEqual(Array.from(want.data));
    b.dispose();
  });

  it('no thread claims a block past the last: a slow one can never take the next product\'s block under this one\'s number', async () => {
    const b = new WasmBackend({ threads: 3 });
    await b.ready();
    const pool = (b as unknown as { threadPool(): ThreadPool }).threadPool();
    const claimWord = () => (pool as unknown as { i32: Int32Array }).i32[1]!;
    // Products of 6 and then 16 blocks: after each, the claim counter stops at exactly its block
    // count. One claim past it would let a thread paused there read the next product's
    // parameters, compute a block twice and count it done twice, so the caller would copy C out
    // while a block is still being written (an intermittently wrong number).
    for (const [M, N, K] of [[20, 600, 100], [10, 8192, 16], [2003, 41, 30]] as const) {
      const { A, B, C0, want } = gemmCase('float64', M, N, K, false, false, 0.5, 1);
      for (let n = 0; n < 20; n++) {
        const C = C0.clone();
        b.gemm(false, false, 0.5, A, B, 1, C);
        expect(Array.from(C.data)).toEqual(Array.from(want.data));
        const chunks = (pool as unknown as { params: Float64Array }).params[0]!;
        expect(claimWord() & 0xffff, `${M} x ${N}: blocks claimed`).toBe(chunks);
      }
    }
    b.dispose();
  });

  it("the claim word is closed before a job's parameters are written: a thread paused between its read of the claim word and its claim cannot take a block of the next product", async () => {
    const b = new WasmBackend({ threads: 2 });
    await b.ready();
    const pool = (b as unknown as { threadPool(): ThreadPool }).threadPool() as unknown as { i32: Int32Array; params: Float64Array };
    const { A, B, C0, want } = gemmCase('float64', 20, 600, 100, false, false, 1, 0);
    const C = C0.clone();
    b.gemm(false, false, 1, A, B, 0, C);
    // What a paused thread of this product read last: the claim word with every block claimed.
    const stale = pool.i32[1]!;
    const stalePack = pool.i32[6]!; // the claim word of A's panels, the job's first step
    // The next product's parameters, watched as run() writes them: at the first write the claim
    // word must already refuse a compare-exchange from `stale` (the old order wrote them first).
    const params = pool.params;
    const seen: number[] = [];
    pool.params = new Proxy(params, {
      set(target, key, value) {
        if (key === '0') seen.push(Atomics.compareExchange(pool.i32, 1, stale, stale + 1), Atomics.compareExchange(pool.i32, 6, stalePack, stalePack + 1));
        return Reflect.set(target, key, value);
      },
      get(target, key) {
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const C2 = C0.clone();
    b.gemm(false, false, 1, A, B, 0, C2);
    pool.params = params;
    expect(seen).toHaveLength(2);
    expect(seen[0], 'the claim word still took the stale claim').not.toBe(stale);
    expect(seen[1], "the panels' claim word still took the stale claim").not.toBe(stalePack);
    expect(Array.from(C2.data)).toEqual(Array.from(want.data));
    b.dispose();
  });

  it('a threaded product matches the reference', async () => {
    const b = new WasmBackend({ threads: 2 });
    await b.ready();
    const { A, B, C0 } = gemmCase('float64', 20, 600, 300, false, true, 1 / 209, 0);
    const want = C0.clone();
    ref.gemm(false, true, 1 / 209, A, B, 0, want);
    b.gemm(false, true, 1 / 209, A, B, 0, C0);
    expect(Array.from(C0.data)).toEqual(Array.from(want.data));
    b.dispose();
  });
});

describe('wasm gemm blocking', () => {
  // Odd sizes on both sides of the k-blocks and chunks; the last two are large enough to be split
  // across threads (by columns, and by rows for the tall one).
  const shapes: [number, number, number][] = [[7, 9, 5], [37, 53, 71], [13, 611, 45], [23, 301, 700], [2003, 41, 30]];
  const blockings: GemmBlocking[] = [
    { kc: 256, chunkCols: 128 },
    { kc: 7, chunkCols: 8 },
    { kc: 64, chunkCols: 24 },
    { kc: 333, chunkCols: 13 },
    { kc: 512, chunkCols: 512 },
  ];
  const abs: [number, number][] = [[1, 0], [0.25, 0.5], [-1.5, 1]];

  it('every blocking, on 1 and 2 threads, gives bit-identical C in every transpose, f32 and f64', async () => {
    const want = new Map<string, Uint8Array>();
    let products = 0;
    for (const blocking of blockings) {
      for (const threads of [1, 2]) {
        const b = new WasmBackend({ threads, blocking });
        await b.ready();
        for (const dtype of ['float64', 'float32'] as const) {
          for (const [tA, tB] of COMBOS) {
            for (const [M, N, K] of shapes) {
              const A = tA ? random(K, M, dtype, 21) : random(M, K, dtype, 21);
              const B = tB ? random(N, K, dtype, 22) : random(K, N, dtype, 22);
              for (const [alpha, beta] of abs) {
                const C = random(M, N, dtype, 23);
                b.gemm(tA, tB, alpha, A, B, beta, C);
                const key = `${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}x${N}x${K} alpha ${alpha} beta ${beta}`;
                // Compared as bytes: the same bits, -0 and NaN included (and fast on 80,000 elements).
                const got = new Uint8Array(C.data.buffer.slice(C.data.byteOffset, C.data.byteOffset + C.data.byteLength));
                const first = want.get(key);
                if (first === undefined) want.set(key, got);
                else expect(Buffer.compare(got, first), `${key}, kc ${blocking.kc}, chunk ${blocking.chunkCols}, ${threads} threads`).toBe(0);
                products++;
              }
            }
          }
        }
        b.dispose();
      }
    }
    expect(products).toBe(blockings.length * 2 * 2 * COMBOS.length * shapes.length * abs.length);
  });

  it('a blocking that cannot advance is refused', () => {
    expect(() => new WasmBackend({ blocking: { kc: 0, chunkCols: 8 } })).toThrow('blocking needs whole kc and chunkCols of at least 1');
    expect(() => new WasmBackend({ blocking: { kc: 16, chunkCols: 2.5 } })).toThrow(RangeError);
  });

  it('the processor\'s blocking is calibrated once per element size and is one of its candidates', () => {
    const b = new WasmBackend({ threads: 1 });
    for (const s of [4, 8]) {
      const chosen = gemmBlocking(b.heap, s);
      expect(gemmBlocking(b.heap, s)).toBe(chosen);
      const cal = calibrations().find((c) => c.elementBytes === s)!;
      expect(cal.trials.some((t) => t.kc === chosen.kc && t.chunkCols === chosen.chunkCols)).toBe(true);
      for (const t of cal.trials) expect(t.gflops).toBeGreaterThan(0);
    }
    expect(calibrations()).toHaveLength(2);
    b.dispose();
  });
});

const ACTS: ActivationKernel[] = [sigmoid, tanh, relu, leakyRelu(0.01), leakyRelu(0.2), linear];
const SIZES: [number, number][] = [
  [1, 1],
  [3, 5],
  [7, 9],
  [20, 209],
];

/** Values that stress the activations: zeros of both signs, huge, tiny, NaN, infinities and ordinary ones. */
function extremes(rows: number, cols: number, dtype: DType, seed: number): Matrix {
  const M = random(rows, cols, dtype, seed, 5);
  const special = [0, -0, 1000, -1000, 1e-300, -1e-300, 40, -40, 745, -745, 1e30, -1e30, NaN, Infinity, -Infinity];
  for (let t = 0; t < M.data.length; t += 3) M.data[t] = special[(t / 3) % special.length]!;
  return M;
}

describe('wasm elementwise kernels vs reference (bit-identical)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: addBias, rowSums, axpy`, () => {
      for (const [r, c] of SIZES) {
        const Z = random(r, c, dtype, 21);
        const b = random(r, 1, dtype, 22);
        const want = Z.clone();
        ref.addBias(want, b);
        const got = Z.clone();
        wasm.addBias(got, b);
        expect(Array.from(got.data)).toEqual(Array.from(want.data));

        const sWant = Matrix.zeros(r, 1, dtype);
        const sGot = Matrix.zeros(r, 1, dtype);
        ref.rowSums(Z, 1 / c, sWant);
        wasm.rowSums(Z, 1 / c, sGot);
        expect(Array.from(sGot.data)).toEqual(Array.from(sWant.data));

        for (const alpha of [-0.0075, 1, -1e-300, 3.5]) {
          const Y1 = random(r, c, dtype, 23);
          const Y2 = Y1.clone();
          ref.axpy(alpha, Z, Y1);
          wasm.axpy(alpha, Z, Y2);
          expect(Array.from(Y2.data)).toEqual(Array.from(Y1.data));
        }
      }
    });

    for (const act of ACTS) {
      it(`${dtype}: ${act.name}${act.slope ? ` (slope ${act.slope})` : ''} forward and backward, extreme values`, () => {
        for (const [r, c] of SIZES) {
          const Z = extremes(r, c, dtype, 31);
          const dA = random(r, c, dtype, 32, 3);
          const A1 = Matrix.zeros(r, c, dtype);
          const A2 = Matrix.zeros(r, c, dtype);
          ref.activationForward(act, Z, A1);
          wasm.activationForward(act, Z, A2);
          expectClose(A2, A1, dtype === 'float64' ? 1e-12 : 1e-5, relativeBound(A1));
          expect(Array.from(A2.data)).toEqual(Array.from(A1.data));

          const dZ1 = Matrix.zeros(r, c, dtype);
          const dZ2 = Matrix.zeros(r, c, dtype);
          ref.activationBackward(act, dA, Z, A1, dZ1);
          wasm.activationBackward(act, dA, Z, A1, dZ2);
          expectClose(dZ2, dZ1, dtype === 'float64' ? 1e-12 : 1e-5, relativeBound(dZ1));
        }
      });
    }
  }

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: biasActivationForward equals addBias then activationForward, on both backends`, () => {
      for (const act of ACTS) {
        for (const [r, c] of SIZES) {
          const Z = extremes(r, c, dtype, 51);
          const b = random(r, 1, dtype, 52, 2);
          const Zwant = Z.clone();
          const Awant = Matrix.zeros(r, c, dtype);
          ref.addBias(Zwant, b);
          ref.activationForward(act, Zwant, Awant);
          for (const backend of [ref, wasm]) {
            const Zgot = Z.clone();
            const Agot = Matrix.zeros(r, c, dtype);
            backend.biasActivationForward(act, Zgot, b, Agot);
            const what = `${backend.name} ${act.name} ${r}x${c}`;
            expect(Array.from(Zgot.data), what).toEqual(Array.from(Zwant.data));
            expect(Array.from(Agot.data), what).toEqual(Array.from(Awant.data));
          }
        }
      }
    });
  }

  it('an activation the kernels do not know runs its scalar g and dg', () => {
    const softplus: ActivationKernel = {
      name: 'softplus',
      slope: 0,
      g: (z) => Math.log1p(Math.exp(z)),
      dg: (z) => 1 / (1 + Math.exp(-z)),
    };
    const Z = random(3, 4, 'float64', 41);
    const A1 = Matrix.zeros(3, 4);
    const A2 = Matrix.zeros(3, 4);
    ref.activationForward(softplus, Z, A1);
    wasm.activationForward(softplus, Z, A2);
    expect(A2.toArray()).toEqual(A1.toArray());
    const b = random(3, 1, 'float64', 42);
    const [Z1, Z2] = [Z.clone(), Z.clone()];
    ref.biasActivationForward(softplus, Z1, b, A1);
    wasm.biasActivationForward(softplus, Z2, b, A2);
    expect(Z2.toArray()).toEqual(Z1.toArray());
    expect(A2.toArray()).toEqual(A1.toArray());
  });
});

describe('wasm resident matrices', () => {
  it('allocate() gives zeroed matrices the kernels use in place, mixed freely with plain ones', () => {
    const b = new WasmBackend();
    const W = b.allocate(4, 6, 'float32');
    expect(Array.from(W.data)).toEqual(new Array(24).fill(0));
    expect(b.isResident(W)).toBe(true);
    W.data.set(random(4, 6, 'float32', 51).data);
    const X = random(6, 5, 'float32', 52);
    const Zres = b.allocate(4, 5, 'float32');
    const Zref = Matrix.zeros(4, 5, 'float32');
    b.gemm(false, false, 1, W, X, 0, Zres);
    ref.gemm(false, false, 1, W, X, 0, Zref);
    expectClose(Zres, Zref, 1e-5, gemmBound(false, false, 1, W, X, 0, Zref));
    b.axpy(-0.5, Zres, Zref);
    b.release(W);
    b.release(Zres);
    b.dispose();
  });

  it('released blocks are reused, so a steady loop does not grow the heap', () => {
    const b = new WasmBackend();
    const sizes = [1000, 50, 7, 12288 * 20];
    for (const n of sizes) b.release(b.allocate(n, 1, 'float64'));
    const high = b.heap.memory.buffer.byteLength;
    for (let round = 0; round < 50; round++) {
      const Ms = sizes.map((n) => b.allocate(n, 1, round % 2 ? 'float32' : 'float64'));
      for (const M of Ms.reverse()) b.release(M);
    }
    expect(b.heap.memory.buffer.byteLength).toBe(high);
    expect(b.heap.allocatedBytes).toBe(0);
    b.dispose();
  });
});

describe('wasm on a plain (not shared) memory, as in a page without cross-origin isolation', () => {
  it('computes the same bits on one thread, growing its memory as needed, with nothing resident', () => {
    const b = new WasmBackend({ sharedMemory: false, threads: 4 });
    expect(b.heap.shared).toBe(false);
    expect(b.isResident(b.allocate(2, 2, 'float64'))).toBe(false);
    for (const [M, N, K] of [[3, 5, 4], [20, 300, 2000], [7, 9, 11]] as const) {
      const { A, B, C0 } = gemmCase('float64', M, N, K, false, true, 0.5, 1);
      const want = C0.clone();
      wasm.gemm(false, true, 0.5, A, B, 1, want);
      b.gemm(false, true, 0.5, A, B, 1, C0);
      expect(Array.from(C0.data)).toEqual(Array.from(want.data));
    }
    const Z = random(20, 209, 'float32', 61);
    const A1 = Matrix.zeros(20, 209, 'float32');
    const A2 = Matrix.zeros(20, 209, 'float32');
    wasm.activationForward(relu, Z, A1);
    b.activationForward(relu, Z, A2);
    expect(Array.from(A2.data)).toEqual(Array.from(A1.data));
    b.dispose();
  });
});
