import { withBackend } from '../backend/select.js';
import { ConfigError } from '../errors.js';
import { assertDType, type DType, type Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, DEFAULT_LEAKY_SLOPE } from './activations.js';
import { COSTS, type CostName, costFunction } from './costs.js';
import { initializeParametersDeep, INITS, type InitName } from './init.js';
import { accuracy, layerActivations, lModelForward, type ModelOptions, predict } from './model.js';
import { validateLayerDims, type Parameters } from './parameters.js';
import { formatDimensionTable } from './shapes.js';
import { checkIterations, checkLearningRate, checkTrainingData, gradientDescent } from './train.js';

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
  /** Kernel backend: 'auto' (default), 'reference', or a registered fast one. */
  backend?: string;
}

export interface FitOptions {
  /** α (default 0.0075). */
  learningRate?: number;
  /** Full-batch iterations (default 2500). */
  iterations?: number;
  /** Print "Cost after iteration i: J" every printEvery iterations (0, the default: never). */
  printEvery?: number;
  /** Called with each iteration's cost (before its update); return false to stop. */
  onIteration?: (iteration: number, cost: number) => void | boolean;
}

const CONFIG_KEYS = ['layerDims', 'hidden', 'output', 'activations', 'leakySlope', 'cost', 'init', 'seed', 'dtype', 'backend'];
const FIT_KEYS = ['learningRate', 'iterations', 'printEvery', 'onIteration'];

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
  oneOf('output', config.output, ACTIVATIONS);
  oneOf('cost', config.cost, COSTS);
  oneOf('init', config.init, INITS);
  const dtype = config.dtype ?? 'float64';
  assertDType(dtype, 'Network dtype');
  const L = config.layerDims.length - 1;
  const activations = layerActivations(L, { activations: config.activations, hidden: config.hidden, output: config.output }).map(
    (a) => a.name as ActivationName,
  );
  const cost = config.cost ?? 'bce';
  if (cost === 'bce' && activations[L - 1] !== 'sigmoid') {
    throw new ConfigError(`cost 'bce' needs a sigmoid output layer (its log(a) and log(1 - a) need 0 < a < 1), got output ${activations[L - 1]}`);
  }
  const seed = config.seed ?? 1;
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
  };
}

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

  /** Trains by full-batch gradient descent; returns the cost of every iteration (before its update). */
  fit(X: Matrix, Y: Matrix, options: FitOptions = {}): number[] {
    rejectUnknown('fit', options, FIT_KEYS);
    const { learningRate = 0.0075, iterations = 2500, printEvery = 0, onIteration } = options;
    checkLearningRate(learningRate);
    checkIterations(iterations);
    if (!Number.isInteger(printEvery) || printEvery < 0) throw new ConfigError(`printEvery must be a non-negative integer, got ${printEvery}`);
    checkTrainingData(X, Y, this.config.layerDims, 'fit');
    return withBackend(this.config.backend, () =>
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
  }

  /** AL, the output layer's activations (probabilities for a sigmoid output). */
  forward(X: Matrix): Matrix {
    return withBackend(this.config.backend, () => lModelForward(X, this.parameters, this.modelOptions)[0]);
  }

  /** The course's predict: 0/1 labels (AL > 0.5) for a sigmoid output, AL otherwise. */
  predict(X: Matrix): Matrix {
    return withBackend(this.config.backend, () => predict(X, this.parameters, this.modelOptions));
  }

  /** The cost on (X, Y). */
  cost(X: Matrix, Y: Matrix): number {
    checkTrainingData(X, Y, this.config.layerDims, 'cost');
    return costFunction(this.config.cost).cost(this.forward(X), Y);
  }

  /** Accuracy: the fraction of samples whose predicted label equals Y. */
  evaluate(X: Matrix, Y: Matrix): number {
    checkTrainingData(X, Y, this.config.layerDims, 'evaluate');
    return accuracy(this.predict(X), Y);
  }

  /** The course's dimension table for m samples: W, b, Z, A (and their gradients) per layer. */
  summary(m = 1): string {
    return formatDimensionTable(this.config.layerDims, m, this.config.activations);
  }
}
