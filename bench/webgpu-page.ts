// The page side of `npm run bench -- --webgpu`: built into one module, loaded in Chromium with
// WebGPU, driven from bench/webgpu.ts through window.bench. Every library here trains in the same
// page from the same float32 data and the same initial weights.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { webgpuBackend } from '../src/backend/select.js';
import { Matrix } from '../src/matrix.js';
import { gradientDescentOnGpu } from '../src/nn/gpuTraining.js';
import { initializeParametersDeep } from '../src/nn/init.js';
import { Network } from '../src/nn/network.js';
import type { Parameters } from '../src/nn/parameters.js';
import { firstLayerForm } from '../src/nn/trainLoop.js';
import { benchGemm, type GemmShape } from './gemm.js';
import { tfjsModel } from './tfjs-model.js';

/** One training workload: X (dims[0], m) and Y (dims[L], m) under /data/NAME-x.bin and NAME-y.bin. */
export interface Workload {
  name: string;
  dims: number[];
  m: number;
  output: 'sigmoid' | 'softmax';
  learningRate: number;
}

/** Per-iteration times in ms, the first iteration's cost, and how they were taken. */
export interface Sample {
  times: number[];
  cost0: number;
  note: string;
}

const loaded = new Map<string, { X: Matrix; Y: Matrix }>();

async function bin(url: string, rows: number, cols: number): Promise<Matrix> {
  return new Matrix(rows, cols, new Float32Array(await (await fetch(url)).arrayBuffer()));
}

async function data(w: Workload): Promise<{ X: Matrix; Y: Matrix }> {
  let d = loaded.get(w.name);
  if (!d) {
    d = { X: await bin(`./data/${w.name}-x.bin`, w.dims[0]!, w.m), Y: await bin(`./data/${w.name}-y.bin`, w.dims[w.dims.length - 1]!, w.m) };
    loaded.set(w.name, d);
  }
  return d;
}

// As bench/run.ts: seed 1 in float64, then cast, so every library starts from the same weights.
function init(w: Workload): Parameters {
  const p = initializeParametersDeep(w.dims, { seed: 1 });
  return Object.fromEntries(Object.entries(p).map(([k, M]) => [k, M.astype('float32')]));
}

const cost = (w: Workload) => (w.output === 'softmax' ? 'ce' : 'bce');

async function adapter(): Promise<{ name: string; software: boolean }> {
  const gpu = await webgpuBackend();
  return { name: gpu.adapterName, software: gpu.software };
}

/**
 * deepnet on the GPU: `batches` + 1 readback batches of `readEvery` iterations; the time between
 * consecutive readbacks over readEvery is one sample (the first batch, with the setup, is not timed).
 */
async function deepnetGpu(w: Workload, gram: 'off' | 'auto', batches: number, readEvery: number): Promise<Sample & { gram: boolean }> {
  const gpu = await webgpuBackend();
  const { X, Y } = await data(w);
  const form = firstLayerForm(X, w.dims, { gram, learningRate: w.learningRate }, 'bench');
  const arrivals: number[] = [];
  const costs = await gradientDescentOnGpu(
    gpu,
    X,
    Y,
    init(w),
    {
      learningRate: w.learningRate,
      iterations: readEvery * (batches + 1),
      readEvery,
      gram: form.gram,
      // The batch's costs arrive together: its first one marks the readback.
      onIteration: (i) => void (i % readEvery === 0 && arrivals.push(performance.now())),
    },
    { hidden: 'relu', output: w.output, cost: cost(w) },
    'bench',
  );
  const times = arrivals.slice(1).map((t, k) => (t - arrivals[k]!) / readEvery);
  return { times, cost0: costs[0]!, gram: form.gram, note: `readback every ${readEvery} it: time between readbacks / ${readEvery}` };
}

/** deepnet wasm float32, one thread (the page is not cross-origin isolated); consecutive onIteration calls. */
async function deepnetWasm(w: Workload, gram: 'off' | 'auto', iterations: number): Promise<Sample> {
  const { X, Y } = await data(w);
  const net = new Network({ layerDims: w.dims, output: w.output, cost: cost(w), dtype: 'float32', backend: 'wasm', threads: 1, gram }, init(w));
  const times: number[] = [];
  let t0 = 0;
  const costs = await net.fitAsync(X, Y, {
    learningRate: w.learningRate,
    iterations: iterations + 1,
    onIteration: () => {
      const now = performance.now();
      if (t0 > 0) times.push(now - t0);
      t0 = now;
    },
  });
  return { times, cost0: costs[0]!, note: 'consecutive onIteration calls' };
}

/** TensorFlow.js 4.22 on its webgpu backend, the Node bench's model; each step reads its cost back. */
async function tfjsGpu(w: Workload, iterations: number): Promise<Sample> {
  await tf.setBackend('webgpu');
  await tf.ready();
  const { X, Y } = await data(w);
  const model = tfjsModel(tf, X, Y, init(w), w.dims.length - 1, w.output, w.learningRate);
  const step = async () => {
    const J = model.step();
    const v = (await J.data())[0]!;
    J.dispose();
    return v;
  };
  const cost0 = await step();
  const times: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  model.dispose();
  return { times, cost0, note: 'one step and its cost readback' };
}

/** One product on GPU-resident operands: `reps` of them, then one readback of C, per rep; and wasm's (1 thread), batched past the page's 0.1 ms clock. */
async function gemm(shape: GemmShape, rounds: number, reps: number): Promise<{ gpu: number[]; wasm: { minMs: number; medianMs: number } }> {
  const gpu = await webgpuBackend();
  const { M, N, K, transA, transB } = shape;
  const A = transA ? gpu.allocate(K, M, 'float32') : gpu.allocate(M, K, 'float32');
  const B = transB ? gpu.allocate(N, K, 'float32') : gpu.allocate(K, N, 'float32');
  const C = gpu.allocate(M, N, 'float32');
  for (const X of [A, B]) {
    for (let t = 0; t < X.data.length; t++) X.data[t] = Math.sin(t) * 0.5;
    gpu.write(X);
  }
  const run = async () => {
    for (let r = 0; r < reps; r++) gpu.gemm(transA, transB, 1, A, B, 0, C);
    await gpu.read(C);
  };
  await run();
  const times: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / reps);
  }
  for (const X of [A, B, C]) gpu.release(X);
  const w = await benchGemm(shape, 'float32', 1, 10, Math.max(1, Math.round(5e7 / (M * N * K))));
  return { gpu: times, wasm: { minMs: w.minMs, medianMs: w.medianMs } };
}

(window as unknown as { bench: object }).bench = { adapter, deepnetGpu, deepnetWasm, tfjsGpu, gemm };
