import { ConfigError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { type Callback, CALLBACK_HOOKS } from './callbacks.js';
import { GRAM_MODES, type GramMode } from './gram.js';
import { OPTIMIZERS, type OptimizerName } from './optimizers.js';

// The options of training as one typed object with defaults and one validator (brain.js's
// trainDefaults + validateTrainingOptions): each bad value is a ConfigError that names the option,
// the value and the valid range.

export interface TrainingOptions {
  /** α₀ (default 0.0075, the course's). */
  learningRate?: number;
  /** Passes over the training set (default 2500). In full-batch training an epoch is one iteration. */
  epochs?: number;
  /** The course's name for epochs of full-batch gradient descent; give epochs or iterations, not both. */
  iterations?: number;
  /** Samples per mini-batch, shuffled each epoch by the course's random_mini_batches; absent: full batch, unshuffled. */
  batchSize?: number;
  /** gd (default), momentum, rmsprop or adam. */
  optimizer?: OptimizerName;
  /** Momentum's β (default 0.9). */
  beta?: number;
  /** Adam's β₁ (default 0.9). */
  beta1?: number;
  /** Adam's and RMSprop's β₂ (default 0.999). */
  beta2?: number;
  /** Adam's and RMSprop's ε (default 1e-8). */
  epsilon?: number;
  /** Learning-rate decay: α = α₀ / (1 + decayRate · floor(epoch / decayInterval)) (default 0: none). */
  decayRate?: number;
  /** Epochs between decay steps (default 1: α₀ / (1 + decayRate · epoch); e.g. 1000 for the course's schedule_lr_decay). */
  decayInterval?: number;
  /** L2 regularisation λ (default 0). */
  lambd?: number;
  /** Inverted dropout's keep_prob: one value for every hidden layer, or one per hidden layer (default 1: no dropout). */
  keepProb?: number | number[];
  /** Mini-batch shuffles: epoch e uses seed shuffleSeed + 1 + e, as the course's model() (seed = 10, then seed + 1 each epoch). */
  shuffleSeed?: number;
  /** numpy seed of the dropout masks, drawn from one generator for the whole run (default 1). */
  dropoutSeed?: number;
  /** Hold out the last fraction of the samples (columns) for validation, as Keras does (default 0). */
  validationSplit?: number;
  /** A validation set [X, Y] instead of validationSplit. */
  validationData?: [Matrix, Matrix];
  callbacks?: Callback[];
  /** Called with each epoch's cost (full batch: before the epoch's update); return false to stop. */
  onIteration?: (iteration: number, cost: number) => void | boolean;
  /** Print "Cost after iteration i: J" every printEvery epochs (0, the default: never). */
  printEvery?: number;
  /**
   * The first layer in Gram form (nn/gram.ts): 'auto' (default) where it saves work, 'on' (a
   * ConfigError where it cannot apply), 'off' never. The costs and W[1] are the direct form's to
   * rounding (1e-12 relative in float64).
   */
  gram?: GramMode;
}

export type ResolvedTrainingOptions = Required<Omit<TrainingOptions, 'batchSize' | 'validationData' | 'onIteration' | 'iterations' | 'keepProb'>> & {
  batchSize: number | undefined;
  validationData: [Matrix, Matrix] | undefined;
  onIteration: TrainingOptions['onIteration'];
  keepProb: number | number[];
};

export const TRAINING_DEFAULTS = {
  learningRate: 0.0075,
  epochs: 2500,
  optimizer: 'gd',
  beta: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  decayRate: 0,
  decayInterval: 1,
  lambd: 0,
  keepProb: 1,
  shuffleSeed: 10,
  dropoutSeed: 1,
  validationSplit: 0,
  printEvery: 0,
  gram: 'auto',
} as const;

export const TRAINING_OPTION_NAMES: readonly (keyof TrainingOptions)[] = [
  'learningRate',
  'epochs',
  'iterations',
  'batchSize',
  'optimizer',
  'beta',
  'beta1',
  'beta2',
  'epsilon',
  'decayRate',
  'decayInterval',
  'lambd',
  'keepProb',
  'shuffleSeed',
  'dropoutSeed',
  'validationSplit',
  'validationData',
  'callbacks',
  'onIteration',
  'printEvery',
  'gram',
];

function fail(where: string, option: string, value: unknown, rule: string, range?: string): never {
  const shown = typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
  throw new ConfigError(`${where}: ${option} must be ${rule}, got ${shown}${range ? ` (valid range: ${range})` : ''}`);
}

function number(where: string, option: string, value: unknown, ok: (x: number) => boolean, rule: string, range?: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(where, option, value, rule, range);
}

function integer(where: string, option: string, value: unknown, min: number, max = Infinity): void {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return;
  if (max !== Infinity) fail(where, option, value, `an integer in [${min}, ${max}]`);
  fail(where, option, value, min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer >= ${min}`, `${min}, ${min + 1}, ${min + 2}, ...`);
}

/**
 * The options with defaults filled in, every value checked. `m` is the number of training samples
 * (before any validation split) and `L` the number of layers, which bound batchSize and keepProb.
 */
export function resolveTrainingOptions(options: TrainingOptions, m: number, L: number, where = 'fit'): ResolvedTrainingOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${where}: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!(TRAINING_OPTION_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(`${where}: unknown option ${JSON.stringify(key)}; known options: ${TRAINING_OPTION_NAMES.join(', ')}`);
    }
  }
  const o = { ...TRAINING_DEFAULTS, callbacks: [] as Callback[], ...stripUndefined(options) };
  if (options.epochs !== undefined && options.iterations !== undefined) {
    throw new ConfigError(`${where}: give epochs or iterations (the same count in full-batch training), not both; got epochs ${options.epochs} and iterations ${options.iterations}`);
  }
  const epochs = options.epochs ?? options.iterations ?? TRAINING_DEFAULTS.epochs;
  number(where, 'learningRate', o.learningRate, (x) => x > 0, 'a finite number > 0', '(0, Infinity)');
  integer(where, options.iterations !== undefined ? 'iterations' : 'epochs', epochs, 0);
  if (!OPTIMIZERS.includes(o.optimizer)) fail(where, 'optimizer', o.optimizer, `one of ${OPTIMIZERS.join(', ')}`);
  for (const beta of ['beta', 'beta1', 'beta2'] as const) number(where, beta, o[beta], (x) => x >= 0 && x < 1, 'a number in [0, 1)', '[0, 1)');
  number(where, 'epsilon', o.epsilon, (x) => x > 0, 'a finite number > 0', '(0, Infinity)');
  number(where, 'decayRate', o.decayRate, (x) => x >= 0, 'a finite number >= 0', '[0, Infinity)');
  integer(where, 'decayInterval', o.decayInterval, 1);
  number(where, 'lambd', o.lambd, (x) => x >= 0, 'a finite number >= 0', '[0, Infinity)');
  const keep = typeof o.keepProb === 'number' ? [o.keepProb] : o.keepProb;
  if (!Array.isArray(keep)) fail(where, 'keepProb', o.keepProb, 'a number in (0, 1] or a list with one per hidden layer');
  if (typeof o.keepProb !== 'number' && keep.length !== L - 1) {
    fail(where, 'keepProb', o.keepProb, `a list of ${L - 1} value${L === 2 ? '' : 's'} in (0, 1], one per hidden layer 1..${L - 1}`);
  }
  if (L === 1 && keep.some((p) => p !== 1)) fail(where, 'keepProb', o.keepProb, '1: dropout acts on hidden layers and this network has none', '1');
  keep.forEach((p, i) => number(where, typeof o.keepProb === 'number' ? 'keepProb' : `keepProb[${i}]`, p, (x) => x > 0 && x <= 1, 'a number in (0, 1]', '(0, 1]'));
  integer(where, 'shuffleSeed', o.shuffleSeed, 0, 0xffffffff - epochs - 1);
  integer(where, 'dropoutSeed', o.dropoutSeed, 0, 0xffffffff);
  integer(where, 'printEvery', o.printEvery, 0);
  if (!GRAM_MODES.includes(o.gram)) fail(where, 'gram', o.gram, `one of ${GRAM_MODES.join(', ')}`);
  number(where, 'validationSplit', o.validationSplit, (x) => x >= 0 && x < 1, 'a number in [0, 1)', '[0, 1)');
  let mTrain = m;
  if (options.validationData !== undefined) {
    if (o.validationSplit > 0) throw new ConfigError(`${where}: give validationSplit or validationData, not both`);
    const vd = options.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) fail(where, 'validationData', '(not a pair)', 'a pair [X, Y] of matrices');
  } else if (o.validationSplit > 0) {
    mTrain = Math.floor(m * (1 - o.validationSplit));
    if (mTrain < 1 || mTrain === m) {
      throw new ConfigError(
        `${where}: validationSplit ${o.validationSplit} of m = ${m} samples leaves ${mTrain} for training and ${m - mTrain} for validation; both need at least 1`,
      );
    }
  }
  const bs = options.batchSize;
  if (bs !== undefined && !(typeof bs === 'number' && Number.isInteger(bs) && bs >= 1 && bs <= mTrain)) {
    fail(where, 'batchSize', bs, `an integer from 1 to the number of training samples m = ${mTrain}`, `[1, ${mTrain}]`);
  }
  if (!Array.isArray(o.callbacks)) fail(where, 'callbacks', '(not a list)', 'a list of callback objects');
  o.callbacks.forEach((cb, i) => {
    if (typeof cb !== 'object' || cb === null) fail(where, `callbacks[${i}]`, cb, `an object with any of ${CALLBACK_HOOKS.join(', ')}`);
    for (const hook of CALLBACK_HOOKS) {
      if (cb[hook] !== undefined && typeof cb[hook] !== 'function') fail(where, `callbacks[${i}].${hook}`, typeof cb[hook], 'a function');
    }
  });
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') fail(where, 'onIteration', typeof options.onIteration, 'a function');
  return {
    learningRate: o.learningRate,
    epochs,
    batchSize: options.batchSize,
    optimizer: o.optimizer,
    beta: o.beta,
    beta1: o.beta1,
    beta2: o.beta2,
    epsilon: o.epsilon,
    decayRate: o.decayRate,
    decayInterval: o.decayInterval,
    lambd: o.lambd,
    keepProb: o.keepProb,
    shuffleSeed: o.shuffleSeed,
    dropoutSeed: o.dropoutSeed,
    validationSplit: o.validationSplit,
    validationData: options.validationData,
    callbacks: o.callbacks,
    onIteration: options.onIteration,
    printEvery: o.printEvery,
    gram: o.gram,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}


/** True when the options ask for nothing but the course's full-batch gradient descent (the core's loop). */
export function isPlainGradientDescent(o: ResolvedTrainingOptions): boolean {
  const keep = typeof o.keepProb === 'number' ? [o.keepProb] : o.keepProb;
  return (
    o.batchSize === undefined &&
    o.optimizer === 'gd' &&
    o.decayRate === 0 &&
    o.lambd === 0 &&
    keep.every((p) => p === 1) &&
    o.validationSplit === 0 &&
    o.validationData === undefined &&
    o.callbacks.length === 0
  );
}
