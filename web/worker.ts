/// <reference lib="webworker" />
// The training worker: it owns the data and the Network and trains with the library's own loop
// (Network.fitAsync), yielding to its event loop after every iteration so that pause, step and
// reset take effect before the next iteration starts. The page never blocks. On the GPU, fitAsync
// reads back every GPU_READ_EVERY iterations: pause, step and a new learning rate stop its run
// from onIteration (the parameters are then exactly the CPU loop's) and a new run goes on from them.

import { type Dataset, scaledInto } from '../src/data/dataset.js';
import { parseCsv } from '../src/data/csv.js';
import { planarDataset } from '../src/data/planar.js';
import { trainTestSplit } from '../src/data/split.js';
import { circlesDataset, gaussianDataset, moonsDataset, spiralDataset, xorDataset } from '../src/data/synthetic.js';
import { resolveBackend, webgpuBackend } from '../src/backend/select.js';
import { defaultThreads, WasmBackend } from '../src/backend/wasm/wasm-backend.js';
import { DeepnetError, DivergenceError } from '../src/errors.js';
import { classesOf, mapSets } from '../src/experiment/labels.js';
import { type DType, Matrix } from '../src/matrix.js';
import { fitMinMax, fitStandardization } from '../src/data/normalize.js';
import type { ActivationName } from '../src/nn/activations.js';
import type { CostName } from '../src/nn/costs.js';
import type { InitName } from '../src/nn/init.js';
import type { Callback } from '../src/nn/callbacks.js';
import { lModelBackward, lModelForward } from '../src/nn/model.js';
import { firstLayerForm } from '../src/nn/trainLoop.js';
import { Network } from '../src/nn/network.js';
import type { OptimizerName } from '../src/nn/optimizers.js';
import { resolveTrainingOptions, type TrainingOptions } from '../src/nn/trainingOptions.js';
import { type CatBytes, type DataSpec, type DataSummary, type FromWorker, type NetworkSpec, type Progress, testFraction, type ToWorker, type TraceStep, type TrainingSpec } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

const BOUNDARY_SIZE = 72;
/** Pixels a side of each hidden unit's heatmap, and the units drawn per layer (the diagram's). */
const UNIT_SIZE = 32;
const UNITS_SHOWN = 10;
const PROGRESS_MS = 80;
/** How often the test cost is taken where it costs more than an iteration (the first layer in Gram form). */
const TEST_MS = 400;
/** The course's model() shuffles epoch e with seed 10 + 1 + e (the library's default shuffleSeed). */
const SHUFFLE_SEED = 10;
/** fitAsync's readback interval on the GPU: net.parameters are those of the last readback between them. */
const GPU_READ_EVERY = 32;
/** The library's default seed of the dropout masks. */
const DROPOUT_SEED = 1;
/** A unit's colours, as the diagram's weights: blue +, orange -. */
const POSITIVE = [37, 99, 235] as const;
const NEGATIVE = [234, 88, 12] as const;

interface Session {
  generation: number;
  net: Network;
  spec: NetworkSpec;
  train: Dataset;
  test: Dataset | null;
  /** Labels as class indices (1, m), for accuracy and drawing, whatever Y's encoding. */
  K: number;
  extent?: [number, number, number, number];
  grid?: Matrix;
  /** The coarser plane each hidden unit's heatmap is drawn over. */
  unitGrid?: Matrix;
  iteration: number;
  pending: [number, number][];
  pendingTest: [number, number][];
  /** When the test cost was last taken. */
  lastTest: number;
  running: boolean;
  paused: boolean;
  stepsLeft: number;
  done: boolean;
  resume: (() => void) | null;
  lastPost: number;
  rateStart: { time: number; iteration: number };
  /** Set when the learning rate or iteration count changed: the loop restarts from the current parameters. */
  restart: boolean;
}

let session: Session | null = null;
/** The page's build number of the network in `session` (a configure or load): a run of an older one stops. */
let generation = 0;
/** The kernels' threads: the page's choice, else the cores (1 where the page is not cross-origin isolated). */
let threads = defaultThreads();
/** Resolves when the kernels' worker threads are running; they start when a network is built. */
let kernelsReady: Promise<void> = Promise.resolve();

/** How long the page waits for navigator.gpu to answer before it trains on the CPU (a driver may hang). */
const GPU_ANSWER_MS = 5000;

// The GPU is asked for once, at start: the page offers it only where an adapter answers.
void Promise.race([
  webgpuBackend(),
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`navigator.gpu gave no adapter within ${GPU_ANSWER_MS / 1000} s`)), GPU_ANSWER_MS)),
]).then(
  (gpu) => post({ type: 'gpu', gpu: { adapterName: gpu.adapterName, software: gpu.software } }),
  (e: unknown) => post({ type: 'gpu', gpu: { adapterName: null, reason: e instanceof Error ? e.message : String(e) } }),
);

// A macrotask boundary that is not clamped like setTimeout: the message queue gets its turn.
const channel = new MessageChannel();
const ticks: (() => void)[] = [];
channel.port1.onmessage = () => ticks.shift()?.();
function nextTick(): Promise<void> {
  return new Promise((resolve) => {
    ticks.push(resolve);
    channel.port2.postMessage(null);
  });
}

function builtin(spec: Extract<DataSpec, { kind: 'builtin' }>, cat: { train?: CatBytes; test?: CatBytes }): [Dataset, Dataset | null] {
  const { seed, noise } = spec;
  const fraction = testFraction(spec.trainPercent);
  switch (spec.name) {
    case 'planar':
      // The course's week 3 trains on all 400 points and reports the training accuracy.
      return [planarDataset(), null];
    case 'xor':
      return split(xorDataset({ seed, noise }), seed, fraction);
    case 'circles':
      return split(circlesDataset({ seed, noise }), seed, fraction);
    case 'moons':
      return split(moonsDataset({ seed, noise }), seed, fraction);
    case 'spiral':
      return split(spiralDataset({ seed, noise, K: 3, m: 300 }), seed, fraction);
    case 'gaussian':
      return split(gaussianDataset({ seed, noise, K: 3, m: 300 }), seed, fraction);
    case 'cat':
      if (!cat.train || !cat.test) throw new DeepnetErrorLike('data', 'the cat images did not load');
      return [catDataset(cat.train, 'train'), catDataset(cat.test, 'test')];
  }
}

class DeepnetErrorLike extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The course's X = x.reshape(m, -1).T / 255 from the raw pixels (already feature by feature). */
function catDataset(bytes: CatBytes, role: string): Dataset {
  const { m } = bytes;
  const X = Matrix.zeros(bytes.x.length / m, m);
  scaledInto(bytes.x, X.data, 255);
  const Y = Matrix.zeros(1, m);
  for (let s = 0; s < m; s++) Y.data[s] = bytes.y[s]!;
  return { X, Y, classes: ['non-cat', 'cat'], source: `cat (${role})` };
}

/** A seeded split by np.random.permutation (80/20 unless asked), so a seed gives the same split every time. */
function split(data: Dataset, seed: number, fraction = 0.2): [Dataset, Dataset] {
  const { train, test } = trainTestSplit(data, { testFraction: fraction, seed });
  return [train, test];
}

function indices(Y: Matrix): Uint8Array {
  if (Y.rows === 1) return Uint8Array.from(Y.data);
  const out = new Uint8Array(Y.cols);
  for (let s = 0; s < Y.cols; s++) for (let k = 0; k < Y.rows; k++) if (Y.data[k * Y.cols + s] === 1) out[s] = k;
  return out;
}

function predictedClasses(net: Network, X: Matrix): { predicted: Uint8Array; probability: Float32Array } {
  const AL = net.forward(X);
  const m = AL.cols;
  const predicted = new Uint8Array(m);
  const probability = new Float32Array(m);
  for (let s = 0; s < m; s++) {
    if (AL.rows === 1) {
      const p = AL.data[s]!;
      predicted[s] = p > 0.5 ? 1 : 0;
      probability[s] = p;
    } else {
      let best = 0;
      for (let k = 1; k < AL.rows; k++) if (AL.data[k * m + s]! > AL.data[best * m + s]!) best = k;
      predicted[s] = best;
      probability[s] = AL.data[best * m + s]!;
    }
  }
  return { predicted, probability };
}

function accuracyOf(net: Network, data: Dataset): number {
  const { predicted } = predictedClasses(net, data.X);
  const truth = indices(data.Y);
  let same = 0;
  for (let s = 0; s < truth.length; s++) if (truth[s] === predicted[s]) same++;
  return truth.length ? same / truth.length : 0;
}

function summary(s: Session, name: string): DataSummary {
  const { train, test } = s;
  const out: DataSummary = { name, nX: train.X.rows, m: train.X.cols, mTest: test?.X.cols ?? 0, classes: train.classes ?? [] };
  if (train.X.rows === 2) {
    const all = [train, ...(test ? [test] : [])];
    const total = all.reduce((n, d) => n + d.X.cols, 0);
    const x1 = new Float32Array(total);
    const x2 = new Float32Array(total);
    const label = new Uint8Array(total);
    const isTest = new Uint8Array(total);
    let t = 0;
    all.forEach((d, which) => {
      const lab = indices(d.Y);
      for (let j = 0; j < d.X.cols; j++, t++) {
        x1[t] = d.X.data[j]!;
        x2[t] = d.X.data[d.X.cols + j]!;
        label[t] = lab[j]!;
        isTest[t] = which;
      }
    });
    out.points = { x1, x2, label, test: isTest };
    out.extent = s.extent;
  }
  return out;
}

/** n x n points over the plane, row-major from the top-left, as (2, n²) columns. */
function planeGrid(extent: [number, number, number, number], n: number): Matrix {
  const [x0, x1, y0, y1] = extent;
  const grid = Matrix.zeros(2, n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      grid.data[r * n + c] = x0 + ((c + 0.5) / n) * (x1 - x0);
      grid.data[n * n + r * n + c] = y1 - ((r + 0.5) / n) * (y1 - y0);
    }
  }
  return grid;
}

function dataExtent(X: Matrix): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  const m = X.cols;
  for (let s = 0; s < m; s++) {
    x0 = Math.min(x0, X.data[s]!);
    x1 = Math.max(x1, X.data[s]!);
    y0 = Math.min(y0, X.data[m + s]!);
    y1 = Math.max(y1, X.data[m + s]!);
  }
  const padX = (x1 - x0) * 0.08 || 1;
  const padY = (y1 - y0) * 0.08 || 1;
  return [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
}

function weightsSnapshot(net: Network): Progress['weights'] {
  const W: (number[][] | null)[] = [];
  let maxAbs = 0;
  for (let l = 1; l <= net.L; l++) {
    const M = net.parameters[`W${l}`]!;
    if (M.size > 400) {
      W.push(null);
      continue;
    }
    W.push(M.toArray());
    for (const v of M.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  return { W, maxAbs };
}

const modelOptions = (net: Network) => ({ activations: net.config.activations, cost: net.config.cost, leakySlope: net.config.leakySlope });

/**
 * Each hidden unit's A[l] over the plane as RGBA: blue where it is positive, orange where negative,
 * white at 0, scaled by the unit's largest |A| over the plane (a relu unit's 0 stays white).
 */
function unitPixels(net: Network, grid: Matrix): NonNullable<Progress['units']> {
  const [, caches] = lModelForward(net.input(grid), net.parameters, modelOptions(net));
  const n = grid.cols;
  const pixels: Uint8ClampedArray<ArrayBuffer>[][] = [];
  for (let l = 1; l < net.L; l++) {
    const A = caches[l - 1]!.activationCache.A;
    const layer: Uint8ClampedArray<ArrayBuffer>[] = [];
    for (let i = 0; i < Math.min(A.rows, UNITS_SHOWN); i++) {
      let maxAbs = 0;
      for (let t = 0; t < n; t++) maxAbs = Math.max(maxAbs, Math.abs(A.data[i * n + t]!));
      const rgba = new Uint8ClampedArray(4 * n);
      for (let t = 0; t < n; t++) {
        const v = maxAbs > 0 ? A.data[i * n + t]! / maxAbs : 0;
        const [r, g, b] = v >= 0 ? POSITIVE : NEGATIVE;
        const w = Math.abs(v);
        rgba[4 * t] = 255 + (r - 255) * w;
        rgba[4 * t + 1] = 255 + (g - 255) * w;
        rgba[4 * t + 2] = 255 + (b - 255) * w;
        rgba[4 * t + 3] = 255;
      }
      layer.push(rgba);
    }
    pixels.push(layer);
  }
  return { size: UNIT_SIZE, pixels };
}

function sendProgress(s: Session): void {
  const now = performance.now();
  const seconds = (now - s.rateStart.time) / 1000;
  const progress: Progress = {
    iteration: s.iteration,
    costs: s.pending,
    testCosts: s.pendingTest,
    trainAccuracy: accuracyOf(s.net, s.train),
    testAccuracy: s.test ? accuracyOf(s.net, s.test) : null,
    iterationsPerSecond: seconds > 0 ? (s.iteration - s.rateStart.iteration) / seconds : 0,
    running: s.running && !s.paused,
    done: s.done,
    weights: weightsSnapshot(s.net),
    chunksByThread: chunksByThread(s.net),
  };
  const transfer: Transferable[] = [];
  if (s.grid) {
    const AL = s.net.forward(s.grid);
    const values = Float32Array.from(AL.data);
    progress.boundary = { size: BOUNDARY_SIZE, K: AL.rows, values };
    transfer.push(values.buffer);
  }
  if (s.unitGrid && s.net.L > 1) {
    progress.units = unitPixels(s.net, s.unitGrid);
    for (const layer of progress.units.pixels) for (const rgba of layer) transfer.push(rgba.buffer);
  }
  if (s.test && s.train.X.rows !== 2) progress.testPredictions = predictedClasses(s.net, s.test.X);
  s.pending = [];
  s.pendingTest = [];
  s.lastPost = now;
  if (now - s.rateStart.time > 1000) s.rateStart = { time: now, iteration: s.iteration };
  post({ type: 'progress', build: s.generation, progress }, transfer);
}

function networkFor(spec: NetworkSpec, nX: number, K: number): Network {
  const multi = K > 2;
  const output = multi ? 'softmax' : spec.output;
  const cost = multi ? 'ce' : spec.cost;
  return new Network({
    layerDims: [nX, ...spec.hidden.map((h) => h.units), multi ? K : 1],
    activations: [...spec.hidden.map((h) => h.activation), output] as ActivationName[],
    cost: cost as CostName,
    init: spec.init as InitName,
    seed: spec.seed,
    dtype: spec.dtype,
    backend: spec.backend === 'webgpu' ? 'webgpu' : 'auto',
    threads,
  });
}

/**
 * The network's backend, set to its threads, and the threads its large products really run on (on
 * the GPU, those of the CPU kernels that draw its pictures between readbacks).
 */
function kernels(net: Network): { backend: string; threads: number } {
  const onGpu = net.config.backend === 'webgpu';
  const backend = resolveBackend(onGpu ? 'wasm' : net.config.backend);
  if (!(backend instanceof WasmBackend)) return { backend: backend.name, threads: 1 };
  if (net.config.threads > 0) backend.setThreads(net.config.threads);
  // Start the workers now: they begin once this worker yields, before training is asked for.
  const at = generation;
  kernelsReady = backend.ready().then(() => {
    if (at === generation) post({ type: 'threads', threads: backend.activeThreads });
  });
  return { backend: onGpu ? 'webgpu' : backend.name, threads: backend.activeThreads };
}

function chunksByThread(net: Network): number[] {
  const backend = resolveBackend(net.config.backend);
  return backend instanceof WasmBackend ? backend.chunksByThread() : [];
}

function configure(msg: Extract<ToWorker, { type: 'configure' }>): void {
  generation = msg.build;
  session?.resume?.();
  threads = msg.threads ?? defaultThreads();
  let train: Dataset;
  let test: Dataset | null;
  try {
    [train, test] = msg.data.kind === 'builtin' ? builtin(msg.data, { train: msg.catTrain, test: msg.catTest }) : split(parseCsv(msg.data.text, msg.data.name), 1);
  } catch (e) {
    session = null;
    return fail(e, 'data');
  }
  // The same labels -> classes -> output as the command line: 2 classes sigmoid + BCE on 0/1, more softmax + CE.
  let net: Network;
  let K: number;
  let classes: ReturnType<typeof classesOf>;
  try {
    classes = classesOf(train);
    K = classes.length;
    train = { ...train };
    test = test ? { ...test } : null;
    mapSets(classes, K > 2 ? { output: 'softmax', cost: 'ce' } : { output: 'sigmoid', cost: 'bce' }, `the classes of ${train.source}`, [train, test ?? undefined]);
    // The names are kept for the page's legend; the labels are class indices now.
    train.classes = classes.map(String);
  } catch (e) {
    session = null;
    return fail(e, 'data');
  }
  try {
    net = networkFor(msg.network, train.X.rows, K);
    net.classes = classes;
  } catch (e) {
    session = null;
    return fail(e, 'network');
  }
  try {
    // The page checks these too; a CSV's m is known only here.
    resolveTrainingOptions(trainingOptions(msg.network, 0), train.X.cols, net.L, 'the playground');
  } catch (e) {
    session = null;
    return fail(e, 'network');
  }
  // The data in the network's dtype once, not at every forward pass.
  [train, test] = [train, test].map((d) => d && inDType(d, net.config.dtype)) as [Dataset, Dataset | null];
  if (msg.normalize !== 'none' && msg.data.kind === 'csv') net.normalization = (msg.normalize === 'minmax' ? fitMinMax : fitStandardization)(train.X);
  const extent = train.X.rows === 2 ? dataExtent(train.X) : undefined;
  const now = performance.now();
  session = {
    generation,
    net,
    spec: msg.network,
    train,
    test,
    K,
    extent,
    grid: extent ? planeGrid(extent, BOUNDARY_SIZE) : undefined,
    unitGrid: extent ? planeGrid(extent, UNIT_SIZE) : undefined,
    iteration: 0,
    pending: [],
    pendingTest: [],
    lastTest: 0,
    running: false,
    paused: true,
    stepsLeft: Infinity,
    done: false,
    resume: null,
    lastPost: now,
    rateStart: { time: now, iteration: 0 },
    restart: false,
  };
  post({ type: 'ready', build: generation, data: summary(session, msg.data.name), layerDims: [...net.layerDims], activations: [...net.config.activations], cost: net.config.cost, dtype: net.config.dtype, normalized: net.normalization !== null, loaded: false, ...kernels(net) });
  sendProgress(session);
}

function inDType(d: Dataset, dtype: DType): Dataset {
  return d.X.dtype === dtype ? d : { ...d, X: d.X.astype(dtype), Y: d.Y.astype(dtype) };
}

function fail(e: unknown, field: string): void {
  const message = e instanceof Error ? e.message : String(e);
  // A diverged run has its own place in the page, beside the cost it is about.
  const at = e instanceof DeepnetErrorLike ? e.field : e instanceof DivergenceError ? 'diverged' : e instanceof DeepnetError ? field : null;
  post({ type: 'error', field: at, message });
}

/**
 * fit's options from the page's, for a run that starts at `iteration`: its shuffles go on where they
 * were, and its dropout masks are new ones (a run from 0 is the library's default run).
 */
function trainingOptions(spec: TrainingSpec, iteration: number): TrainingOptions {
  return {
    learningRate: spec.learningRate,
    iterations: Math.max(0, spec.iterations - iteration),
    batchSize: spec.batchSize ?? undefined,
    lambd: spec.lambd,
    keepProb: spec.keepProb,
    shuffleSeed: SHUFFLE_SEED + iteration,
    dropoutSeed: DROPOUT_SEED + iteration,
  };
}

/**
 * Runs the library's training loop; the callback after each iteration is where pause and step wait.
 * A new learning rate or iteration count ends the loop after the current iteration, and it goes on
 * from the same parameters with the new values (as the TensorFlow Playground does).
 */
async function run(s: Session): Promise<void> {
  s.running = true;
  const { net } = s;
  try {
    // Every iteration on every thread from the first (the results would be the same without them).
    await kernelsReady;
    while (s.generation === generation && s.iteration < s.spec.iterations) {
      s.restart = false;
      if (net.config.backend === 'webgpu') {
        await fitOnGpu(s);
        if (s.generation !== generation) break;
        if (s.paused && s.iteration < s.spec.iterations) {
          sendProgress(s);
          post({ type: 'paused', build: s.generation, iteration: s.iteration });
          await new Promise<void>((resolve) => (s.resume = resolve));
          s.resume = null;
        }
        continue;
      }
      let testEvery = true;
      const callback: Callback = {
        onEpochEnd: async (_epoch, _logs, context) => {
          if (s.stepsLeft !== Infinity && --s.stepsLeft <= 0) {
            s.paused = true;
            s.stepsLeft = Infinity;
          }
          const now = performance.now();
          const report = s.paused || now - s.lastPost > PROGRESS_MS;
          if (s.test && (testEvery || s.paused || now - s.lastTest > TEST_MS || s.iteration + 1 >= s.spec.iterations)) {
            // The library's cost on the test split after this iteration's update (as Keras's val_loss);
            // reading context.parameters brings a first layer in Gram form up to date first.
            void context.parameters;
            s.pendingTest.push([s.iteration, net.cost(s.test.X, s.test.Y)]);
            s.lastTest = now;
          }
          s.iteration++;
          if (report) sendProgress(s);
          if (s.paused && s.generation === generation) {
            post({ type: 'paused', build: s.generation, iteration: s.iteration });
            await new Promise<void>((resolve) => (s.resume = resolve));
            s.resume = null;
          } else {
            await nextTick();
          }
          if (s.generation !== generation || s.restart) context.stopTraining();
        },
      };
      const options: TrainingOptions = {
        ...trainingOptions(s.spec, s.iteration),
        optimizer: s.spec.optimizer as OptimizerName,
        onIteration: (_i, J) => {
          s.pending.push([s.iteration, J]);
        },
        callbacks: [callback],
      };
      // The test cost reads W[1]: with the first layer in Gram form (cat) that costs several
      // iterations, so there it is taken every TEST_MS, when paused, and at the end.
      testEvery = !firstLayerForm(s.train.X, net.layerDims, { ...options, gram: net.config.gram }, 'the playground').gram;
      await net.fitAsync(s.train.X, s.train.Y, options);
      if (!s.restart) break;
    }
    if (s.generation === generation) {
      s.done = s.iteration >= s.spec.iterations;
      s.running = false;
      sendProgress(s);
    }
  } catch (e) {
    s.running = false;
    if (s.generation === generation) {
      fail(e, 'training');
      sendProgress(s);
    }
  }
}

/**
 * One GPU run from the current parameters, until the iterations end or a pause, a step's end, new
 * settings or a reset stops it before an update. The costs are every iteration's; the test cost
 * and the pictures read net.parameters, which are those of the last readback.
 */
async function fitOnGpu(s: Session): Promise<void> {
  const { net } = s;
  const base = s.iteration;
  const testCost = (after: number) => {
    if (s.test) s.pendingTest.push([after, net.cost(s.test.X, s.test.Y)]);
  };
  await net.fitAsync(s.train.X, s.train.Y, {
    learningRate: s.spec.learningRate,
    // A step runs just its iterations: no GPU batch is run and then undone.
    iterations: Math.min(s.spec.iterations - base, s.stepsLeft),
    onIteration: (i, J) => {
      if (s.generation !== generation || s.restart || s.paused) return false;
      // A batch's first cost comes with the parameters read back after the iteration before it.
      if (i > 0 && i % GPU_READ_EVERY === 0) testCost(base + i - 1);
      s.pending.push([s.iteration, J]);
      s.iteration++;
      if (s.stepsLeft !== Infinity && --s.stepsLeft <= 0) {
        s.paused = true;
        s.stepsLeft = Infinity;
      }
      if (performance.now() - s.lastPost > PROGRESS_MS) sendProgress(s);
      return undefined;
    },
  });
  // The run's end or stop: net.parameters are exactly those after s.iteration iterations.
  if (s.generation === generation && s.iteration > base) testCost(s.iteration - 1);
}

/** New training settings, applied from the next iteration; more iterations continue after "Done". */
function update(training: TrainingSpec): void {
  const s = session;
  if (!s) return;
  const { iterations } = training;
  s.spec = { ...s.spec, ...training };
  s.restart = true;
  if (s.done && iterations > s.iteration) s.done = false;
  if (!s.running) s.done = s.iteration >= iterations && s.iteration > 0;
  sendProgress(s);
}

function start(steps: number): void {
  const s = session;
  if (!s || s.done) return;
  s.paused = false;
  s.stepsLeft = steps;
  s.rateStart = { time: performance.now(), iteration: s.iteration };
  if (!s.running) void run(s);
  else s.resume?.();
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(4);
}

function stats(M: Matrix): string {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of M.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return `min ${fmt(min)}, mean ${fmt(sum / M.size)}, max ${fmt(max)}`;
}

const shape = (M: Matrix) => `(${M.rows}, ${M.cols})`;

/** One iteration spelled out with the course's formulas and the real shapes and values. */
function trace(s: Session): TraceStep[] {
  const { net } = s;
  const options = modelOptions(net);
  const [AL, caches] = lModelForward(net.input(s.train.X), net.parameters, options);
  const grads = lModelBackward(AL, s.train.Y, caches, options);
  const L = net.L;
  const steps: TraceStep[] = [];
  for (let l = 1; l <= L; l++) {
    const { Z, A } = caches[l - 1]!.activationCache;
    const W = net.parameters[`W${l}`]!;
    const APrev = caches[l - 1]!.linearCache.APrev;
    steps.push({ phase: 'forward', layer: l, formula: `Z[${l}] = W[${l}]·A[${l - 1}] + b[${l}]`, shapes: `${shape(W)}·${shape(APrev)} + (${W.rows}, 1) → ${shape(Z)}`, stats: stats(Z) });
    steps.push({ phase: 'forward', layer: l, formula: `A[${l}] = ${net.config.activations[l - 1]}(Z[${l}])`, shapes: `${shape(Z)} → ${shape(A)}`, stats: stats(A) });
  }
  steps.push({ phase: 'cost', layer: L, formula: `J = ${net.config.cost}(A[${L}], Y)`, shapes: `${shape(AL)}, ${shape(s.train.Y)} → scalar`, stats: `J = ${net.cost(s.train.X, s.train.Y)}` });
  for (let l = L; l >= 1; l--) {
    const dZ = grads[`dZ${l}`]!;
    const dW = grads[`dW${l}`]!;
    const db = grads[`db${l}`]!;
    steps.push({ phase: 'backward', layer: l, formula: l === L ? `dZ[${l}] = dA[${l}] * g'(Z[${l}])` : `dZ[${l}] = dA[${l}] * ${net.config.activations[l - 1]}'(Z[${l}])`, shapes: `${shape(dZ)}`, stats: stats(dZ) });
    steps.push({ phase: 'backward', layer: l, formula: `dW[${l}] = (1/m) dZ[${l}]·A[${l - 1}]ᵀ`, shapes: `${shape(dZ)}·(${dZ.cols}, ${dW.cols}) → ${shape(dW)}`, stats: stats(dW) });
    steps.push({ phase: 'backward', layer: l, formula: `db[${l}] = (1/m) Σ dZ[${l}] over columns`, shapes: `${shape(dZ)} → ${shape(db)}`, stats: stats(db) });
    if (l > 1) {
      const dA = grads[`dA${l - 1}`]!;
      steps.push({ phase: 'backward', layer: l, formula: `dA[${l - 1}] = W[${l}]ᵀ·dZ[${l}]`, shapes: `(${dW.cols}, ${dW.rows})·${shape(dZ)} → ${shape(dA)}`, stats: stats(dA) });
    }
  }
  steps.push({ phase: 'update', layer: 0, formula: `W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l]`, shapes: `α = ${s.spec.learningRate}`, stats: `for l = 1..${L}` });
  return steps;
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'configure':
        return configure(msg);
      case 'start':
        return start(Infinity);
      case 'update':
        return update(msg.training);
      case 'step':
        return start(1);
      case 'pause':
        if (session && session.running) session.paused = true;
        return;
      case 'trace':
        if (session) post({ type: 'trace', steps: trace(session) });
        return;
      case 'save': {
        if (!session) return;
        const bytes = session.net.toBytes();
        const copy = bytes.slice().buffer;
        post({ type: 'model', bytes: copy, name: 'deepnet-model.safetensors' }, [copy]);
        return;
      }
      case 'load': {
        const net = Network.fromBytes(msg.bytes, msg.name);
        if (!session) throw new DeepnetErrorLike('model', 'pick a data set before loading a model');
        if (net.layerDims[0] !== session.train.X.rows) {
          throw new DeepnetErrorLike('model', `${msg.name} takes n_x = ${net.layerDims[0]} inputs but the data has ${session.train.X.rows} features`);
        }
        generation = msg.build;
        session.resume?.();
        const [train, test] = [session.train, session.test].map((d) => d && inDType(d, net.config.dtype)) as [Dataset, Dataset | null];
        session = { ...session, generation, net, train, test, iteration: 0, pending: [], pendingTest: [], running: false, paused: true, done: false, resume: null, stepsLeft: Infinity, restart: false };
        post({ type: 'ready', build: generation, data: summary(session, 'loaded model'), layerDims: [...net.layerDims], activations: [...net.config.activations], cost: net.config.cost, dtype: net.config.dtype, normalized: net.normalization !== null, loaded: true, ...kernels(net) });
        sendProgress(session);
        return;
      }
    }
  } catch (e) {
    fail(e, msg.type === 'load' ? 'model' : 'network');
  }
};
