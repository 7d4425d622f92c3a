// The page side of the WebGPU tests: built into a module, loaded in Chromium on its software
// adapter, driven from test/web/webgpu.test.ts through window.webgpuTests.
import { webgpuBackend } from '../../src/backend/select.js';
import { Network } from '../../src/nn/network.js';
import { planarDataset } from '../../src/data/planar.js';
import { Matrix } from '../../src/matrix.js';
import { kernelChecks } from '../helpers/webgpu-kernels.js';

const kernels = async () => kernelChecks(await webgpuBackend());

interface TrainSpec {
  layerDims: number[];
  hidden: 'relu' | 'tanh';
  init: 'xavier' | 'small';
  seed: number;
  learningRate: number;
  iterations: number;
  /** 'planar', or the base URL of x-train.bin, y-train.bin, x-test.bin, y-test.bin (float32, (n, m)). */
  data: string;
  trainM?: number;
  /** Layer 1's form (default: auto, as fit chooses). */
  gram?: 'auto' | 'on' | 'off';
  testM?: number;
}

async function bin(url: string, rows: number, cols: number): Promise<Matrix> {
  const bytes = await (await fetch(url)).arrayBuffer();
  return new Matrix(rows, cols, new Float32Array(bytes));
}

async function train(spec: TrainSpec): Promise<{ costs: number[]; trainAccuracy: number; testAccuracy: number | null; seconds: number }> {
  const [n0] = spec.layerDims;
  const nL = spec.layerDims[spec.layerDims.length - 1]!;
  let X: Matrix, Y: Matrix, Xt: Matrix | undefined, Yt: Matrix | undefined;
  if (spec.data === 'planar') {
    ({ X, Y } = planarDataset('float32'));
  } else {
    X = await bin(`${spec.data}x-train.bin`, n0!, spec.trainM!);
    Y = await bin(`${spec.data}y-train.bin`, nL, spec.trainM!);
    Xt = await bin(`${spec.data}x-test.bin`, n0!, spec.testM!);
    Yt = await bin(`${spec.data}y-test.bin`, nL, spec.testM!);
  }
  const net = new Network({ layerDims: spec.layerDims, hidden: spec.hidden, init: spec.init, seed: spec.seed, backend: 'webgpu', gram: spec.gram });
  const started = performance.now();
  const costs = await net.fitAsync(X, Y, { learningRate: spec.learningRate, iterations: spec.iterations });
  const seconds = (performance.now() - started) / 1000;
  return { costs, trainAccuracy: net.evaluate(X, Y), testAccuracy: Xt && Yt ? net.evaluate(Xt, Yt) : null, seconds };
}

async function adapter(): Promise<{ name: string; software: boolean }> {
  const gpu = await webgpuBackend();
  return { name: gpu.adapterName, software: gpu.software };
}

/** fit on webgpu refuses what it cannot do, with the messages a user sees. */
async function refusals(): Promise<string[]> {
  const messages: string[] = [];
  const attempt = async (fn: () => unknown) => {
    try {
      await fn();
      messages.push('no error');
    } catch (e) {
      messages.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  };
  const { X, Y } = planarDataset('float32');
  await attempt(() => new Network({ layerDims: [2, 4, 1], backend: 'webgpu', dtype: 'float64' }));
  await attempt(() => new Network({ layerDims: [2, 4, 1], backend: 'webgpu' }).fit(X, Y, { iterations: 2 }));
  await attempt(() => new Network({ layerDims: [2, 4, 1], backend: 'webgpu' }).fitAsync(X, Y, { iterations: 2, batchSize: 64 }));
  await attempt(() => new Network({ layerDims: [3, 4, 1], backend: 'webgpu' }).fitAsync(X, Y, { iterations: 2 }));
  // A learning rate that diverges: the error names the iteration, the parameters are those before it.
  const net = new Network({ layerDims: [2, 4, 1], backend: 'webgpu', output: 'linear', cost: 'mse' });
  let seen = 0;
  await attempt(() => net.fitAsync(X, Y, { learningRate: 100, iterations: 200, onIteration: () => void seen++ }));
  messages.push(`seen ${seen}; parameters finite: ${Object.values(net.parameters).every((P) => P.data.every(Number.isFinite))}`);
  // A learning rate that saturates every output: finite costs, pinned or far above the start, as the CPU loop reports.
  await attempt(() => new Network({ layerDims: [2, 4, 1], backend: 'webgpu', seed: 3 }).fitAsync(X, Y, { learningRate: 1e9, iterations: 300 }));
  const cpu = new Network({ layerDims: [2, 4, 1], backend: 'wasm', dtype: 'float32', seed: 3 });
  await attempt(() => cpu.fitAsync(X, Y, { learningRate: 1e9, iterations: 300 }));
  return messages;
}

/** onIteration returning false at iteration `stopAt` leaves the parameters after stopAt updates, as on the CPU. */
async function stopping(stopAt: number): Promise<{ gpu: number[]; cpu: number[]; costs: number }> {
  const { X, Y } = planarDataset('float32');
  const make = (backend: string) => new Network({ layerDims: [2, 4, 1], hidden: 'tanh', init: 'small', seed: 2, backend, dtype: 'float32' });
  const g = make('webgpu');
  const c = make('reference');
  const costs = await g.fitAsync(X, Y, { learningRate: 1.2, iterations: 100, onIteration: (i) => i !== stopAt });
  c.fit(X, Y, { learningRate: 1.2, iterations: 100, onIteration: (i) => i !== stopAt });
  return { gpu: Array.from(g.parameters.W1!.data), cpu: Array.from(c.parameters.W1!.data), costs: costs.length };
}

/**
 * The Gram form on the GPU against the CPU's (n[0] = 40 > m = 12): the costs, a stop inside a
 * readback batch, the final parameters, and the W[1] that onIteration reads (that of the last readback).
 */
async function gramSmall(stopAt: number): Promise<{ gpu: number[][]; cpu: number[][]; costs: number[][]; readAt40: number[]; cpuAt32: number[] }> {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const X = new Matrix(40, 12, Float32Array.from({ length: 480 }, rand));
  const Y = new Matrix(1, 12, Float32Array.from({ length: 12 }, (_, j) => j % 3 === 0 ? 1 : 0));
  const make = (backend: string) => new Network({ layerDims: [40, 6, 3, 1], seed: 5, backend, dtype: 'float32', gram: 'on' });
  const g = make('webgpu');
  const c = make('wasm');
  let readAt40: number[] = [];
  const gpuCosts = await g.fitAsync(X, Y, { learningRate: 0.05, iterations: 100, onIteration: (i) => {
    if (i === 40) readAt40 = Array.from(g.parameters.W1!.data);
    return i !== stopAt;
  } });
  let cpuAt32: number[] = [];
  const cpuCosts = c.fit(X, Y, { learningRate: 0.05, iterations: 100, onIteration: (i) => {
    if (i === 32) cpuAt32 = Array.from(c.parameters.W1!.data);
    return i !== stopAt;
  } });
  const all = (n: Network) => Object.keys(n.parameters).sort().map((k) => Array.from(n.parameters[k]!.data));
  return { gpu: all(g), cpu: all(c), costs: [gpuCosts, cpuCosts], readAt40, cpuAt32 };
}

/**
 * Two trainings at once on the one GPU (the playground's Reset starts a network while the old one
 * winds down): each gets the costs and parameters it gets alone, bit for bit.
 */
async function concurrent(): Promise<{ alone: number[][]; together: number[][] }> {
  const { X, Y } = planarDataset('float32');
  const make = (seed: number) => new Network({ layerDims: [2, 4, 1], hidden: 'tanh', init: 'small', seed, backend: 'webgpu' });
  const fit = async (seed: number, stopAt: number) => {
    const net = make(seed);
    const costs = await net.fitAsync(X, Y, { learningRate: 1.2, iterations: 200, onIteration: (i) => i !== stopAt });
    return [...costs, ...net.parameters.W1!.data, ...net.parameters.b2!.data];
  };
  const alone = [await fit(2, 150), await fit(3, 70), await fit(4, 199)];
  const together = await Promise.all([fit(2, 150), fit(3, 70), fit(4, 199)]);
  return { alone, together };
}

(window as unknown as { webgpuTests: object }).webgpuTests = { adapter, kernels, train, refusals, stopping, gramSmall, concurrent };
