import { ConfigError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { Parameters } from './parameters.js';

// The training loop's callbacks, as TF.js's ModelFitArgs has them. A callback may return a promise:
// fitAsync awaits it; the synchronous fit refuses it with an error that says to use fitAsync.

/** What the loop reports after each epoch. */
export interface EpochLogs {
  /** The epoch's training cost (in mini-batch training the batch costs weighted by batch size, over m). */
  loss: number;
  /** The learning rate this epoch used (after decay). */
  learningRate: number;
  /** The cost on the validation set after the epoch's updates (without an L2 term), when there is one. */
  valLoss?: number;
  /** The validation accuracy (sigmoid or softmax outputs), when there is a validation set. */
  valAccuracy?: number;
}

export interface BatchLogs {
  /** The batch's cost before its update. */
  loss: number;
  /** The number of samples in the batch. */
  size: number;
}

/** What a callback can reach: the parameters being trained (updated in place) and stopTraining. */
export interface TrainingContext {
  readonly parameters: Parameters;
  /** Ends training after the current epoch (or batch). */
  stopTraining(): void;
  readonly stopRequested: boolean;
}

type Maybe = void | Promise<void>;

export interface Callback {
  onTrainBegin?(logs: Record<string, never>, context: TrainingContext): Maybe;
  /** logs: the last epoch's (undefined when no epoch ran). */
  onTrainEnd?(logs: EpochLogs | undefined, context: TrainingContext): Maybe;
  onEpochBegin?(epoch: number, logs: { learningRate: number }, context: TrainingContext): Maybe;
  onEpochEnd?(epoch: number, logs: EpochLogs, context: TrainingContext): Maybe;
  onBatchEnd?(batch: number, logs: BatchLogs, context: TrainingContext): Maybe;
}

export const CALLBACK_HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchEnd'] as const;

/** Keras's History: one entry per epoch that ran. */
export interface History {
  epoch: number[];
  loss: number[];
  learningRate: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  /** True when a callback (or onIteration returning false) ended training before the last epoch. */
  stoppedEarly: boolean;
}

export type Monitor = 'loss' | 'valLoss' | 'valAccuracy';
const MONITORS: readonly Monitor[] = ['loss', 'valLoss', 'valAccuracy'];

export interface EarlyStoppingOptions {
  /** The quantity watched (default valLoss; accuracies are maximised, losses minimised). */
  monitor?: Monitor;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** At the end, put back the parameters of the best epoch (default false). */
  restoreBest?: boolean;
}

/**
 * Stops training when `monitor` has not improved by more than minDelta for `patience` epochs in a
 * row, as Keras's EarlyStopping; with restoreBest, the parameters end as they were after the best epoch.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback & { readonly bestEpoch: number | null; readonly stoppedEpoch: number | null } {
  for (const key of Object.keys(options)) {
    if (!['monitor', 'minDelta', 'patience', 'restoreBest'].includes(key)) {
      throw new ConfigError(`earlyStopping: unknown option ${JSON.stringify(key)}; known options: monitor, minDelta, patience, restoreBest`);
    }
  }
  const { monitor = 'valLoss', minDelta = 0, patience = 0, restoreBest = false } = options;
  if (!MONITORS.includes(monitor)) throw new ConfigError(`earlyStopping: monitor must be one of ${MONITORS.join(', ')}, got ${JSON.stringify(monitor)}`);
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) {
    throw new ConfigError(`earlyStopping: minDelta must be a finite number >= 0 (valid range: [0, Infinity)), got ${minDelta}`);
  }
  if (!Number.isInteger(patience) || patience < 0) {
    throw new ConfigError(`earlyStopping: patience must be an integer >= 0 (valid range: 0, 1, 2, ...), got ${patience}`);
  }
  const sign = monitor === 'valAccuracy' ? -1 : 1;
  let best = Infinity;
  let wait = 0;
  let bestParameters: Map<string, Matrix['data']> | null = null;
  const state = { bestEpoch: null as number | null, stoppedEpoch: null as number | null };
  return {
    get bestEpoch() {
      return state.bestEpoch;
    },
    get stoppedEpoch() {
      return state.stoppedEpoch;
    },
    onTrainBegin() {
      best = Infinity;
      wait = 0;
      bestParameters = null;
      state.bestEpoch = null;
      state.stoppedEpoch = null;
    },
    onEpochEnd(epoch, logs, context) {
      const value = logs[monitor];
      if (value === undefined) {
        throw new ConfigError(`earlyStopping monitors ${monitor}, but the training logs have none: give validationSplit or validationData, or monitor 'loss'`);
      }
      const current = sign * value;
      if (current < best - minDelta) {
        best = current;
        wait = 0;
        state.bestEpoch = epoch;
        if (restoreBest) bestParameters = new Map(Object.entries(context.parameters).map(([k, v]) => [k, v.data.slice()]));
      } else if (++wait >= patience) {
        state.stoppedEpoch = epoch;
        context.stopTraining();
      }
    },
    onTrainEnd(_logs, context) {
      if (restoreBest && bestParameters) for (const [k, data] of bestParameters) context.parameters[k]!.data.set(data);
    },
  };
}
