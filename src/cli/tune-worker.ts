import { parentPort, workerData } from 'node:worker_threads';
import { resolveBackend } from '../backend/select.js';
import { runTrial } from '../experiment/trial.js';
import { Matrix } from '../matrix.js';
import type { SharedMatrix, TrialSpec } from './tune.js';

// One tune worker: trains the trials it is sent on the shared data and reports each result.
// The training itself is runTrial, the same function a queue worker runs.

const data = workerData as { X: SharedMatrix; Y: SharedMatrix; Xv: SharedMatrix; Yv: SharedMatrix; backend: string };

function wrap(s: SharedMatrix): Matrix {
  const length = s.rows * s.cols;
  return Matrix.fromTypedArray(s.dtype === 'float64' ? new Float64Array(s.buffer, 0, length) : new Float32Array(s.buffer, 0, length), s.rows, s.cols);
}

const sets = { X: wrap(data.X), Y: wrap(data.Y), Xv: wrap(data.Xv), Yv: wrap(data.Yv) };
// --parallel already runs one trial per core: each trial's kernels stay on its own thread.
resolveBackend(data.backend).setThreads?.(1);

parentPort!.on('message', (trial: TrialSpec) => {
  const { result, bytes } = runTrial(trial, sets, data.backend);
  parentPort!.postMessage({ result, bytes }, bytes ? [bytes.buffer as ArrayBuffer] : []);
});
