import { parentPort, workerData } from 'node:worker_threads';
import { Matrix } from '../matrix.js';
import { Network } from '../nn/network.js';
import type { SharedMatrix, TrialResult, TrialSpec } from './tune.js';

// One tune worker: trains the trials it is sent on the shared data and reports each result.

const data = workerData as { X: SharedMatrix; Y: SharedMatrix; Xv: SharedMatrix; Yv: SharedMatrix; backend: string };

function wrap(s: SharedMatrix): Matrix {
  const length = s.rows * s.cols;
  return Matrix.fromTypedArray(s.dtype === 'float64' ? new Float64Array(s.buffer, 0, length) : new Float32Array(s.buffer, 0, length), s.rows, s.cols);
}

const X = wrap(data.X);
const Y = wrap(data.Y);
const Xv = wrap(data.Xv);
const Yv = wrap(data.Yv);

parentPort!.on('message', (trial: TrialSpec) => {
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
      backend: data.backend,
    });
    net.classes = trial.classes;
    const costs = net.fit(X, Y, { learningRate: trial.learningRate, iterations: trial.iterations });
    const result: TrialResult = {
      ...trial,
      layerDims: [...net.layerDims],
      finalCost: costs[costs.length - 1] ?? null,
      trainAccuracy: net.evaluate(X, Y),
      validationAccuracy: net.evaluate(Xv, Yv),
      seconds: (performance.now() - started) / 1000,
      error: null,
    };
    const bytes = net.toBytes();
    parentPort!.postMessage({ result, bytes }, [bytes.buffer as ArrayBuffer]);
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
    parentPort!.postMessage({ result, bytes: null });
  }
});
