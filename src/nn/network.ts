import type { Backend } from '../backend/backend.js';
import { resolveBackend, webgpuBackend, withBackend } from '../backend/select.js';
import { ConfigError, ModelFileError } from '../errors.js';
// The model-file codec is pure (no fs): fromBytes/toBytes work in browsers too.
import { decodeModel, encodeModel, type Normalization } from '../io/modelfile.js';
import { assertDType, type DType, type Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, DEFAULT_LEAKY_SLOPE, OUTPUT_ACTIVATIONS } from './activations.js';
import { argmaxColumns } from './softmax.js';
import { COSTS, type CostName, costFunction } from './costs.js';
import { initializeParametersDeep, INITS, type InitName } from './init.js';
import { accuracy, layerActivations, lModelForward, type ModelOptions, predict } from './model.js';
import { validateLayerDims, type Parameters } from './parameters.js';
import { formatDimensionTable } from './shapes.js';
import type { History } from './callbacks.js';
import { gradientDescent } from './train.js';
import { gradientDescentOnGpu, gpuFitOptions } from './gpuTraining.js';
import { checkTrainingData } from './trainingChecks.js';
import { trainLoop, trainLoopAsync } from './trainLoop.js';
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
}

/** Training options: the course's learningRate and iterations, and mini-batches, optimisers, L2, dropout, callbacks. */
export type FitOptions = TrainingOptions;

const CONFIG_KEYS = ['layerDims', 'hidden', 'output', 'activations', 'leakySlope', 'cost', 'init', 'seed', 'dtype', 'backend', 'threads'];

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
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) {
    throw new ConfigError(`threads must be an integer from 1 to 64 (or 0: the backend's choice), got ${threads}`);
  }
  // The GPU opens asynchronously, in fitAsync: here its name is only checked.
  if (config.backend !== 'webgpu') resolveBackend(config.backend ?? 'auto');
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
  };
}

// Modules that only Node has, named through variables so that browser bundlers leave them out:
// save and load are for Node; fromBytes and toBytes run anywhere.
const NODE_ONLY = { fs: 'node:fs/promises', atomic: '../io/atomic.js' };

/**
 * A deep fully-connected network as the course builds it, with its parameters, trained by the
 * course's gradient descent.
 *
 *   const net = new Network({ layerDims: [12288, 20, 7, 5, 1] });
 *   const costs = net.fit(X, Y, { learningRate: 0.0075, iterations: 2500 });
 *   net.evaluate(Xtest, Ytest); // accuracy
 */
export class Network {
  readonly config: ReturnType<typeof resolveNetworkConfig>;
  parameters: Parameters;
  /** Class names by label index, kept in the model file (e.g. the cat files' list_classes). */
  classes: string[] | null = null;
  /** The input normalisation the network was trained with, kept in the model file. */
  normalization: Normalization | null = null;

  constructor(config: NetworkConfig, parameters?: Parameters) {
    this.config = resolveNetworkConfig(config);
    const { layerDims, seed, init, dtype } = this.config;
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
    checkTrainingData(X, Y, this.config.layerDims, 'fit');
    if (this.config.backend === 'webgpu') {
      throw new ConfigError("fit: backend 'webgpu' reads its results back asynchronously: train with await fitAsync(X, Y, options)");
    }
    if (!isPlainGradientDescent(o)) {
      this.history = withBackend(this.kernels(), () => trainLoop(X, Y, this.parameters, options, this.modelOptions, 'fit'));
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
    checkTrainingData(X, Y, this.config.layerDims, 'fitAsync');
    if (this.config.backend === 'webgpu') {
      const gpuOptions = gpuFitOptions(o, 'fitAsync');
      const costs = await gradientDescentOnGpu(await webgpuBackend(), X, Y, this.parameters, gpuOptions, this.modelOptions, 'fitAsync');
      this.history = { epoch: costs.map((_, i) => i), loss: costs, learningRate: costs.map(() => o.learningRate), stoppedEarly: costs.length < o.epochs };
      return costs;
    }
    const backend = this.kernels();
    this.history = await trainLoopAsync(X, Y, this.parameters, options, this.modelOptions, 'fitAsync', (fn) => withBackend(backend, fn));
    return this.history.loss;
  }

  /** AL, the output layer's activations (probabilities for a sigmoid output). */
  forward(X: Matrix): Matrix {
    return withBackend(this.kernels(), () => lModelForward(X, this.parameters, this.modelOptions)[0]);
  }

  /** The course's predict: 0/1 labels (AL > 0.5) for a sigmoid output, AL otherwise. */
  predict(X: Matrix): Matrix {
    return withBackend(this.kernels(), () => predict(X, this.parameters, this.modelOptions));
  }

  /** The cost on (X, Y). */
  cost(X: Matrix, Y: Matrix): number {
    checkTrainingData(X, Y, this.config.layerDims, 'cost');
    return costFunction(this.config.cost).cost(this.forward(X), Y);
  }

  /** Accuracy: the fraction of samples whose predicted label equals Y. */
  evaluate(X: Matrix, Y: Matrix): number {
    checkTrainingData(X, Y, this.config.layerDims, 'evaluate');
    // Softmax predicts class indices; one-hot Y (K, m) holds them as the row of each column's 1.
    if (this.config.output === 'softmax') return accuracy(this.predict(X), argmaxColumns(Y));
    return accuracy(this.predict(X), Y);
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

  /** Writes the model file (Node): to a temporary file in the same folder, then renamed over `path`. */
  async save(path: string): Promise<void> {
    const { writeFileAtomic } = (await import(/* @vite-ignore */ NODE_ONLY.atomic)) as typeof import('../io/atomic.js');
    writeFileAtomic(path, this.toBytes());
  }

  /** Reads a model file (Node). */
  static async load(path: string): Promise<Network> {
    const { readFile } = (await import(/* @vite-ignore */ NODE_ONLY.fs)) as typeof import('node:fs/promises');
    return Network.fromBytes(await readFile(path), path);
  }

  /** The course's dimension table for m samples: W, b, Z, A (and their gradients) per layer. */
  summary(m = 1): string {
    return formatDimensionTable(this.config.layerDims, m, this.config.activations);
  }
}
