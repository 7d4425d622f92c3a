import type { GramMode } from '../nn/gram.js';
import { DivergenceError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { Network } from '../nn/network.js';
import type { NetworkChoice } from '../nn/presets.js';
import type { ClassValue } from './labels.js';

// One tune trial, trained the same way wherever it runs: in a local tune thread or on a queue
// worker. Sharing this function is what makes a queued trial's costs equal a local one's, bit for bit.

/** One network of a search (or one queued train run): what it is and how long it trains. */
export interface TrialSpec extends NetworkChoice {
  trial: number;
  learningRate: number;
  iterations: number;
  /** The training set's classes, kept in the trained model's file (null for regression). */
  classes: ClassValue[] | null;
  /** --gram; absent: fit's default (auto). */
  gram?: GramMode;
}

export interface TrialResult extends TrialSpec {
  layerDims: number[];
  /** The last iteration's cost, null when training failed. */
  finalCost: number | null;
  trainAccuracy: number | null;
  validationAccuracy: number | null;
  seconds: number;
  /** Why training stopped (e.g. a cost that diverged at a too-large learning rate), else null. */
  error: string | null;
  /** True when training stopped because it diverged (ranked last, shown as diverged). */
  diverged: boolean;
}

/** The result object of `train --json` (DESIGN.md's contract), local or queued. */
export interface TrainResult {
  layerDims: number[];
  costs: [number, number][];
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
  model: string | null;
}

export interface TrialSets {
  X: Matrix;
  Y: Matrix;
  /** Held-out data to rank by; null for a plain training run without a test set. */
  Xv: Matrix | null;
  Yv: Matrix | null;
}

export interface TrialOutcome {
  result: TrialResult;
  /** The model file's bytes, null when training failed. */
  bytes: Uint8Array | null;
  /** Every iteration's cost (empty when training failed). */
  costs: number[];
}

export function runTrial(trial: TrialSpec, sets: TrialSets, backend: string, onIteration?: (i: number, J: number) => void): TrialOutcome {
  const { X, Y, Xv, Yv } = sets;
  const started = performance.now();
  try {
    const net = new Network({
      layerDims: [X.rows, ...trial.layers, Y.rows],
      hidden: trial.hidden,
      output: trial.output,
      cost: trial.cost,
      init: trial.init,
      seed: trial.seed,
      dtype: X.dtype,
      backend,
    });
    net.classes = trial.classes;
    const costs = net.fit(X, Y, { learningRate: trial.learningRate, iterations: trial.iterations, onIteration, gram: trial.gram });
    const result: TrialResult = {
      ...trial,
      layerDims: [...net.layerDims],
      finalCost: costs[costs.length - 1] ?? null,
      trainAccuracy: net.evaluate(X, Y),
      validationAccuracy: Xv && Yv ? net.evaluate(Xv, Yv) : null,
      seconds: (performance.now() - started) / 1000,
      error: null,
      diverged: false,
    };
    return { result, bytes: net.toBytes(), costs };
  } catch (e) {
    // A diverging learning rate is a result of the search, not a failure of it.
    const result: TrialResult = {
      ...trial,
      layerDims: [X.rows, ...trial.layers, Y.rows],
      finalCost: null,
      trainAccuracy: null,
      validationAccuracy: null,
      seconds: (performance.now() - started) / 1000,
      error: (e as Error).message,
      diverged: e instanceof DivergenceError,
    };
    return { result, bytes: null, costs: [] };
  }
}
