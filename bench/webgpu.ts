import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { idxFiles, loadIdx } from '../src/data/files.js';
import { oneHot } from '../src/data/onehot.js';
import { Matrix } from '../src/matrix.js';
import { launchChromiumWithWebGpu, openWebGpuPage, serveWebGpuPage } from '../test/helpers/webgpu-page.js';
import { catData, repoFile } from './cat-data.js';
import { GEMM_SHAPES } from './gemm.js';
import { summarize, type Timing } from './timing.js';
import type { Sample, Workload } from './webgpu-page.js';

// `npm run bench -- --webgpu`: deepnet's WebGPU backend beside deepnet wasm float32 and TensorFlow.js's
// webgpu backend, all in one Chromium page (bench/webgpu-page.ts). Few iterations: a software
// adapter (SwiftShader) takes seconds for one direct cat iteration.

export interface WebGpuRow extends Timing {
  workload: string;
  library: string;
  cost0: number;
  timing: string;
}

export interface WebGpuGemmRow {
  label: string;
  op: string;
  backend: 'webgpu' | 'wasm f32, 1 thread';
  minMs: number;
  medianMs: number;
  gflops: number;
}

export interface WebGpuResults {
  adapter: { name: string; software: boolean };
  training: WebGpuRow[];
  gemm: WebGpuGemmRow[];
}

const CAT: Workload = { name: 'cat', dims: [12288, 20, 7, 5, 1], m: 209, output: 'sigmoid', learningRate: 0.0075 };
const FASHION: Workload = { name: 'fashion', dims: [784, 128, 10], m: 4000, output: 'softmax', learningRate: 0.1 };

const bytes = (M: Matrix) => new Uint8Array(Float32Array.from(M.data).buffer);

/** The 4,000 shipped Fashion-MNIST training images, one-hot labels; seeded random data where the files are absent. */
function fashionData(): { X: Matrix; Y: Matrix; source: string } {
  const folder = repoFile('data/fashion-mnist/');
  if (existsSync(`${folder}train-images-idx3-ubyte.gz`)) {
    const { X, Y } = loadIdx(idxFiles(folder, 'train'), { dtype: 'float32' });
    if (X.cols === FASHION.m) return { X, Y: oneHot(Y, 10), source: 'data/fashion-mnist' };
  }
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const X = new Matrix(784, FASHION.m, Float32Array.from({ length: 784 * FASHION.m }, rand));
  const Y = Matrix.zeros(10, FASHION.m, 'float32');
  for (let s = 0; s < FASHION.m; s++) Y.data[Math.floor(rand() * 10) * FASHION.m + s] = 1;
  return { X, Y, source: 'random float32 (seed 1)' };
}

type Bench = {
  adapter(): Promise<{ name: string; software: boolean }>;
  deepnetGpu(w: Workload, gram: 'off' | 'auto', batches: number, readEvery: number): Promise<Sample & { gram: boolean }>;
  deepnetWasm(w: Workload, gram: 'off' | 'auto', iterations: number): Promise<Sample>;
  tfjsGpu(w: Workload, iterations: number): Promise<Sample>;
  gemm(shape: (typeof GEMM_SHAPES)[number], rounds: number, reps: number): Promise<{ gpu: number[]; wasm: Timing }>;
};

/** Calls window.bench.NAME(...args) in the page. */
function call<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(
    ([n, a]) => {
      const bench = (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench;
      return bench[n as string]!(...(a as unknown[]));
    },
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Bench[K]>>>;
}

export async function webgpuSection(): Promise<WebGpuResults> {
  const { train } = await catData();
  const fashion = fashionData();
  const files = { 'cat-x.bin': bytes(train.X), 'cat-y.bin': bytes(train.Y), 'fashion-x.bin': bytes(fashion.X), 'fashion-y.bin': bytes(fashion.Y) };
  const { url, server } = await serveWebGpuPage(files, { root: repoFile(''), entry: 'bench/webgpu-page.ts', outDir: 'test-output/bench-webgpu-page' });
  const browser = await launchChromiumWithWebGpu();
  try {
    const page = await openWebGpuPage(browser, url, 'bench');
    const adapter = await call(page, 'adapter');
    console.log(`\nWebGPU in Chromium: adapter ${adapter.name}${adapter.software ? ' (a software adapter: these numbers show that it runs, not what a GPU does)' : ''}`);
    const training: WebGpuRow[] = [];
    const add = (w: Workload, library: string, s: Sample) => {
      training.push({ workload: `${w.name} [${w.dims.join(', ')}], m ${w.m}`, library, ...summarize(s.times), cost0: s.cost0, timing: s.note });
      process.stderr.write(`${w.name}: ${library}\n`);
    };
    for (const w of [CAT, FASHION]) {
      // The direct cat iteration is the slow one on a software adapter: one per readback, few of them.
      const direct = await call(page, 'deepnetGpu', w, 'off', 3, w === CAT ? 1 : 2);
      add(w, 'deepnet webgpu f32 (gram off)', direct);
      const auto = await call(page, 'deepnetGpu', w, 'auto', 3, w === CAT ? 4 : 2);
      add(w, `deepnet webgpu f32 (gram auto: ${auto.gram ? 'Gram form' : 'direct'})`, auto);
      add(w, 'deepnet wasm f32, 1 thread (gram off)', await call(page, 'deepnetWasm', w, 'off', 10));
      add(w, 'deepnet wasm f32, 1 thread (gram auto)', await call(page, 'deepnetWasm', w, 'auto', 10));
      add(w, 'TensorFlow.js 4.22 webgpu f32', await call(page, 'tfjsGpu', w, 4));
    }
    const gemm: WebGpuGemmRow[] = [];
    for (const shape of GEMM_SHAPES.filter((s) => s.M !== 1024 || (!s.transA && !s.transB))) {
      const flop = 2 * shape.M * shape.N * shape.K;
      const big = shape.M === 1024;
      const g = await call(page, 'gemm', shape, 3, big ? 1 : 2);
      const op = `${shape.transA ? 'T' : 'N'}${shape.transB ? 'T' : 'N'}`;
      const t = summarize(g.gpu);
      gemm.push({ label: shape.label, op, backend: 'webgpu', ...t, gflops: flop / (t.minMs * 1e6) });
      process.stderr.write(`gemm: ${shape.label} ${op}\n`);
      gemm.push({ label: shape.label, op, backend: 'wasm f32, 1 thread', minMs: g.wasm.minMs, medianMs: g.wasm.medianMs, gflops: flop / (g.wasm.minMs * 1e6) });
    }
    console.log(`Fashion-MNIST-sized data: ${fashion.source}; per-iteration times, min and median over the samples (timing says how each was taken; the page's clock steps by 0.1 ms)\n`);
    return { adapter, training, gemm };
  } finally {
    await browser.close();
    server.close();
  }
}
