import { WasmBackend } from '../src/backend/wasm/wasm-backend.js';
import type { DType, Matrix } from '../src/matrix.js';
import { summarize, timeIt, type Timing } from './timing.js';

/** One product shape of the gemm table: C (M, N) = op(A) op(B) over K. */
export interface GemmShape {
  label: string;
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  /** B is A itself, as in training's K = Xᵀ·X (gemm then computes its upper triangle only). */
  sameOperand?: boolean;
  /** B is marked keepPacked, as training marks its X: packed once, then read packed by every product. */
  keptPacked?: boolean;
  /**
   * The label of the product a training step makes with the same X between two of these (W1·X and
   * dZ1·Xᵀ): both rows share one B, and each sample comes after TRAINING_STEPS of training's pairs
   * of them (untimed), ending with the other one: the caches then hold what a training loop keeps
   * in them (both packed forms of X), not what the rest of the table's round left there (up to
   * 100 MB of other operands, after which X is read from memory).
   */
  alternatesWith?: string;
}

/**
 * Training steps (a pair of products each) before each sample of an alternating row. After one,
 * the 10-20 MB of packed X were still partly out of cache on a 2026 Xeon (W1·X f32 3.0-3.4 ms);
 * after four, 2.8-3.0, as in a loop of 2000 steps.
 */
const TRAINING_STEPS = 4;

// The cat network's three big products, and the usual square reference point.
export const GEMM_SHAPES: GemmShape[] = [
  { label: 'W1·X (forward)', transA: false, transB: false, M: 20, N: 209, K: 12288 },
  { label: 'dZ1·Xᵀ (dW1)', transA: false, transB: true, M: 20, N: 12288, K: 209 },
  // The same two as a training run makes them after its first iteration: one X kept packed
  // (resident.ts), the two alternating as a training loop's steps do (alternatesWith).
  { label: 'W1·X, X packed', transA: false, transB: false, M: 20, N: 209, K: 12288, keptPacked: true, alternatesWith: 'dZ1·Xᵀ, X packed' },
  { label: 'dZ1·Xᵀ, X packed', transA: false, transB: true, M: 20, N: 12288, K: 209, keptPacked: true, alternatesWith: 'W1·X, X packed' },
  { label: 'W1ᵀ·dZ1 (dA0)', transA: true, transB: false, M: 12288, N: 209, K: 20 },
  // The Gram form's: K once per run, and U·K, its first layer's only product per iteration.
  // K is X's own Gram matrix (one operand, as gram.ts passes it): gemm computes the tiles on and
  // above the diagonal, about half the products; its GFLOP/s count the full product's.
  { label: 'Xᵀ·X (K)', transA: true, transB: false, M: 209, N: 209, K: 12288, sameOperand: true },
  // U·K reads K kept packed, as gram.ts keeps it (K never changes during a run).
  { label: 'U·K (Z1, Gram)', transA: false, transB: false, M: 20, N: 209, K: 209, keptPacked: true },
  { label: '1024³', transA: false, transB: false, M: 1024, N: 1024, K: 1024 },
  // The same square product transposed: packing absorbs the transposes, so the speed should not move.
  { label: '1024³', transA: false, transB: true, M: 1024, N: 1024, K: 1024 },
  { label: '1024³', transA: true, transB: false, M: 1024, N: 1024, K: 1024 },
  { label: '1024³', transA: true, transB: true, M: 1024, N: 1024, K: 1024 },
];

export interface GemmResult extends GemmShape, Timing {
  dtype: DType;
  threads: number;
  gflops: number;
}

/**
 * op(A), op(B) and C for `shape`, resident in the backend's memory, A and B filled with ordinary
 * values; B is `sharedB` when given (a training step's X, used by two rows).
 */
function operands(b: WasmBackend, shape: GemmShape, dtype: DType, sharedB?: Matrix) {
  const { M, N, K, transA, transB } = shape;
  const A = transA ? b.allocate(K, M, dtype) : b.allocate(M, K, dtype);
  const B = sharedB ?? (shape.sameOperand ? A : transB ? b.allocate(N, K, dtype) : b.allocate(K, N, dtype));
  const C = b.allocate(M, N, dtype);
  for (const X of new Set([A, ...(sharedB ? [] : [B])])) for (let t = 0; t < X.data.length; t++) X.data[t] = Math.sin(t) * 0.5;
  if (shape.keptPacked) {
    b.keepPacked(B);
    // The backend packs a kept matrix at its second product as B; these two make the packed form.
    for (let r = 0; r < 2; r++) b.gemm(transA, transB, 1, A, B, 0, C);
  }
  return { A, B, C };
}

/**
 * Times one product on resident matrices (no copies), `reps` times after a warm-up; each time is
 * over `batch` products, for clocks too coarse for one (a browser's is 0.1 ms).
 */
export async function benchGemm(shape: GemmShape, dtype: DType, threads: number, reps: number, batch = 1): Promise<GemmResult> {
  const b = new WasmBackend({ threads });
  await b.ready();
  const { M, N, K, transA, transB } = shape;
  const { A, B, C } = operands(b, shape, dtype);
  const batched = timeIt(() => {
    for (let r = 0; r < batch; r++) b.gemm(transA, transB, 1, A, B, 0, C);
  }, reps);
  const timing = { ...batched, minMs: batched.minMs / batch, medianMs: batched.medianMs / batch };
  for (const X of [A, B, C]) b.release(X);
  b.dispose();
  return { ...shape, ...timing, dtype, threads, gflops: (2 * M * N * K) / (timing.minMs * 1e6) };
}

/**
 * The gemm table, interleaved: every (dtype, threads, shape) row once per round, `rounds` rounds,
 * `between` awaited after each round (the peak's sample), so that a busy moment of a shared
 * machine slows one sample of every row rather than every sample of one row. Each sample is a
 * batch of products of about 20 million multiply-adds, timed per product.
 */
export async function benchGemmTable(
  shapes: GemmShape[],
  dtypes: DType[],
  threadCounts: number[],
  rounds: number,
  between: () => Promise<unknown>,
): Promise<GemmResult[]> {
  // One backend per (dtype, threads), as a training run has one: the X kept packed in float32 and
  // in float64 together would pass the kept-packed bound (KEPT_PACKED_MAX_BYTES), and the last
  // row's X would then be packed per product, as no training run's is.
  const backends = new Map<string, WasmBackend>();
  for (const dtype of dtypes) {
    for (const t of threadCounts) {
      const b = new WasmBackend({ threads: t });
      await b.ready();
      backends.set(`${dtype}:${t}`, b);
    }
  }
  const rows = dtypes.flatMap((dtype) =>
    threadCounts.flatMap((threads) => {
      const b = backends.get(`${dtype}:${threads}`)!;
      // Each row's B and product by label, for an alternating partner row to find.
      const made = new Map<string, { B: Matrix; product: () => void }>();
      const built = shapes.map((shape) => {
        const { M, N, K, transA, transB } = shape;
        const partner = shape.alternatesWith === undefined ? undefined : made.get(shape.alternatesWith);
        const { A, B, C } = operands(b, shape, dtype, partner?.B);
        const product = () => b.gemm(transA, transB, 1, A, B, 0, C);
        made.set(shape.label, { B, product });
        const batch = Math.max(1, Math.round(2e7 / (M * N * K)));
        const run = () => {
          for (let r = 0; r < batch; r++) product();
        };
        run();
        const owned = partner ? [A, C] : [A, B, C];
        return { shape, dtype, threads, product, run, batch, before: undefined as (() => void) | undefined, samples: [] as number[], release: () => owned.forEach((X) => b.release(X)) };
      });
      for (const row of built) {
        const other = row.shape.alternatesWith === undefined ? undefined : made.get(row.shape.alternatesWith);
        if (other)
          row.before = () => {
            for (let step = 0; step < TRAINING_STEPS; step++) {
              other.product();
              row.product();
            }
            other.product();
          };
      }
      return built;
    }),
  );
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) {
      row.before?.();
      const t0 = performance.now();
      row.run();
      row.samples.push((performance.now() - t0) / row.batch);
    }
    await between();
  }
  for (const row of rows) row.release();
  for (const b of backends.values()) b.dispose();
  return rows.map(({ shape, dtype, threads, samples }) => {
    const timing = summarize(samples);
    return { ...shape, ...timing, dtype, threads, gflops: (2 * shape.M * shape.N * shape.K) / (timing.minMs * 1e6) };
  });
}
