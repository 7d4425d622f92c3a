import type { Backend } from '../backend/backend.js';
import { resolveBackend, webgpuBackend, withBackend } from '../backend/select.js';
import { isThreadCount, THREADS_RULE } from '../backend/threads.js';
import { ConfigError, DataError, ModelFileError } from '../errors.js';
// The model-file codec is pure (no fs): fromBytes/toBytes work in browsers too.
import { decodeModel, encodeModel, normalizeInput, type Normalization } from '../io/modelfile.js';
import { loadFromStore, modelScheme, saveToStore } from '../io/modelStore.js';
import { assertDType, type DType, formatShape, Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, DEFAULT_LEAKY_SLOPE, OUTPUT_ACTIVATIONS } from './activations.js';
import { argmaxColumns } from './softmax.js';
import { backendDataOptions, checkMemory, processMemoryLimit } from './memory.js';
import { COSTS, type CostName, costFunction } from './costs.js';
import { initializeParametersDeep, INITS, type InitName } from './init.js';
import { accuracy, layerActivations, lModelForward, type ModelOptions, predict } from './model.js';
import { validateLayerDims, type Parameters } from './parameters.js';
import { formatDimensionTable } from './shapes.js';
import type { History } from './callbacks.js';
import { gradientDescent } from './train.js';
import { gradientDescentOnGpu, gpuFitOptions } from './gpuTraining.js';
import { checkTrainingData } from './trainingChecks.js';
import { GRAM_MODES, type GramMode } from './gram.js';
import { firstLayerForm, trainLoop, trainLoopAsync } from './trainLoop.js';
import { isPlainGradientDescent, resolveTrainingOptions, type TrainingOptions } from './trainingOptions.js';

export interface NetworkConfig {
  /** [n0, n1, ..., nL]: input size, hidden sizes, output size. */
  layerDims: number[];
  /** Activation of the hidden layers (default relu). */
  hidden?: ActivationName;
  /** Activation of the output layer (default sigmoid). */
  output?: ActivationName;
  /** One activation per layer 1..L, instead of hidden/output. */
  activations?: ActivationName[];
  /** Leaky ReLU's slope (default 0.01). */
  leakySlope?: number;
  /** Cost (default bce: binary cross-entropy). */
  cost?: CostName;
  /** Initialisation (default xavier: the course's randn / sqrt(n[l-1])). */
  init?: InitName;
  /** numpy seed of the initialisation (default 1). */
  seed?: number;
  dtype?: DType;
  /** Kernel backend: 'auto' (default: the fastest registered), 'reference', 'wasm', or 'webgpu' (float32; trains with fitAsync). */
  backend?: string;
  /** Threads of backends that split large products (wasm); 0, the default, lets the backend choose. Results do not depend on it. */
  threads?: number;
  /** The first layer in Gram form during fit: 'auto' (default), 'on' or 'off' (fit's own gram option wins). */
  gram?: GramMode;
}

/** Training options: the course's learningRate and iterations, and mini-batches, optimisers, L2, dropout, callbacks. */
export type FitOptions = TrainingOptions;

const CONFIG_KEYS = ['layerDims', 'hidden', 'output', 'activations', 'leakySlope', 'cost', 'init', 'seed', 'dtype', 'backend', 'threads', 'gram'];

function rejectUnknown(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${what}: unknown option ${JSON.stringify(key)}; known options: ${known.join(', ')}`);
  }
}

function oneOf<T extends string>(option: string, value: T | undefined, allowed: readonly T[]): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw new ConfigError(`${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

/** The config with defaults filled in, validated once. */
export function resolveNetworkConfig(config: NetworkConfig): Required<Omit<NetworkConfig, 'activations'>> & { activations: ActivationName[] } {
  if (typeof config !== 'object' || config === null) throw new ConfigError('Network: expected a config object { layerDims, ... }');
  rejectUnknown('Network', config, CONFIG_KEYS);
  validateLayerDims(config.layerDims, 'Network layerDims');
  oneOf('hidden', config.hidden, ACTIVATIONS);
  oneOf('output', config.output, OUTPUT_ACTIVATIONS);
  oneOf('cost', config.cost, COSTS);
  oneOf('init', config.init, INITS);
  // WebGPU has no float64: a webgpu network is float32 unless told otherwise, and float64 is refused.
  const dtype = config.dtype ?? (config.backend === 'webgpu' ? 'float32' : 'float64');
  assertDType(dtype, 'Network dtype');
  if (config.backend === 'webgpu' && dtype !== 'float32') {
    throw new ConfigError(`backend 'webgpu' computes in float32 only: WebGPU has no float64 (use dtype 'float32', or backend 'wasm' for float64)`);
  }
  const L = config.layerDims.length - 1;
  const activations = layerActivations(L, { activations: config.activations, hidden: config.hidden, output: config.output }).map(
    (a) => a.name as ActivationName,
  );
  const cost = config.cost ?? 'bce';
  if (cost === 'bce' && activations[L - 1] !== 'sigmoid') {
    throw new ConfigError(`cost 'bce' needs a sigmoid output layer (its log(a) and log(1 - a) need 0 < a < 1), got output ${activations[L - 1]}`);
  }
  // Softmax normalises over the output units: only the output layer, and CE only on its probabilities.
  const softmaxAt = activations.findIndex((g, i) => g === 'softmax' && i < L - 1);
  if (softmaxAt >= 0) throw new ConfigError(`softmax may only be the output activation (layer ${L}), got it at hidden layer ${softmaxAt + 1}`);
  if (cost === 'ce' && activations[L - 1] !== 'softmax') {
    throw new ConfigError(`cost 'ce' (categorical cross-entropy) needs a softmax output layer, got output ${activations[L - 1]}; for two classes use sigmoid with 'bce'`);
  }
  const seed = config.seed ?? 1;
  const threads = config.threads ?? 0;
  if (threads !== 0 && !isThreadCount(threads)) {
    throw new ConfigError(`threads must be ${THREADS_RULE} (or 0: the backend's choice), got ${threads}`);
  }
  // The GPU opens asynchronously, in fitAsync: here its name is only checked.
  if (config.backend !== 'webgpu') resolveBackend(config.backend ?? 'auto');
  oneOf('gram', config.gram, GRAM_MODES);
  return {
    layerDims: [...config.layerDims],
    hidden: config.hidden ?? 'relu',
    output: activations[L - 1]!,
    activations,
    leakySlope: config.leakySlope ?? DEFAULT_LEAKY_SLOPE,
    cost,
    init: config.init ?? 'xavier',
    seed,
    dtype,
    backend: config.backend ?? 'auto',
    threads,
    gram: config.gram ?? 'auto',
  };
}

// Modules that only Node has, named through variables so that browser bundlers leave them out:
// save and load to a path are for Node; fromBytes, toBytes and the URL-like locations run anywhere.
const NODE_ONLY = { fs: 'node:fs/promises', atomic: '../io/atomic.js' };

/**
 * A deep fully-connected network as the course builds it, with its parameters, trained by the
 * course's gradient descent. Its methods take inputs as the user has them: X and Y of either float
 * dtype (cast to the network's), X before the network's `normalization` (applied here), and for a
 * softmax output Y as one-hot columns or as class indices (1, m).
 *
 *   const net = new Network({ layerDims: [12288, 20, 7, 5, 1] });
 *   const costs = net.fit(X, Y, { learningRate: 0.0075, iterations: 2500 });
 *   net.evaluate(Xtest, Ytest); // accuracy
 */
export class Network {
  readonly config: ReturnType<typeof resolveNetworkConfig>;
  parameters: Parameters;
  /** The class of each output unit (the training labels' distinct values, or names such as the cat files' list_classes), kept in the model file. */
  classes: (number | string)[] | null = null;
  /** The input normalisation the network was trained with, kept in the model file. */
  normalization: Normalization | null = null;

  constructor(config: NetworkConfig, parameters?: Parameters) {
    this.config = resolveNetworkConfig(config);
    const { layerDims, seed, init, dtype } = this.config;
    // Before W is allocated and filled (minutes for a W of many GB): the parameters and gradients
    // must fit the typed-array limit and, where the runtime tells (Node), the machine's memory.
    if (!parameters) checkMemory(layerDims, 1, dtype, { includeData: false, limitBytes: processMemoryLimit(), what: `Network [${layerDims.join(', ')}]`, hint: 'use smaller layers' });
    this.parameters = parameters ?? initializeParametersDeep(layerDims, { seed, init, dtype });
  }

  get layerDims(): readonly number[] {
    return this.config.layerDims;
  }

  get L(): number {
    return this.config.layerDims.length - 1;
  }

  private get modelOptions(): ModelOptions {
    return { activations: this.config.activations, leakySlope: this.config.leakySlope, cost: this.config.cost };
  }

  /** What the last fit recorded per epoch: loss, learning rate, validation metrics. */
  history: History | null = null;

  /** The backend this network computes with, set to its thread count. */
  private kernels(): Backend {
    // A webgpu network trains on the GPU (fitAsync); what returns numbers at once runs on wasm.
    const backend = resolveBackend(this.config.backend === 'webgpu' ? 'wasm' : this.config.backend);
    if (this.config.threads > 0) backend.setThreads?.(this.config.threads);
    return backend;
  }

  /**
   * Trains the parameters in place; returns the cost of every epoch (in full-batch training, every
   * iteration's cost before its update). The course's full-batch gradient descent runs the core's
   * loop unchanged; other options run the training loop of nn/trainLoop.ts. Callbacks must be
   * synchronous here: use fitAsync for async ones.
   */
  fit(X: Matrix, Y: Matrix, options: FitOptions = {}): number[] {
    const o = resolveTrainingOptions(options, X.cols, this.L, 'fit');
    if (this.config.backend === 'webgpu') {
      throw new ConfigError("fit: backend 'webgpu' reads its results back asynchronously: train with await fitAsync(X, Y, options)");
    }
    this.checkTrainingMemory(X.cols, options);
    [X, Y] = this.data(X, Y, 'fit');
    if (!isPlainGradientDescent(o) || firstLayerForm(X, this.config.layerDims, { ...options, gram: options.gram ?? this.config.gram }, 'fit').gram) {
      this.history = withBackend(this.kernels(), () => trainLoop(X, Y, this.parameters, { ...options, gram: options.gram ?? this.config.gram }, this.modelOptions, 'fit'));
      return this.history.loss;
    }
    const { learningRate, epochs: iterations, printEvery, onIteration } = o;
    const costs = withBackend(this.kernels(), () =>
      gradientDescent(X, Y, this.parameters, {
        ...this.modelOptions,
        learningRate,
        iterations,
        onIteration: (i, J) => {
          if (printEvery > 0 && (i % printEvery === 0 || i === iterations - 1)) console.log(`Cost after iteration ${i}: ${J}`);
          return onIteration?.(i, J);
        },
      }),
    );
    this.history = {
      epoch: costs.map((_, i) => i),
      loss: costs,
      learningRate: costs.map(() => learningRate),
      stoppedEarly: costs.length < iterations,
    };
    return costs;
  }

  /** fit with callbacks awaited (async callbacks: checkpoints, drawing, yielding to a page). */
  async fitAsync(X: Matrix, Y: Matrix, options: FitOptions = {}): Promise<number[]> {
    const o = resolveTrainingOptions(options, X.cols, this.L, 'fitAsync');
    this.checkTrainingMemory(X.cols, options);
    [X, Y] = this.data(X, Y, 'fitAsync');
    if (this.config.backend === 'webgpu') {
      // Layer 1's form is chosen as on the CPU (gram: auto picks it where it saves work).
      const gpuOptions = gpuFitOptions(o, 'fitAsync', firstLayerForm(X, this.config.layerDims, { ...options, gram: options.gram ?? this.config.gram }, 'fitAsync'));
      const costs = await gradientDescentOnGpu(await webgpuBackend(), X, Y, this.parameters, gpuOptions, this.modelOptions, 'fitAsync');
      this.history = { epoch: costs.map((_, i) => i), loss: costs, learningRate: costs.map(() => o.learningRate), stoppedEarly: costs.length < o.epochs };
      return costs;
    }
    const backend = this.kernels();
    this.history = await trainLoopAsync(X, Y, this.parameters, { ...options, gram: options.gram ?? this.config.gram }, this.modelOptions, 'fitAsync', (fn) => withBackend(backend, fn));
    return this.history.loss;
  }

  /**
   * Refuses (ConfigError "needs about X GB") a training run on m samples whose matrices an array,
   * the backend's memory or (in Node) the machine's cannot hold, before the first one is
   * allocated; fit calls it.
   */
  checkTrainingMemory(m: number, options: FitOptions = {}): void {
    const o = resolveTrainingOptions(options, m, this.L, 'fit');
    const dropout = (Array.isArray(o.keepProb) ? o.keepProb : [o.keepProb]).some((p) => p < 1);
    const backend = this.kernels();
    const { maxBytes, name } = backend;
    const run = { batchSize: o.batchSize, optimizer: o.optimizer, dropout, gram: options.gram ?? this.config.gram };
    const what = `training [${this.config.layerDims.join(', ')}] on m = ${m}`;
    checkMemory(this.config.layerDims, m, this.config.dtype, {
      ...run,
      // A backend with its own memory holds the data there too (and may keep X packed).
      ...backendDataOptions(backend, 'backend'),
      limitBytes: maxBytes,
      limitName: `the ${name} backend can hold (the reference backend has no such limit)`,
      what,
    });
    // The whole process: the caller's data beside the backend's copy.
    const machine = processMemoryLimit();
    if (machine !== undefined) checkMemory(this.config.layerDims, m, this.config.dtype, { ...run, ...backendDataOptions(backend, 'process'), limitBytes: machine, what });
  }

  /** X as the network computes with it: its dtype, then the normalisation it was trained with. */
  input(X: Matrix): Matrix {
    return normalizeInput(X.dtype === this.config.dtype ? X : X.astype(this.config.dtype), this.normalization);
  }

  /** (X, Y) as the network trains on them: X through input(), Y in its dtype, class indices one-hot; checked. */
  private data(X: Matrix, Y: Matrix, op: string): [Matrix, Matrix] {
    if (Y.dtype !== this.config.dtype) Y = Y.astype(this.config.dtype);
    const K = this.layerDims[this.L]!;
    if (this.config.output === 'softmax' && K > 1 && Y.rows === 1) Y = this.oneHot(Y, op);
    X = this.input(X);
    checkTrainingData(X, Y, this.config.layerDims, op);
    return [X, Y];
  }

  /** Class indices (1, m) as one-hot (K, m); an index outside 0..K-1 is an error naming it. */
  private oneHot(Y: Matrix, op: string): Matrix {
    const K = this.layerDims[this.L]!;
    const out = Matrix.zeros(K, Y.cols, Y.dtype);
    for (let j = 0; j < Y.cols; j++) {
      const k = Y.data[j]!;
      if (!Number.isInteger(k) || k < 0 || k >= K) {
        throw new DataError(`${op}: Y ${formatShape(Y.shape)} holds class indices, but sample ${j} has ${k}; this network has classes 0..${K - 1}`);
      }
      out.data[k * Y.cols + j] = 1;
    }
    return out;
  }

  /** AL, the output layer's activations (probabilities for a sigmoid output). */
  forward(X: Matrix): Matrix {
    X = this.input(X);
    return withBackend(this.kernels(), () => lModelForward(X, this.parameters, this.modelOptions)[0]);
  }

  /** The course's predict: 0/1 labels (AL > 0.5) for a sigmoid output, the class index per column for softmax, AL otherwise. */
  predict(X: Matrix): Matrix {
    X = this.input(X);
    return withBackend(this.kernels(), () => predict(X, this.parameters, this.modelOptions));
  }

  /** The predicted class of each sample by name: the model's `classes` where it has them, else the index as text. */
  predictClasses(X: Matrix): string[] {
    const { output } = this.config;
    if (output !== 'softmax' && !(output === 'sigmoid' && this.layerDims[this.L] === 1)) {
      throw new ConfigError(`predictClasses: a network with a ${output} output of ${this.layerDims[this.L]} units predicts values, not classes`);
    }
    return Array.from(this.predict(X).data, (k) => String(this.classes?.[k] ?? k));
  }

  /** The cost on (X, Y). */
  cost(X: Matrix, Y: Matrix): number {
    [X, Y] = this.data(X, Y, 'cost');
    return costFunction(this.config.cost).cost(withBackend(this.kernels(), () => lModelForward(X, this.parameters, this.modelOptions)[0]), Y);
  }

  /** Accuracy: the fraction of samples whose predicted label equals Y. */
  evaluate(X: Matrix, Y: Matrix): number {
    [X, Y] = this.data(X, Y, 'evaluate');
    const p = withBackend(this.kernels(), () => predict(X, this.parameters, this.modelOptions));
    // Softmax predicts class indices; one-hot Y (K, m) holds them as the row of each column's 1.
    if (this.config.output === 'softmax') return accuracy(p, argmaxColumns(Y));
    return accuracy(p, Y);
  }

  /** The model file's bytes (safetensors: W1, b1, ..., WL, bL + the config): the same network gives the same bytes. */
  toBytes(): Uint8Array {
    const { layerDims, activations, leakySlope, cost, dtype, init, seed } = this.config;
    const config = { layerDims, activations, leakySlope, cost, dtype, init, seed, normalization: this.normalization, classes: this.classes };
    return encodeModel(config, this.parameters);
  }

  /** A network from a model file's bytes (anywhere: Node or a browser); `source` names it in errors. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer, source = 'model file'): Network {
    const { config, parameters } = decodeModel(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), source);
    const { layerDims, activations, leakySlope, cost, dtype, init, seed } = config;
    let net: Network;
    try {
      // `hidden` only names the hidden layers' shared activation; `activations` is what runs.
      const hidden = activations.length > 1 && activations.slice(0, -1).every((g) => g === activations[0]) ? activations[0] : undefined;
      net = new Network({ layerDims, activations, hidden, leakySlope, cost, dtype, init, seed }, parameters);
    } catch (e) {
      if (e instanceof ConfigError) throw new ModelFileError(`${source}: ${e.message}`, { cause: e });
      throw e;
    }
    net.classes = config.classes;
    net.normalization = config.normalization;
    return net;
  }

  /**
   * Saves the model file: to a path (Node; written to a temporary file in the same folder, then
   * renamed over it), or in a browser to `indexeddb://NAME`, `localstorage://NAME` or `downloads://NAME`.
   */
  async save(location: string): Promise<void> {
    if (modelScheme(location) !== null) return saveToStore(location, this.toBytes());
    const { writeFileAtomic } = (await import(/* @vite-ignore */ NODE_ONLY.atomic)) as typeof import('../io/atomic.js');
    writeFileAtomic(location, this.toBytes());
  }

  /** Reads a model file: a path (Node), `indexeddb://NAME`, `localstorage://NAME` (browsers) or an http(s):// URL (anywhere fetch is). */
  static async load(location: string | URL): Promise<Network> {
    const where = String(location);
    if (modelScheme(where) !== null) return Network.fromBytes(await loadFromStore(where), where);
    const { readFile } = (await import(/* @vite-ignore */ NODE_ONLY.fs)) as typeof import('node:fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(location instanceof URL ? location : where);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ModelFileError(`${where}: no such file`, { cause: e });
      if (code === 'EISDIR') throw new ModelFileError(`${where}: is a folder, not a model file`, { cause: e });
      throw new ModelFileError(`${where}: cannot read (${(e as Error).message})`, { cause: e });
    }
    return Network.fromBytes(bytes, where);
  }

  /** The course's dimension table for m samples: W, b, Z, A (and their gradients) per layer. */
  summary(m = 1): string {
    return formatDimensionTable(this.config.layerDims, m, this.config.activations);
  }
}
