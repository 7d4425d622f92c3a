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

// Each thread times REPS runs of both loops and reports its best GFLOP/s for each.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const k = new WebAssembly.Instance(workerData.module, {}).exports;
const best = (f, lanes) => {
  f(1000);
  let ms = Infinity;
  for (let r = 0; r < ${REPS}; r++) {
    const t = performance.now();
    f(${ITERATIONS});
    ms = Math.min(ms, performance.now() - t);
  }
  return (${ITERATIONS} * 12 * lanes * 2) / (ms * 1e6);
};
parentPort.postMessage([best(k.peak32, 4), best(k.peak64, 2)]);
`;

/** Peak GFLOP/s for f32 and f64 with 1 and with `threads` threads running at once. */
export async function measurePeak(threads: number): Promise<Peak[]> {
  const module = await compile();
  const run = async (n: number): Promise<Peak> => {
    const results = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<[number, number]>((resolve, reject) => {
            const w = new Worker(THREAD_SOURCE, { eval: true, workerData: { module } });
            w.once('message', (m: [number, number]) => {
              resolve(m);
              void w.terminate();
            });
            w.once('error', reject);
          }),
      ),
    );
    return { threads: n, f32Gflops: results.reduce((s, r) => s + r[0], 0), f64Gflops: results.reduce((s, r) => s + r[1], 0) };
  };
  const out = [await run(1)];
  if (threads > 1) out.push(await run(threads));
  return out;
}
