import type { Worker as NodeWorker } from 'node:worker_threads';
import { MAX_THREADS } from '../threads.js';
import { B_IN_PLACE, B_PACKED, B_PREPACKED, kernelsModule, type Kernels, type WasmHeap } from './heap.js';

// Workers are Node worker_threads, or Web Workers inside a cross-origin isolated worker scope,
// sharing the heap's memory. On a window's main thread (Atomics.wait is not allowed there, and the
// caller waits for its workers) or without a shared memory the calling thread does every chunk.
// No top-level await and no static import of a Node module, so browser bundles neither need nor
// wait for it. Node >= 20.16 hands the module over synchronously, so workers start even when the
// caller never yields (a synchronous training loop).
type WorkerThreads = typeof import('node:worker_threads');
let workerThreads: Promise<WorkerThreads | undefined> | undefined;
const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
function syncWorkerThreads(): WorkerThreads | undefined {
  const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  return get?.('node:worker_threads') as WorkerThreads | undefined;
}
function loadWorkerThreads(): Promise<WorkerThreads | undefined> {
  return (workerThreads ??= isNode ? import('node:worker_threads').catch(() => undefined) : Promise.resolve(undefined));
}

/** A browser worker scope that may block in Atomics.wait, start Web Workers and share memory with them. */
function webWorkerScope(): boolean {
  const g = globalThis as { Worker?: unknown; WorkerGlobalScope?: abstract new () => unknown; crossOriginIsolated?: boolean };
  return typeof g.Worker === 'function' && typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope && g.crossOriginIsolated === true;
}

/** Whether a pool here can have workers (Node, or a cross-origin isolated browser worker). */
export function workersAvailable(): boolean {
  return isNode || webWorkerScope();
}

// The control block: Int32 words, then the f64 parameters of the current job.
const GEN = 0; // job generation; workers sleep on it
const CLAIM = 1; // (generation << 16) | next chunk index
const DONE = 2; // chunks finished in the current job
const QUIT = 3;
const READY = 4; // workers that have instantiated the kernels
const FAILED = 5; // a chunk of the current job threw (a trap): run() reports it instead of waiting forever
const PACK_CLAIM = 6; // (generation << 16) | next group of A's panels to pack
const PACKED = 7; // groups of A's panels packed in the current job
const WARMED = 8; // 1 once the warming worker is done with its scratch (see WarmScratch)
const CHUNKS_BY_SLOT = 9; // per thread slot: chunks computed (statistics, for tests)
// A thread with nothing to do watches for the next job (or the last chunk) this long before it
// sleeps: a training loop's next product comes within a fraction of a millisecond, and waking a
// sleeping thread costs about as long as a 20 x 209 x 209 product takes (Gram U·K: 0.19 -> 0.15 ms
// an iteration on two threads with it, no gain without it).
const SPIN_MS = 0.25;
const PARAMS = 8 * Math.ceil((CHUNKS_BY_SLOT + MAX_THREADS) / 2); // byte offset of the parameters (f64-aligned)
const N_PARAMS = 24;

/**
 * The parameters of one gemm job, in the order runChunks reads them. C is cut into blocks of
 * rowChunk rows x chunkCols columns, numbered down the rows first.
 */
export interface GemmJob {
  chunks: number;
  chunkCols: number;
  N: number;
  elementBytes: number;
  transB: number;
  M: number;
  K: number;
  alpha: number;
  ap: number;
  b: number;
  ldb: number;
  beta: number;
  c: number;
  ldc: number;
  /** Work block of thread slot s: work + s * workStride. */
  work: number;
  workStride: number;
  /** Rows per block (a multiple of the kernels' panel rows), and blocks down the rows. */
  rowChunk: number;
  rowChunks: number;
  /** The k-block (kernels.as gemmBlock). */
  kc: number;
  /** op(A)'s panels, packed by the threads before any block (packA): in packGroups groups of packPanels. */
  packGroups: number;
  packPanels: number;
  transA: number;
  a: number;
  lda: number;
}

/**
 * Claims chunks of the current job until none is left: every thread (the caller and each worker)
 * runs this same function, so which thread computes a chunk never changes what it computes.
 * Self-contained on purpose: its source text is the workers' loop body.
 */
function runChunks(k: Kernels, i32: Int32Array, p: Float64Array, gen: number, slot: number): void {
  // The next of `count` items from the claim word `word` ((generation << 16) | next index), or -1
  // when there is none for this thread: all claimed, or the word belongs to a later job already.
  // The bounds are this job's, read once: run() writes the parameters before the generation that
  // sent this thread here, and closes the claim words before writing the next job's, so a paused
  // thread's compare-exchange fails rather than taking the next product's block under this
  // product's number (computed twice, counted done twice: C read while a block is still written).
  const claim = (word: number, count: number): number => {
    for (;;) {
      const w = Atomics.load(i32, word);
      if (w >>> 16 !== gen || (w & 0xffff) >= count) return -1;
      if (Atomics.compareExchange(i32, word, w, w + 1) === w) return w & 0xffff;
    }
  };
  // First op(A)'s panels, a group per claim, by every thread that comes; no block starts before
  // all are packed (word 7 counts them).
  const groups = p[19]!;
  for (let g = claim(6, groups); g >= 0; g = claim(6, groups)) {
    const it0 = g * p[20]!;
    try {
      (p[3] === 4 ? k.packA32 : k.packA64)(p[21]!, p[5]!, p[6]!, p[22]!, p[23]!, p[8]!, it0, it0 + p[20]!);
    } catch {
      Atomics.store(i32, 5, 1);
    }
    Atomics.add(i32, 7, 1);
  }
  while (Atomics.load(i32, 7) < groups) if (Atomics.load(i32, 6) >>> 16 !== gen) return;
  const chunks = p[0]!;
  for (let idx = claim(1, chunks); idx >= 0; idx = claim(1, chunks)) {
    const i0 = (idx % p[17]!) * p[16]!;
    const i1 = Math.min(p[5]!, i0 + p[16]!);
    const j0 = Math.floor(idx / p[17]!) * p[1]!;
    const j1 = Math.min(p[2]!, j0 + p[1]!);
    const gemm = p[3] === 4 ? k.gemmBlock32 : k.gemmBlock64;
    try {
      gemm(p[4]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!, p[13]!, i0, i1, j0, j1, p[14]! + slot * p[15]!, p[18]!);
    } catch {
      // Counted as done all the same, so the caller stops waiting and reports it (word 5: FAILED).
      Atomics.store(i32, 5, 1);
    }
    Atomics.add(i32, 9 + slot, 1);
    if (Atomics.add(i32, 2, 1) + 1 === chunks) Atomics.notify(i32, 2);
  }
}

// The workers' program, one text for Node and browsers: instantiate the kernels on the shared
// memory, say so, then sleep until a job comes, claim its chunks, and sleep again. runChunks is
// bound to a name here because a minifier renames the function itself.
const WORKER_MAIN = `
const runChunks = ${runChunks.toString()};
function main({ module, memory, ctl, slot, warm }) {
  const imports = { env: { memory, 'Math.exp': Math.exp, 'Math.tanh': Math.tanh } };
  const k = new WebAssembly.Instance(module, imports).exports;
  const i32 = new Int32Array(memory.buffer, ctl, ${PARAMS / 4});
  const p = new Float64Array(memory.buffer, ctl + ${PARAMS}, ${N_PARAMS});
  // No generation seen yet: a job already running when this thread starts is joined (its chunks
  // not yet claimed), as a thread woken late joins one.
  let seen = -1;
  Atomics.add(i32, ${READY}, 1);
  Atomics.notify(i32, ${READY});
  if (warm) {
    const { a, b, c, work, rows, cols, kc } = warm;
    // NR: a strip's columns; b read as a packed B of cols / NR strips fits in its kc x cols x 8 bytes.
    for (const [gemmBlock, NR] of [[k.gemmBlock64, 4], [k.gemmBlock32, 8]]) {
      for (let r = 0; r < 2; r++) {
        gemmBlock(${B_PACKED}, kc, 1, a, b, cols, 0, c, cols, 0, rows, 0, cols, work, kc);
        gemmBlock(${B_IN_PLACE}, kc, 1, a, b, cols, 0, c, cols, 0, 1, 0, cols, work, kc);
        gemmBlock(${B_PREPACKED}, kc, 1, a, b, cols / NR, 0, c, cols, 0, 1, 0, cols, work, kc);
      }
    }
    // The other kernels a training step calls, each kind of activation: n values of a as the
    // inputs, the rest of a as the outputs; packA of a (rows x kc, either way) into b.
    const n = 256;
    const at = (i) => a + i * n * 8;
    for (const [af, ab, ba, bias, sums, axpy, packA] of [
      [k.activationForward64, k.activationBackward64, k.biasActivation64, k.addBias64, k.rowSums64, k.axpy64, k.packA64],
      [k.activationForward32, k.activationBackward32, k.biasActivation32, k.addBias32, k.rowSums32, k.axpy32, k.packA32],
    ]) {
      for (let r = 0; r < 24; r++) {
        for (let kind = 0; kind < 5; kind++) {
          af(kind, 0.01, at(0), at(1), n);
          ab(kind, 0.01, at(0), at(1), at(2), at(3), n);
          ba(kind, 0.01, at(0), at(4), at(5), 16, n / 16);
        }
        for (let t = 0; t < 4; t++) {
          bias(at(6), at(4), 16, n / 16);
          sums(at(0), 16, n / 16, 1, at(7));
          axpy(0.5, at(0), at(8), n);
        }
        packA(0, rows, kc, a, kc, b, 0, rows / 4);
        packA(1, rows, kc, a, rows, b, 0, rows / 4);
      }
    }
    Atomics.store(i32, ${WARMED}, 1);
  }
  for (;;) {
    for (const until = performance.now() + ${SPIN_MS}; Atomics.load(i32, ${GEN}) === seen && performance.now() < until; );
    Atomics.wait(i32, ${GEN}, seen);
    seen = Atomics.load(i32, ${GEN});
    if (Atomics.load(i32, ${QUIT}) !== 0) break;
    runChunks(k, i32, p, seen, slot);
  }
}
`;
const NODE_WORKER_SOURCE = `${WORKER_MAIN}\nmain(require('node:worker_threads').workerData);\n`;
// A classic worker (no module loading): its start data comes as the first message. A memory that
// cannot be received (the worker is not cross-origin isolated) is an error the pool sees.
const WEB_WORKER_SOURCE = `${WORKER_MAIN}
self.onmessage = (e) => { self.onmessage = null; main(e.data); };
self.onmessageerror = () => { throw new Error('deepnet kernel worker: the shared memory could not be received'); };
`;

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onerror: ((event: unknown) => void) | null;
}

/**
 * A team of threads over one heap: the caller plus `threads - 1` workers. Workers start in the
 * background; until they are up, the caller computes their share (same results, less speed).
 */
export class ThreadPool {
  readonly threads: number;
  private readonly workers: (NodeWorker | WebWorker)[] = [];
  /** Workers that failed to start: ready() stops waiting for them; the others share their chunks. */
  private failed = 0;
  /** The Web Workers' script, revoked on dispose(). */
  private scriptUrl: string | undefined;
  private readonly i32: Int32Array;
  private readonly params: Float64Array;
  private readonly ctl: number;
  private gen = 0;
  private disposed = false;
  private readonly started: Promise<void>;
  /** Worker 1's warm-up products (see WarmScratch); undefined without workers. */
  private readonly warm: WarmScratch | undefined;
  /** Whether a worker was given the scratch (it writes there until WARMED). */
  private warmGiven = false;

  constructor(
    private readonly heap: WasmHeap,
    threads: number,
  ) {
    this.threads = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
    this.ctl = heap.alloc(PARAMS + 8 * N_PARAMS);
    this.i32 = new Int32Array(heap.buffer, this.ctl, PARAMS / 4);
    this.i32.fill(0);
    this.warm = this.threads > 1 ? warmScratch(heap) : undefined;
    this.params = new Float64Array(heap.buffer, this.ctl + PARAMS, N_PARAMS);
    const now = this.threads > 1 ? syncWorkerThreads() : undefined;
    if (now) this.spawnNode(now);
    else if (this.threads > 1 && heap.shared && webWorkerScope()) this.spawnWeb();
    this.started = now || this.threads === 1 || this.workers.length > 0 ? Promise.resolve() : loadWorkerThreads().then((wt) => this.spawnNode(wt));
  }

  private startData(slot: number) {
    if (slot === 1) this.warmGiven = this.warm !== undefined;
    return { module: kernelsModule(true), memory: this.heap.memory, ctl: this.ctl, slot, warm: slot === 1 ? this.warm : undefined };
  }

  private spawnNode(wt: WorkerThreads | undefined): void {
    if (!wt || this.disposed) return;
    for (let slot = 1; slot < this.threads; slot++) {
      const worker = new wt.Worker(NODE_WORKER_SOURCE, { eval: true, workerData: this.startData(slot) });
      worker.on('error', () => this.failed++);
      // Idle workers must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Web Workers from a Blob URL, handed the module and the memory by message (both are
   * structured-cloneable within a cross-origin isolated agent cluster). A worker started from a
   * worker begins once its parent yields to its event loop; until then the caller runs its chunks.
   */
  private spawnWeb(): void {
    const Worker = (globalThis as unknown as { Worker: new (url: string, options: { name: string }) => WebWorker }).Worker;
    this.scriptUrl = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
    for (let slot = 1; slot < this.threads; slot++) {
      let worker: WebWorker;
      try {
        worker = new Worker(this.scriptUrl, { name: `deepnet kernels ${slot}` });
      } catch {
        // A policy that forbids blob: workers: the threads that started (maybe none) do the work.
        break;
      }
      worker.onerror = () => this.failed++;
      worker.postMessage(this.startData(slot));
      this.workers.push(worker);
    }
  }

  /** Resolves when every worker is running or has failed to start (immediately where there are none). */
  async ready(): Promise<void> {
    await this.started;
    const want = this.workers.length;
    while (Atomics.load(this.i32, READY) + this.failed < want) await new Promise((resolve) => setTimeout(resolve, 2));
  }


  /** Threads that take chunks: the caller and every worker that has not failed to start. */
  get liveThreads(): number {
    return 1 + this.workers.length - this.failed;
  }

  /** Whether worker 1 is done with its warm-up products (WarmScratch); false without workers. */
  get warmed(): boolean {
    return this.warm !== undefined && Atomics.load(this.i32, WARMED) === 1;
  }

  /** Chunks computed so far by each thread slot (0 = the caller). */
  chunksBySlot(): number[] {
    return Array.from(this.i32.subarray(CHUNKS_BY_SLOT, CHUNKS_BY_SLOT + this.threads));
  }

  /** Runs every chunk of the job, on whichever threads are free, and returns when all are done. */
  run(job: GemmJob): void {
    const p = this.params;
    const i32 = this.i32;
    // Chunk indices live in the claim word's low 16 bits (0xffff: closed).
    if (job.chunks >= 0xffff) throw new RangeError(`deepnet wasm kernels: a ${job.M} x ${job.N} product in ${job.chunks} blocks, more than the threads can count (65534)`);
    const gen = (this.gen + 1) & 0x7fff;
    // The claim word is closed first, under the new job's number: a thread of the last job that
    // read it just before (and was then paused) can no longer claim, whatever it reads next of the
    // parameters written below (its compare-exchange fails, and the number is not its own).
    Atomics.store(i32, CLAIM, (gen << 16) | 0xffff);
    Atomics.store(i32, PACK_CLAIM, (gen << 16) | 0xffff);
    p[0] = job.chunks;
    p[1] = job.chunkCols;
    p[2] = job.N;
    p[3] = job.elementBytes;
    p[4] = job.transB;
    p[5] = job.M;
    p[6] = job.K;
    p[7] = job.alpha;
    p[8] = job.ap;
    p[9] = job.b;
    p[10] = job.ldb;
    p[11] = job.beta;
    p[12] = job.c;
    p[13] = job.ldc;
    p[14] = job.work;
    p[15] = job.workStride;
    p[16] = job.rowChunk;
    p[17] = job.rowChunks;
    p[18] = job.kc;
    p[19] = job.packGroups;
    p[20] = job.packPanels;
    p[21] = job.transA;
    p[22] = job.a;
    p[23] = job.lda;
    this.gen = gen;
    Atomics.store(i32, DONE, 0);
    Atomics.store(i32, FAILED, 0);
    Atomics.store(i32, PACKED, 0);
    Atomics.store(i32, PACK_CLAIM, gen << 16);
    Atomics.store(i32, CLAIM, this.gen << 16);
    Atomics.store(i32, GEN, this.gen);
    if (this.workers.length > 0) Atomics.notify(i32, GEN);
    runChunks(this.heap.kernels, i32, p, this.gen, 0);
    for (let d = Atomics.load(i32, DONE); d < job.chunks; d = Atomics.load(i32, DONE)) {
      for (const until = performance.now() + SPIN_MS; Atomics.load(i32, DONE) === d && performance.now() < until; );
      if (Atomics.load(i32, DONE) === d) Atomics.wait(i32, DONE, d);
    }
    if (Atomics.load(i32, FAILED) !== 0) {
      throw new Error(`deepnet wasm kernels: a ${job.M} x ${job.N} product failed in a kernel thread (a memory access out of bounds): C is not computed`);
    }
  }

  /** Stops the workers and gives the control block back. */
  dispose(): void {
    this.disposed = true;
    Atomics.store(this.i32, QUIT, 1);
    Atomics.add(this.i32, GEN, 1);
    Atomics.notify(this.i32, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    if (this.scriptUrl !== undefined) URL.revokeObjectURL(this.scriptUrl);
    this.scriptUrl = undefined;
    this.heap.release(this.ctl);
    // A worker still in its warm-up writes there until it is terminated: left to it (210 KB) then.
    if (this.warm && (!this.warmGiven || Atomics.load(this.i32, WARMED) === 1)) this.heap.release(this.warm.a);
  }
}

/**
 * Where worker 1 computes small products of each dtype (B packed, read in place, prepacked) and
 * runs the other kernels of a training step (every activation both ways, bias, row sums, axpy,
 * packA) as soon as it starts (zeros: no value times differently), while the caller is still
 * reading its data. V8 first runs a kernel in its baseline code, several times slower, and
 * compiles the optimised code once the kernel has run a while: a run's first large product (the
 * Gram form's K = Xᵀ·X, 0.05-0.1 s) ran its first blocks so, and a training run's first few
 * hundred steps their small kernels. The compiled module is shared by every thread, so the
 * caller's kernels start optimised too.
 */
interface WarmScratch {
  a: number;
  b: number;
  c: number;
  work: number;
  rows: number;
  cols: number;
  kc: number;
}

function warmScratch(heap: WasmHeap): WarmScratch {
  const rows = 32;
  const cols = 32;
  const kc = 256;
  // float64's sizes, which float32 fits in.
  const aBytes = rows * kc * 8;
  const bBytes = kc * cols * 8;
  const cBytes = rows * cols * 8;
  const a = heap.allocZeroed(aBytes + bBytes + cBytes + heap.kernels.gemmWorkBytes(rows, cols, 8, kc));
  return { a, b: a + aBytes, c: a + aBytes + bBytes, work: a + aBytes + bBytes + cBytes, rows, cols, kc };
}
