import type { TrialResult, TrialSpec } from '../cli/tune.js';
import type { Matrix } from '../matrix.js';
import { Network } from '../nn/network.js';

// One tune trial, trained the same way wherever it runs: in a local tune thread or on a queue
// worker. Sharing this function is what makes a queued trial's costs equal a local one's, bit for bit.

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
    };
    return { result, bytes: net.toBytes(), costs };
  } catch (e) {
    // A diverging learning rate (NaN cost) is a result of the search, not a failure of it.
    const result: TrialResult = {
      ...trial,
      layerDims: [X.rows, ...trial.layers, Y.rows],
      finalCost: null,
      trainAccuracy: null,
      validationAccuracy: null,
      seconds: (performance.now() - started) / 1000,
      error: (e as Error).message,
    };
    return { result, bytes: null, costs: [] };
  }
}
