import type { Queue } from 'bullmq';
import { SingleBar } from 'cli-progress';
import type { TrialResult, TrialSpec } from '../experiment/trial.js';
import { absoluteReference } from './dataRef.js';
import { JOB_VERSION, type TrainJob } from './payload.js';
import type { QueueUrl } from './queueUrl.js';
import { newId, openQueue, submit, waitForJobs } from './submit.js';

// `tune --queue`: each trial of the search is one job; the results come back in the shape the
// local threads give, so the table, the JSON and --out are the same code.

export interface QueuedTuneOptions {
  queue: QueueUrl;
  data: string;
  validation: string | undefined;
  xKey?: string;
  yKey?: string;
  label?: string;
  dtype: 'float64' | 'float32';
  backend: string;
  /** Send the models back (only --out needs them). */
  returnModel: boolean;
  /** n_x and n_y of the data, for the layerDims of a trial whose job failed. */
  nx: number;
  ny: number;
}

export async function runQueuedTrials(
  specs: TrialSpec[],
  o: QueuedTuneOptions,
  onDone: (r: TrialResult) => void,
): Promise<{ results: TrialResult[]; models: Map<number, Uint8Array> }> {
  const log = (line: string) => void process.stderr.write(line + '\n');
  const { queue, close } = await openQueue(o.queue, log);
  const search = newId('tune');
  const jobs = specs.map((trial) => {
    const payload: TrainJob = {
      version: JOB_VERSION,
      kind: 'trial',
      data: absoluteReference(o.data),
      validation: o.validation === undefined ? null : absoluteReference(o.validation),
      xKey: o.xKey ?? null,
      yKey: o.yKey ?? null,
      label: o.label ?? null,
      dtype: o.dtype,
      backend: o.backend,
      trial,
      given: [],
      returnModel: o.returnModel,
      modelPath: null,
    };
    return { id: `${search}-${trial.trial}`, payload };
  });
  const trialOf = new Map(jobs.map((j) => [j.id, j.payload.trial]));
  const results: TrialResult[] = [];
  const models = new Map<number, Uint8Array>();
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'trials |{bar}| {value}/{total} done | {running} running | {failed} failed | best {best}', stream: process.stderr, hideCursor: true, clearOnComplete: true })
    : undefined;
  let running = 0;
  let failed = 0;
  let best: number | null = null;
  // Ctrl-C: the trials not started yet leave the queue (no worker trains them for nobody);
  // those running finish on their workers.
  const onInterrupt = () => {
    bar?.stop();
    void removeWaiting(queue, jobs.map((j) => j.id)).then((n) => {
      log(`tune: interrupted; ${n} waiting trial(s) removed from the queue`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  try {
    await submit(queue, jobs);
    log(`tune: ${jobs.length} trials submitted to ${o.queue.safe} as ${search}-0..${jobs.length - 1}`);
    bar?.start(jobs.length, 0, { running, failed, best: '-' });
    const seen = new Set<string>();
    await waitForJobs(
      queue,
      jobs.map((j) => j.id),
      (s) => {
        if (s.state === 'running' && !seen.has(s.id)) {
          seen.add(s.id);
          running++;
        }
        if (s.state !== 'completed' && s.state !== 'failed') return bar?.update({ running, failed, best: best ?? '-' });
        if (seen.has(s.id)) running--;
        const trial = trialOf.get(s.id)!;
        // A job that failed outright (its data could not be loaded, it was cancelled) is a failed trial.
        const r: TrialResult = s.result?.result ?? {
          ...trial,
          layerDims: [o.nx, ...trial.layers, o.ny],
          finalCost: null,
          trainAccuracy: null,
          validationAccuracy: null,
          seconds: 0,
          error: s.error ?? 'failed',
          diverged: false,
        };
        if (r.error) failed++;
        else if (r.validationAccuracy !== null) best = Math.max(best ?? -1, r.validationAccuracy);
        results.push(r);
        if (s.result?.model) models.set(r.trial, new Uint8Array(Buffer.from(s.result.model, 'base64')));
        if (bar) process.stderr.write('\r\x1b[K');
        onDone(r);
        bar?.update(results.length, { running, failed, best: best ?? '-' });
      },
    );
  } finally {
    process.off('SIGINT', onInterrupt);
    bar?.stop();
    await close();
  }
  results.sort((a, b) => a.trial - b.trial);
  return { results, models };
}

/** Removes the jobs among `ids` that no worker has taken yet; returns how many. */
async function removeWaiting(queue: Queue, ids: string[]): Promise<number> {
  let removed = 0;
  for (const id of ids) {
    const state = await queue.getJobState(id);
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') continue;
    // A worker may take it meanwhile: then it is locked and stays.
    removed += await queue.remove(id);
  }
  return removed;
}
