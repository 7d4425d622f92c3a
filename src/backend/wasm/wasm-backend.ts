import { Matrix, type DType, type Storage } from '../../matrix.js';
import type { ActivationKernel, Backend } from '../backend.js';
import { MAX_PAGES } from './binary.js';
import { blockingCandidates, gemmBlocking, type GemmBlocking } from './blocking.js';
import { B_IN_PLACE, B_PACKED, B_PREPACKED, B_SYMMETRIC, B_TRANSPOSED, roundUp, WasmHeap } from './heap.js';
import { MAX_THREADS } from '../threads.js';
import { ThreadPool, workersAvailable } from './pool.js';

// Activation codes of kernels.as; an activation not listed runs its scalar g/dg in JS instead.
const KIND: Record<string, number> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4 };
// Below this many multiply-adds a product is not worth handing to the workers (they watch for a
// job a moment before sleeping, pool.ts): 8 x 150 x 128 was 1.4x faster on two threads, 20 x 209 x
// 40 1.1x; one thread below.
const PARALLEL_MIN_MACS = 1 << 17;
// Below as many, a product takes well under a millisecond whatever its blocking: no calibration.
const CALIBRATE_MIN_MACS = 1 << 20;
const SMALL_BLOCKING: GemmBlocking = { kc: 256, chunkCols: 256 };
const SMALL_CANDIDATES: readonly GemmBlocking[] = [SMALL_BLOCKING];
// gemm may read B in place, unpacked, for products of at most this many rows, whose B rows are at
// most this many bytes long (see gemm).
const IN_PLACE_MAX_ROWS = 32;
const IN_PLACE_MAX_ROW_BYTES = 2048;
// ... and, unless the backend is told which way, in place for a B of at most this many bytes.
const SMALL_B_BYTES = 64 << 10;
// Xᵀ·X computes only its upper triangle from this size on (see gemm).
const SYMMETRIC_MIN = 32;
// Columns per chunk at most where the blocking does not bound them (see gemm).
const MAX_CHUNK = 512;
// Bytes of packed B that a backend keeps at most for matrices marked keepPacked (training's X: its
// two packed forms take about twice its size, 46 MB for the cat data in float64). Memory estimates
// (nn/memory.ts) do not count them, so they stay small beside any bound a job runs under; a larger
// X is packed per product, as before.
const KEPT_PACKED_MAX_BYTES = 64 << 20;
// Staging kept between calls at most; a training step of the cat network stages a few MB.
const STAGE_KEEP_BYTES = 64 << 20;
/** A kept matrix's packed op(B) for one transpose and k-block: products that asked for it, and its block once made. */
interface PackedForm {
  uses: number;
  bytes: number;
  ptr?: number;
}
/** A resident matrix's block in the memory, and its packed forms once marked keepPacked (by "transB:kc"). */
interface Block {
  ptr: number;
  forms?: Map<string, PackedForm>;
}
// A backend dropped without dispose() still stops its workers (which hold its memory) when collected.
const pools = new FinalizationRegistry<ThreadPool>((pool) => pool.dispose());

/**
 * The fast backend: WebAssembly SIMD kernels (kernels.as) over one shared memory, with large
 * products split by columns of C across worker threads.
 *
 * Matrices from `allocate()` live in that memory and are used in place. Any other matrix is copied
 * in (and out, for outputs) around each call, which is correct but costs a pass over its data:
 * the training loop keeps X, Y and the parameters here for a whole run (nn/train.ts).
 */
export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly maxBytes = MAX_PAGES * 65536;
  readonly keptPackedMaxBytes = KEPT_PACKED_MAX_BYTES;
  readonly heap: WasmHeap;
  // A resident matrix collected without release() gives back its block and any packed forms of it.
  private readonly finalizer = new FinalizationRegistry<Block>((block) => this.freeBlock(block));
  private pool: ThreadPool | undefined;
  private wantThreads = defaultThreads();
  /** One block reused by every call for copies of non-resident operands and gemm's packing. */
  private stage = { ptr: 0, size: 0, used: 0 };
  private readonly copyOut: { M: Matrix; ptr: number }[] = [];
  /** gemm's blocking when fixed by the caller; else the processor's (blocking.ts). */
  /** [the blocking the backend was given], its only candidate; undefined: the processor's. */
  private readonly ownBlocking: readonly GemmBlocking[] | undefined;
  /** Blocks of resident matrices; those marked keepPacked hold their packed forms. */
  private readonly blocks = new WeakMap<Storage, Block>();
  private keptBytes = 0;
  /** How products of 2 to 32 rows read B: packed, in place, or (undefined) in place when B is small (see gemm). */
  private readonly fewRowsB: 'in-place' | 'packed' | undefined;

  /**
   * `threads` defaults to the machine's cores (at most 8): results do not depend on it.
   * `sharedMemory: false` runs as in a page without SharedArrayBuffer: one thread, every matrix copied.
   * `blocking` fixes gemm's blocking instead of the processor's (blocking.ts); `fewRowsB` has
   * products of 2 to 32 rows read B unpacked ('in-place': faster on some processors, see gemm) or
   * packed ('packed'), where by default only a small B is read unpacked: results depend on neither.
   */
  constructor(options: { threads?: number; sharedMemory?: boolean; blocking?: GemmBlocking; fewRowsB?: 'in-place' | 'packed' } = {}) {
    const bl = options.blocking;
    // A k-block of 0 would never advance: the kernels' loop over k would not end.
    if (bl && !(Number.isInteger(bl.kc) && bl.kc >= 1 && Number.isInteger(bl.chunkCols) && bl.chunkCols >= 1)) {
      throw new RangeError(`wasm backend: blocking needs whole kc and chunkCols of at least 1 (got kc ${bl.kc}, chunkCols ${bl.chunkCols})`);
    }
    this.ownBlocking = bl && [bl];
    if (options.fewRowsB !== undefined && options.fewRowsB !== 'in-place' && options.fewRowsB !== 'packed') {
      throw new RangeError(`wasm backend: fewRowsB is 'in-place' or 'packed' (got ${String(options.fewRowsB)})`);
    }
    this.fewRowsB = options.fewRowsB;
    this.heap = new WasmHeap(options.sharedMemory);
    if (options.threads !== undefined) this.setThreads(options.threads);
  }

  get threads(): number {
    return this.wantThreads;
  }

  /**
   * The threads large products run on: `threads`, less workers that failed to start (a page whose
   * Content-Security-Policy forbids blob: workers), or 1 where no worker can share the work (a
   * plain memory, or a page's main thread, which may not block waiting for workers).
   */
  get activeThreads(): number {
    if (!this.heap.shared || !workersAvailable()) return 1;
    return this.pool?.liveThreads ?? this.wantThreads;
  }

  /** Threads for large products (the caller's plus workers); results do not depend on it. */
  setThreads(threads: number): void {
    const n = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
    if (n === this.wantThreads && (this.pool === undefined || this.pool.threads === n)) return;
    pools.unregister(this);
    this.pool?.dispose();
    this.pool = undefined;
    this.wantThreads = n;
  }

  allocate(rows: number, cols: number, dtype: DType): Matrix {
    // A plain memory detaches its views when it grows: there, matrices stay in JS and are copied.
    if (!this.heap.shared) return Matrix.zeros(rows, cols, dtype);
    const n = rows * cols;
    const bytes = n * (dtype === 'float32' ? 4 : 8);
    const ptr = this.heap.allocZeroed(bytes);
    const data = dtype === 'float32' ? new Float32Array(this.heap.buffer, ptr, n) : new Float64Array(this.heap.buffer, ptr, n);
    const block: Block = { ptr };
    this.blocks.set(data, block);
    this.finalizer.register(data, block, data);
    return new Matrix(rows, cols, data);
  }

  release(M: Matrix): void {
    const block = this.blocks.get(M.data);
    if (block === undefined) return;
    this.blocks.delete(M.data);
    this.finalizer.unregister(M.data);
    this.freeBlock(block);
  }

  /** Gives back a matrix's block and the packed forms made of it. */
  private freeBlock(block: Block): void {
    this.freeForms(block);
    this.heap.release(block.ptr);
  }

  private freeForms(block: Block): void {
    for (const f of block.forms?.values() ?? []) {
      if (f.ptr === undefined) continue;
      this.heap.release(f.ptr);
      this.keptBytes -= f.bytes;
    }
    block.forms = undefined;
  }

  /** M stays, unmarked: its packed forms are given back (a training run over data that outlive it). */
  forgetPacked(M: Matrix): void {
    const block = this.blocks.get(M.data);
    if (block) this.freeForms(block);
  }

  /**
   * M (resident) stays unchanged until released: a product with M as its B (not transposed, or
   * transposed) packs it once, whole, and later ones read that (training's W1·X and dZ1·Xᵀ: the
   * packing of X was a third of their time). The same bits as packing it per product. Released
   * with M; within KEPT_PACKED_MAX_BYTES, beyond which B is packed per product as before.
   */
  keepPacked(M: Matrix): void {
    const block = this.blocks.get(M.data);
    if (block) block.forms ??= new Map();
  }

  /** Bytes held by the packed forms of matrices marked keepPacked. */
  get keptPackedBytes(): number {
    return this.keptBytes;
  }

  /**
   * The packed form of kept B as op(B) (K x N) in k-blocks of kc, made at its second product, not
   * its first: a product made once (the Gram form's C0 = W0·X) costs the same either way and would
   * only hold memory. Undefined until then, and over the bound or where the memory is full.
   */
  private packedB(forms: Map<string, PackedForm>, B: Matrix, transB: boolean, K: number, N: number, s: number, kc: number): number | undefined {
    const key = `${transB ? 1 : 0}:${kc}`;
    let form = forms.get(key);
    if (!form) forms.set(key, (form = { uses: 0, bytes: Math.ceil(K / kc) * Math.ceil(N / (32 / s)) * kc * 32 }));
    if (form.ptr !== undefined || ++form.uses < 2 || this.keptBytes + form.bytes > KEPT_PACKED_MAX_BYTES) return form.ptr;
    try {
      form.ptr = this.heap.alloc(form.bytes);
    } catch {
      // No room in the memory: this product and the later ones pack B themselves, as any other.
      form.bytes = Infinity;
      return undefined;
    }
    const k = this.heap.kernels;
    (s === 4 ? k.packWhole32 : k.packWhole64)(transB ? 1 : 0, this.blocks.get(B.data)!.ptr, B.cols, K, N, kc, form.ptr);
    this.keptBytes += form.bytes;
    return form.ptr;
  }

  /** Whether M's storage is in this backend's memory (so kernels use it without a copy). */
  isResident(M: Matrix): boolean {
    return this.blocks.has(M.data);
  }

  /** Resolves when the worker threads are running (kernels work before that, on fewer threads). */
  ready(): Promise<void> {
    return this.heap.shared && this.wantThreads > 1 ? this.threadPool().ready() : Promise.resolve();
  }

  /** Chunks of large products computed by each thread so far (0 = the calling thread). */
  chunksByThread(): number[] {
    return this.pool?.chunksBySlot() ?? [];
  }

  /** Workers stop and the staging block is given back; resident matrices stay valid. */
  dispose(): void {
    pools.unregister(this);
    this.pool?.dispose();
    this.pool = undefined;
    if (this.stage.size > 0) this.heap.release(this.stage.ptr);
    this.stage = { ptr: 0, size: 0, used: 0 };
  }

  // ------------------------------------------------------------------ kernels

  gemm(transA: boolean, transB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): void {
    const M = C.rows;
    const N = C.cols;
    const K = transA ? A.rows : A.cols;
    if (M === 0 || N === 0) return;
    const s = C.dtype === 'float32' ? 4 : 8;
    const k = this.heap.kernels;
    const mr = k.gemmPanelRows();
    const mPad = roundUp(M, mr);
    const small = M * N * K < CALIBRATE_MIN_MACS;
    const parallel = this.heap.shared && this.wantThreads > 1 && M * N * K >= PARALLEL_MIN_MACS;
    const threads = parallel ? this.wantThreads : 1;
    // Blocks of C: two per thread (a thread the OS pauses leaves half its share to the others).
    // A tall, narrow C (W1ᵀ·dZ1: 12288 x 209) is cut across its rows, so that each thread writes
    // whole rows and no cache line of C is written by two threads; anything else down its
    // columns. A block sweeps the smaller of its packed A and packed B once per panel of the
    // other, so that one must stay in L2: it is at most kc x maxChunk, the calibrated panel. A
    // block no taller than maxChunk sweeps its A and walks its B once, so it may be as wide as
    // MAX_CHUNK: narrower column blocks measured slower on W1·X (each reads a slice of every row
    // of X, and short slices waste lines).
    const nr = 32 / s;
    // The blocking: the backend's own, the small products' fixed one, or the processor's. The
    // processor's is calibrated (10-40 ms) only for a product that its candidates would cut
    // differently: the Gram form's K on two threads, C0 = W0·X and the cat's W1·X are cut the same
    // by all of them (their blocks are narrower than the narrowest panel, or as wide as MAX_CHUNK).
    const candidates = this.ownBlocking ?? (small ? SMALL_CANDIDATES : blockingCandidates(s));
    const { kc } = candidates[0]!;
    // A product of few rows (W1·X, the logistic unit's U·K) reads each packed strip of B only
    // mPad / 4 times, which may not pay for packing it. One row reads B where it lies (gemmRow,
    // row by row: 2.3x). More rows read it in place, strip by strip down B's rows, only when the
    // backend is made with fewRowsB 'in-place' and B's rows are short: W1·X in float32 was 1.2x
    // faster so on an EPYC Zen 4, 1.2-1.6x slower on a 2026 Xeon (2.4x at 10,000 columns, where
    // each step down a strip is a new page), and timing both ways on a process's first products
    // chose wrongly (their X was still in cache from its copy in). A B of at most SMALL_B_BYTES
    // (the cat network's A1, dZ2: a few KB, in cache) is read in place by default: packing it was
    // most of their cost, the small layers' products 1.05-1.2x faster so on Zen 3.
    // Xᵀ·X keeps its symmetric path; any other product with a B kept packed (training's X) reads
    // that, one row too (gemmRowPacked, three strips in order: the direct-form logistic unit's w·X
    // 4x and dZ·Xᵀ 3x faster in float64 than reading X's rows in place or packing it per product).
    const symmetricShape = transA && !transB && A === B && beta === 0 && M === N && M >= SYMMETRIC_MIN;
    const forms = K > 0 && !symmetricShape ? this.blocks.get(B.data)?.forms : undefined;
    const prepacked = forms && this.packedB(forms, B, transB, K, N, s, kc);
    const fewRows = prepacked === undefined && !transB && mPad <= IN_PLACE_MAX_ROWS && (M === 1 || N * s <= IN_PLACE_MAX_ROW_BYTES);
    const inPlaceB = fewRows && (M === 1 || this.fewRowsB === 'in-place' || (this.fewRowsB === undefined && K * N * s <= SMALL_B_BYTES));
    // Xᵀ·X (the Gram form's K) is symmetric bit for bit: C[i][j] and C[j][i] are the same products
    // (a·b = b·a exactly) summed in the same k order. Only the tiles on or above the diagonal are
    // computed and the rest mirrored: about half the work, in narrower column blocks so that the
    // threads' shares (which grow along the columns) stay even.
    const symmetric = symmetricShape && !inPlaceB;
    const cut = (maxChunk: number) => {
      const byRows = parallel && !symmetric && mPad > roundUp(N, nr) && N <= MAX_CHUNK && Math.min(K, kc) * N <= kc * maxChunk;
      const widest = mPad > maxChunk ? maxChunk : Math.max(maxChunk, MAX_CHUNK);
      // A block that packs its slice of B's rows (few rows of A, B not transposed) reads more of
      // each row the wider it is: one block per thread (W1·X on two threads 1.25x). With B kept
      // packed, one block per thread too: each then streams one run of every k-block's strips
      // (W1·X with X kept packed on two threads, 60 alternated in one process on a Xeon: f32
      // 1.50-1.52 -> 1.39-1.42 ms min, f64 3.07-3.32 -> 2.96-3.10).
      const perThread = symmetric ? 4 : !transB && mPad <= maxChunk ? 1 : 2;
      return {
        rowChunk: byRows ? roundUp(Math.ceil(M / (2 * threads)), mr) : mPad,
        chunkCols: byRows ? N : Math.min(widest, roundUp(Math.ceil(N / (threads === 1 ? 1 : perThread * threads)), nr)),
      };
    };
    // One candidate (a small product, a fixed blocking, or once calibrated): its cut, no comparing.
    let blocks = cut(candidates[0]!.chunkCols);
    for (let i = 1; i < candidates.length; i++) {
      const other = cut(candidates[i]!.chunkCols);
      if (candidates[i]!.kc !== kc || other.rowChunk !== blocks.rowChunk || other.chunkCols !== blocks.chunkCols) {
        blocks = cut(gemmBlocking(this.heap, s).chunkCols);
        break;
      }
    }
    const { rowChunk, chunkCols } = blocks;
    const rowChunks = Math.ceil(M / rowChunk);
    const chunks = rowChunks * Math.ceil(N / chunkCols);
    const workStride = roundUp(k.gemmWorkBytes(rowChunk, chunkCols, s, kc), 64);
    // Xᵀ·X reads op(A)'s full panels where X lies (kernels.as B_SYMMETRIC): only a partial last panel is packed.
    const packBytes = roundUp((symmetric ? (M % mr === 0 ? 0 : mr) : mPad) * K * s, 64);

    // One operand passed twice (Xᵀ·X) is copied in once.
    this.begin((A === B ? this.staged(A) : this.staged(A) + this.staged(B)) + this.staged(C) + packBytes + threads * workStride);
    const a = this.input(A);
    const b = A === B ? a : this.input(B);
    const c = beta === 0 ? this.output(C) : this.inout(C);
    const ap = this.take(packBytes);
    const work = this.take(threads * workStride);
    if (K === 0) {
      this.scale(C, c, beta);
    } else {
      // On threads, op(A)'s panels are packed by all of them, as the job's first step (pool.ts).
      const panels = mPad / mr;
      const packPanels = parallel ? Math.max(1, Math.ceil(panels / (4 * threads))) : panels;
      const packA = s === 4 ? k.packA32 : k.packA64;
      const full = Math.floor(M / mr);
      // Symmetric: the last rows of op(A) (X's last columns) as one zero-padded panel at ap.
      if (symmetric && full < panels) packA(1, M - full * mr, K, a + full * mr * s, A.cols, ap, 0, 1);
      else if (!symmetric && !parallel) packA(transA ? 1 : 0, M, K, a, A.cols, ap, 0, panels);
      const job = {
        packGroups: parallel && !symmetric ? Math.ceil(panels / packPanels) : 0, packPanels, transA: transA ? 1 : 0, a, lda: A.cols,
        chunks, chunkCols, N, elementBytes: s,
        transB: prepacked !== undefined ? B_PREPACKED : transB ? B_TRANSPOSED : inPlaceB ? B_IN_PLACE : symmetric ? B_SYMMETRIC : B_PACKED,
        M, K, alpha, ap, b: prepacked ?? b,
        // Prepacked: its strips per k-block, in ldb's place.
        ldb: prepacked !== undefined ? Math.ceil(N / nr) : B.cols, beta, c, ldc: N, work, workStride, rowChunk, rowChunks, kc,
      };
      if (parallel) this.threadPool().run(job);
      else {
        const gemmBlock = s === 4 ? k.gemmBlock32 : k.gemmBlock64;
        for (let j0 = 0; j0 < N; j0 += chunkCols) {
          for (let i0 = 0; i0 < M; i0 += rowChunk) {
            gemmBlock(job.transB, K, alpha, ap, job.b, job.ldb, beta, c, N, i0, Math.min(M, i0 + rowChunk), j0, Math.min(N, j0 + chunkCols), work, kc);
          }
        }
      }
      if (symmetric) mirrorUpper(s === 4 ? new Float32Array(this.heap.buffer, c, M * N) : new Float64Array(this.heap.buffer, c, M * N), M);
    }
    this.end();
  }

  addBias(Z: Matrix, b: Matrix): void {
    this.begin(this.staged(Z) + this.staged(b));
    const z = this.inout(Z);
    const bp = this.input(b);
    (Z.dtype === 'float32' ? this.heap.kernels.addBias32 : this.heap.kernels.addBias64)(z, bp, Z.rows, Z.cols);
    this.end();
  }

  activationForward(act: ActivationKernel, Z: Matrix, A: Matrix): void {
    const kind = KIND[act.name];
    if (kind === undefined) {
      for (let t = 0; t < Z.data.length; t++) A.data[t] = act.g(Z.data[t]!);
      return;
    }
    this.begin(this.staged(Z) + this.staged(A));
    const z = this.input(Z);
    const a = this.output(A);
    const k = this.heap.kernels;
    (Z.dtype === 'float32' ? k.activationForward32 : k.activationForward64)(kind, act.slope, z, a, Z.size);
    this.end();
  }

  biasActivationForward(act: ActivationKernel, Z: Matrix, b: Matrix, A: Matrix): void {
    const kind = KIND[act.name];
    if (kind === undefined) {
      this.addBias(Z, b);
      this.activationForward(act, Z, A);
      return;
    }
    this.begin(this.staged(Z) + this.staged(b) + this.staged(A));
    const z = this.inout(Z);
    const bp = this.input(b);
    const a = this.output(A);
    const k = this.heap.kernels;
    (Z.dtype === 'float32' ? k.biasActivation32 : k.biasActivation64)(kind, act.slope, z, bp, a, Z.rows, Z.cols);
    this.end();
  }

  activationBackward(act: ActivationKernel, dA: Matrix, Z: Matrix, A: Matrix, dZ: Matrix): void {
    const kind = KIND[act.name];
    if (kind === undefined) {
      for (let t = 0; t < dZ.data.length; t++) dZ.data[t] = dA.data[t]! * act.dg(Z.data[t]!, A.data[t]!);
      return;
    }
    this.begin(this.staged(dA) + this.staged(Z) + this.staged(A) + this.staged(dZ));
    const da = this.input(dA);
    const z = this.input(Z);
    const a = this.input(A);
    const dz = this.output(dZ);
    const k = this.heap.kernels;
    (dZ.dtype === 'float32' ? k.activationBackward32 : k.activationBackward64)(kind, act.slope, da, z, a, dz, dZ.size);
    this.end();
  }

  rowSums(M: Matrix, scale: number, out: Matrix): void {
    this.begin(this.staged(M) + this.staged(out));
    const m = this.input(M);
    const o = this.output(out);
    (M.dtype === 'float32' ? this.heap.kernels.rowSums32 : this.heap.kernels.rowSums64)(m, M.rows, M.cols, scale, o);
    this.end();
  }

  axpy(alpha: number, X: Matrix, Y: Matrix): void {
    this.begin(this.staged(X) + this.staged(Y));
    const x = this.input(X);
    const y = this.inout(Y);
    (Y.dtype === 'float32' ? this.heap.kernels.axpy32 : this.heap.kernels.axpy64)(alpha, x, y, Y.size);
    this.end();
  }

  // ------------------------------------------------------------------ staging

  private threadPool(): ThreadPool {
    if (!this.pool) {
      this.pool = new ThreadPool(this.heap, this.wantThreads);
      pools.register(this, this.pool, this);
    }
    return this.pool;
  }

  // Every kernel call passes through staged/begin/input/output/end, and a training loop's first
  // thousand or so run them in V8's interpreter: plain calls and indexed loops, no rest arguments or
  // iterators (each a few hundred ns there; the logistic unit's step makes a dozen such calls).

  /** The staging bytes a matrix needs: none when it lies in the heap already. */
  private staged(M: Matrix): number {
    return this.blocks.has(M.data) ? 0 : roundUp(M.data.byteLength, 64);
  }

  /** Starts a call that needs `bytes` of staging (the block only grows, to the largest call's need). */
  private begin(bytes: number): void {
    if (bytes > this.stage.size) {
      if (this.stage.size > 0) this.heap.release(this.stage.ptr);
      const size = roundUp(bytes, 1 << 16);
      this.stage = { ptr: this.heap.alloc(size), size, used: 0 };
    }
    this.stage.used = 0;
  }

  private take(bytes: number): number {
    const ptr = this.stage.ptr + this.stage.used;
    this.stage.used += roundUp(bytes, 64);
    return ptr;
  }

  private view(M: Matrix, ptr: number): Storage {
    const n = M.data.length;
    return M.dtype === 'float32' ? new Float32Array(this.heap.buffer, ptr, n) : new Float64Array(this.heap.buffer, ptr, n);
  }

  private input(M: Matrix): number {
    const ptr = this.blocks.get(M.data)?.ptr;
    if (ptr !== undefined) return ptr;
    const staged = this.take(M.data.byteLength);
    this.view(M, staged).set(M.data);
    return staged;
  }

  private output(M: Matrix): number {
    const ptr = this.blocks.get(M.data)?.ptr;
    if (ptr !== undefined) return ptr;
    const staged = this.take(M.data.byteLength);
    this.copyOut.push({ M, ptr: staged });
    return staged;
  }

  private inout(M: Matrix): number {
    const ptr = this.blocks.get(M.data)?.ptr;
    if (ptr !== undefined) return ptr;
    const staged = this.input(M);
    this.copyOut.push({ M, ptr: staged });
    return staged;
  }

  private end(): void {
    const out = this.copyOut;
    if (out.length > 0) {
      for (let i = 0; i < out.length; i++) out[i]!.M.data.set(this.view(out[i]!.M, out[i]!.ptr));
      out.length = 0;
    }
    // A staging block for one huge call (predict on a big X) is not kept for the small ones after.
    if (this.stage.size > STAGE_KEEP_BYTES) {
      this.heap.release(this.stage.ptr);
      this.stage = { ptr: 0, size: 0, used: 0 };
    }
  }

  /** C = beta C (a product over an empty k), beta = 0 ignoring C's contents. */
  private scale(C: Matrix, c: number, beta: number): void {
    const v = this.view(C, c);
    for (let t = 0; t < v.length; t++) v[t] = beta === 0 ? 0 : beta * v[t]!;
  }
}

/**
 * C[i][j] = C[j][i] below the diagonal of an M x M C. Its own function: V8 optimises a loop this
 * long (21,000 steps for the cat's K) where it runs, and gemm optimised then, knowing only the
 * product before the training loop, was thrown away at the loop's first products and optimised
 * again hundreds of iterations later.
 */
function mirrorUpper(v: Storage, M: number): void {
  for (let i = 1; i < M; i++) for (let j = 0; j < i; j++) v[i * M + j] = v[j * M + i]!;
}

/**
 * The cores this process may use (Node) or the browser reports, at most 8; 1 when unknown or where
 * no worker can run (a page's main thread, or a browser worker that is not cross-origin isolated).
 */
export function defaultThreads(): number {
  if (!workersAvailable()) return 1;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  const os = getBuiltin?.('node:os') as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? nav?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(8, Math.floor(n)));
}
