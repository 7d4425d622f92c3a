import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { repoFile } from './cat-data.js';

// The processor's ceiling for WebAssembly SIMD: multiply-adds in registers (bench/peak.as), on 1
// and on `threads` threads at once, so it turns a missed target into a bound: a product of F FLOP
// takes about F / peak at least. Each chain's mul waits for its add, so where that latency binds
// (the Xeon of the 2026-12-02 runs) the gemm micro-kernel, whose products wait on nothing, ran
// 1.15-1.2x above it in the same process: there a gemm row's ÷ peak can read above 1.

export interface Peak {
  threads: number;
  f32Gflops: number;
  f64Gflops: number;
}

const ITERATIONS = 20_000_000;
const REPS = 7;
// The bandwidth test's buffer per thread: 8x the 32 MB L3 of the largest caches seen here.
const STREAM_MB = 256;

async function compile(): Promise<WebAssembly.Module> {
  let wasm: Uint8Array<ArrayBuffer> | undefined;
  const { error, stderr } = await asc.main(
    ['peak.ts', '--outFile', 'peak.wasm', '--runtime', 'stub', '--optimizeLevel', '3', '--noAssert', '--enable', 'simd', '--use', 'abort='],
    {
      readFile: (name: string) => (name === 'peak.ts' ? readFileSync(repoFile('bench/peak.as'), 'utf8') : null),
      writeFile: (name: string, contents: string | Uint8Array) => {
        if (name === 'peak.wasm' && typeof contents !== 'string') wasm = new Uint8Array(contents);
      },
    },
  );
  if (error || !wasm) throw new Error(`bench/peak.as: ${stderr.toString()}`);
  return new WebAssembly.Module(wasm);
}

// Each thread answers a message (the iteration count) with its best GFLOP/s for each loop over REPS runs.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const k = new WebAssembly.Instance(workerData.module, {}).exports;
k.peak32(1000);
k.peak64(1000);
const best = (f, lanes, iterations) => {
  let ms = Infinity;
  for (let r = 0; r < ${REPS}; r++) {
    const t = performance.now();
    f(iterations);
    ms = Math.min(ms, performance.now() - t);
  }
  return (iterations * 12 * lanes * 2) / (ms * 1e6);
};
// A message 'bandwidth' streams a buffer of ${STREAM_MB} MB (far beyond any cache) and answers its best GB/s.
let buffer = 0;
const bandwidth = () => {
  const bytes = ${STREAM_MB} << 20;
  if (!buffer) {
    buffer = k.memory.grow(bytes / 65536 + 1) * 65536;
    new Float64Array(k.memory.buffer, buffer, bytes / 8).fill(1);
  }
  let ms = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    k.stream(buffer, bytes);
    ms = Math.min(ms, performance.now() - t);
  }
  return bytes / (ms * 1e6);
};
parentPort.on('message', (m) => parentPort.postMessage(m === 'bandwidth' ? [bandwidth(), 0] : [best(k.peak32, 4, m), best(k.peak64, 2, m)]));
`;

/**
 * The peak on 1 and on `threads` threads at once, sampled as often as the caller likes (between
 * the rounds of the gemm table, so that both see the same moments of a shared machine) and kept as
 * the best seen: a loop in registers can only be slowed by the machine, never sped up.
 */
export class PeakMeter {
  private readonly best: Peak[];
  private constructor(private readonly workers: Worker[], threads: number) {
    this.best = [...new Set([1, threads])].map((n) => ({ threads: n, f32Gflops: 0, f64Gflops: 0 }));
  }

  static async start(threads: number): Promise<PeakMeter> {
    const module = await compile();
    const workers = Array.from({ length: threads }, () => new Worker(THREAD_SOURCE, { eval: true, workerData: { module } }));
    return new PeakMeter(workers, threads);
  }

  /** One sample of each thread count (bursts of `iterations`, about 5-20 ms each); returns the best so far. */
  async sample(iterations = ITERATIONS / 10): Promise<Peak[]> {
    for (const p of this.best) {
      const results = await Promise.all(
        this.workers.slice(0, p.threads).map((w) => this.ask(w, iterations)),
      );
      p.f32Gflops = Math.max(p.f32Gflops, results.reduce((s, r) => s + r[0], 0));
      p.f64Gflops = Math.max(p.f64Gflops, results.reduce((s, r) => s + r[1], 0));
    }
    return this.peaks();
  }

  /** Read bandwidth from memory, GB/s, on 1 and on all the meter's threads at once (each its own buffer). */
  async bandwidth(): Promise<{ threads: number; gbPerSecond: number }[]> {
    const out = [];
    for (const p of this.best) {
      const results = await Promise.all(this.workers.slice(0, p.threads).map((w) => this.ask(w, 'bandwidth')));
      out.push({ threads: p.threads, gbPerSecond: results.reduce((s, r) => s + r[0], 0) });
    }
    return out;
  }

  private ask(w: Worker, message: number | 'bandwidth'): Promise<[number, number]> {
    return new Promise<[number, number]>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      w.once('error', fail);
      w.once('message', (m: [number, number]) => {
        w.off('error', fail);
        resolve(m);
      });
      w.postMessage(message);
    });
  }

  peaks(): Peak[] {
    return this.best.map((p) => ({ ...p }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Peak GFLOP/s for f32 and f64 with 1 and with `threads` threads running at once (one long sample). */
export async function measurePeak(threads: number): Promise<Peak[]> {
  const meter = await PeakMeter.start(threads);
  try {
    return await meter.sample(ITERATIONS);
  } finally {
    await meter.dispose();
  }
}
