import { parentPort, workerData } from 'node:worker_threads';
import { resolveBackend } from '../backend/select.js';
import { backendDataOptions, evaluationBytes } from '../nn/memory.js';
import { overBound } from './memoryBound.js';
import type { TrainJob } from './payload.js';
import { prepareJob } from './sets.js';
import { runTrial } from '../experiment/trial.js';

// A queue worker's training thread: training is synchronous, so it runs here while the worker's
// main thread keeps the job's lock renewed and talks to Redis.

/** How often the cost is reported while training (ms). */
const PROGRESS_EVERY_MS = 250;

/**
 * kernelThreads: per job, the worker's cores shared by its concurrent jobs (results do not depend
 * on it); maxBytes: the memory one job may take (--max-memory shared by the concurrent jobs).
 */
const { kernelThreads, maxBytes } = workerData as { kernelThreads: number; maxBytes: number };

/** Where a job stopped: its data could not be loaded, or it would need more memory than allowed. */
export type Stage = 'load' | 'bound';

parentPort!.on('message', async ({ id, job }: { id: number; job: TrainJob }) => {
  let stage: Stage = 'load';
  try {
    const backend = resolveBackend(job.backend);
    backend.setThreads?.(kernelThreads);
    const { sets, trial } = await prepareJob(job);
    stage = 'bound';
    const layerDims = [sets.X.rows, ...trial.layers, sets.Y.rows];
    // The whole process's count: the job's data as loaded and, on a backend with its own memory,
    // copied in; the held-out samples evaluated after training.
    const copies = backendDataOptions(backend, 'process');
    const heldOut = sets.Xv ? evaluationBytes(layerDims, sets.Xv.cols, sets.X.dtype, copies) : 0;
    const refused = overBound(layerDims, sets.X.cols, sets.X.dtype, maxBytes, { gram: trial.gram, ...copies, otherBytes: heldOut });
    if (refused) throw new Error(refused);
    let last = 0;
    const outcome = runTrial(trial, sets, job.backend, (iteration, cost) => {
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        parentPort!.postMessage({ id, progress: { iteration, iterations: trial.iterations, cost } });
      }
    });
    parentPort!.postMessage({ id, outcome }, outcome.bytes ? [outcome.bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    // Data that cannot be loaded (a missing file, a bad reference) fail the job, not the thread.
    parentPort!.postMessage({ id, error: (e as Error).message, stage });
  }
});
