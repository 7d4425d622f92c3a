import type { Worker as NodeWorker } from 'node:worker_threads';
import { kernelsModule, type Kernels, type WasmHeap } from './heap.js';

// Workers are Node worker_threads sharing the heap's memory; elsewhere (a browser page) the pool
// has no workers and the calling thread does every chunk. No top-level await and no static import
// of a Node module, so browser bundles neither need nor wait for it. Node >= 20.16 hands the module
// over synchronously, so workers start even when the caller never yields (a synchronous training loop).
type WorkerThreads = typeof import('node:worker_threads');
let workerThreads: Promise<WorkerThreads | undefined> | undefined;
function syncWorkerThreads(): WorkerThreads | undefined {
  const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  return get?.('node:worker_threads') as WorkerThreads | undefined;
}
function loadWorkerThreads(): Promise<WorkerThreads | undefined> {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  return (workerThreads ??= isNode ? import('node:worker_threads').catch(() => undefined) : Promise.resolve(undefined));
}

// The control block: Int32 words, then the f64 parameters of the current job.
const GEN = 0; // job generation; workers sleep on it
const CLAIM = 1; // (generation << 16) | next chunk index
const DONE = 2; // chunks finished in the current job
const QUIT = 3;
const READY = 4; // workers that have instantiated the kernels
const CHUNKS_BY_SLOT = 8; // per thread slot: chunks computed (statistics, for tests)
export const MAX_THREADS = 24;
const PARAMS = 4 * (CHUNKS_BY_SLOT + MAX_THREADS); // byte offset of the parameters
const N_PARAMS = 16;

/** The parameters of one gemm job, in the order runChunks reads them. */
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
}

/**
 * Claims chunks of the current job until none is left: every thread (the caller and each worker)
 * runs this same function, so which thread computes a chunk never changes what it computes.
 * Self-contained on purpose: its source text is the workers' loop body.
 */
function runChunks(k: Kernels, i32: Int32Array, p: Float64Array, gen: number, slot: number): void {
  for (;;) {
    const w = Atomics.load(i32, 1);
    if (w >>> 16 !== gen) return;
    if (Atomics.compareExchange(i32, 1, w, w + 1) !== w) continue;
    const idx = w & 0xffff;
    if (idx >= p[0]!) return;
    const j0 = idx * p[1]!;
    const j1 = Math.min(p[2]!, j0 + p[1]!);
    const gemm = p[3] === 4 ? k.gemmCols32 : k.gemmCols64;
    gemm(p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!, p[13]!, j0, j1, p[14]! + slot * p[15]!);
    Atomics.add(i32, 8 + slot, 1);
    if (Atomics.add(i32, 2, 1) + 1 === p[0]) Atomics.notify(i32, 2);
  }
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, slot } = workerData;
const imports = { env: { memory, 'Math.exp': Math.exp, 'Math.tanh': Math.tanh } };
const k = new WebAssembly.Instance(module, imports).exports;
const i32 = new Int32Array(memory.buffer, ctl, ${PARAMS / 4});
const p = new Float64Array(memory.buffer, ctl + ${PARAMS}, ${N_PARAMS});
${runChunks.toString()}
let seen = Atomics.load(i32, ${GEN});
Atomics.add(i32, ${READY}, 1);
Atomics.notify(i32, ${READY});
for (;;) {
  Atomics.wait(i32, ${GEN}, seen);
  seen = Atomics.load(i32, ${GEN});
  if (Atomics.load(i32, ${QUIT}) !== 0) break;
  runChunks(k, i32, p, seen, slot);
}
`;

/**
 * A team of threads over one heap: the caller plus `threads - 1` workers. Workers start in the
 * background; until they are up, the caller computes their share (same results, less speed).
 */
export class ThreadPool {
  readonly threads: number;
  private readonly workers: NodeWorker[] = [];
  private readonly i32: Int32Array;
  private readonly params: Float64Array;
  private readonly ctl: number;
  private gen = 0;
  private disposed = false;
  private readonly started: Promise<void>;

  constructor(
    private readonly heap: WasmHeap,
    threads: number,
  ) {
    this.threads = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
    this.ctl = heap.alloc(PARAMS + 8 * N_PARAMS);
    this.i32 = new Int32Array(heap.buffer, this.ctl, PARAMS / 4);
    this.i32.fill(0);
    this.params = new Float64Array(heap.buffer, this.ctl + PARAMS, N_PARAMS);
    const now = this.threads > 1 ? syncWorkerThreads() : undefined;
    if (now) this.spawn(now);
    this.started = now || this.threads === 1 ? Promise.resolve() : loadWorkerThreads().then((wt) => this.spawn(wt));
  }

  private spawn(wt: WorkerThreads | undefined): void {
    if (!wt || this.disposed) return;
    for (let slot = 1; slot < this.threads; slot++) {
      const worker = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: kernelsModule(true), memory: this.heap.memory, ctl: this.ctl, slot },
      });
      // Idle workers must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Resolves when every worker is running (immediately where there are none to start). */
  async ready(): Promise<void> {
    await this.started;
    const want = this.workers.length;
    while (Atomics.load(this.i32, READY) < want) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /** Chunks computed so far by each thread slot (0 = the caller). */
  chunksBySlot(): number[] {
    return Array.from(this.i32.subarray(CHUNKS_BY_SLOT, CHUNKS_BY_SLOT + this.threads));
  }

  /** Runs every chunk of the job, on whichever threads are free, and returns when all are done. */
  run(job: GemmJob): void {
    const p = this.params;
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
    const i32 = this.i32;
    this.gen = (this.gen + 1) & 0x7fff;
    Atomics.store(i32, DONE, 0);
    Atomics.store(i32, CLAIM, this.gen << 16);
    Atomics.store(i32, GEN, this.gen);
    if (this.workers.length > 0) Atomics.notify(i32, GEN);
    runChunks(this.heap.kernels, i32, p, this.gen, 0);
    for (let d = Atomics.load(i32, DONE); d < job.chunks; d = Atomics.load(i32, DONE)) Atomics.wait(i32, DONE, d);
  }

  /** Stops the workers and gives the control block back. */
  dispose(): void {
    this.disposed = true;
    Atomics.store(this.i32, QUIT, 1);
    Atomics.add(this.i32, GEN, 1);
    Atomics.notify(this.i32, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    this.heap.release(this.ctl);
  }
}
