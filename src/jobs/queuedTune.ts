import type { Queue } from 'bullmq';
import { SingleBar } from 'cli-progress';
import type { TrialResult, TrialSpec } from '../experiment/trial.js';
import { absoluteReference } from './dataRef.js';
import { JOB_VERSION, type TrainJob } from './payload.js';
import type { QueueUrl } from './queueUrl.js';
import { type SearchRecord, SEARCH_VERSION, saveSearch, trialJobId } from './search.js';
import { type JobStatus, openQueue, submit, waitForJobs } from './submit.js';

// `tune --queue`: each trial of the search is one job; the results come back in the shape the
// local threads give, so the table, the JSON and --out are the same code. The search itself is
// kept in Redis (search.ts), so that `tune --resume ID` can take over from a submitter that died.

export interface QueuedTuneOptions {
  data: string;
  validation?: string;
  xKey?: string;
  yKey?: string;
  label?: string;
  dtype: 'float64' | 'float32';
  backend: string;
  /** Send the models back (only --out needs them). */
  returnModel: boolean;
}

/** The record of a new search: one job per trial, data by reference. */
export function newSearch(id: string, specs: TrialSpec[], o: QueuedTuneOptions, names: { data: string; validation: string; search: 'grid' | 'random'; nx: number; ny: number }): SearchRecord {
  const jobs = specs.map(
    (trial): TrainJob => ({
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
    }),
  );
  return { version: SEARCH_VERSION, id, created: Date.now(), ...names, jobs };
}

export interface QueuedTrials {
  results: TrialResult[];
  models: Map<number, Uint8Array>;
  /** Trials whose job failed outright (data refused, cancelled, lost twice): not a result of the search. */
  failed: { trial: number; error: string }[];
}

/**
 * Submits the search's jobs (unless `resume`: they are on the queue already) and waits for them;
 * `onDone` sees each finished trial. A job Redis lost is submitted again, once.
 */
export async function runQueuedTrials(url: QueueUrl, record: SearchRecord, resume: boolean, onDone: (r: TrialResult) => void): Promise<QueuedTrials> {
  const log = (line: string) => void process.stderr.write(line + '\n');
  const open = await openQueue(url, log);
  const { queue, close } = open;
  const jobs = record.jobs.map((payload) => ({ id: trialJobId(record.id, payload.trial.trial), payload }));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const results: TrialResult[] = [];
  const models = new Map<number, Uint8Array>();
  const failed: QueuedTrials['failed'] = [];
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'trials |{bar}| {value}/{total} done | {running} running | {failed} failed | best {best}', stream: process.stderr, hideCursor: true, clearOnComplete: true })
    : undefined;
  let running = 0;
  let best: number | null = null;
  const failures = () => results.filter((r) => r.error !== null).length;
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
  const resubmit = async (id: string) => {
    const job = byId.get(id)!;
    log(`tune: trial ${job.payload.trial.trial} is no longer in Redis (restarted without persistence?): submitted again`);
    await submit(queue, [job]);
  };
  try {
    if (!resume) {
      await saveSearch(open.connection.redis, record);
      await submit(queue, jobs);
      log(`tune: ${jobs.length} trials submitted to ${url.safe} as ${trialJobId(record.id, 0)}..${jobs.length - 1}`);
    } else log(`tune: following ${jobs.length} trials on ${url.safe}`);
    bar?.start(jobs.length, 0, { running, failed: 0, best: '-' });
    const seen = new Set<string>();
    const onChange = (s: JobStatus) => {
      if (s.state === 'running' && !seen.has(s.id)) {
        seen.add(s.id);
        running++;
      }
      if (s.state !== 'completed' && s.state !== 'failed') return bar?.update({ running, failed: failures(), best: best ?? '-' });
      if (seen.has(s.id)) running--;
      const trial = byId.get(s.id)!.payload.trial;
      // A job that failed outright (its data could not be loaded, it was cancelled) is a failed trial.
      const r: TrialResult = s.result?.result ?? {
        ...trial,
        layerDims: [record.nx, ...trial.layers, record.ny],
        finalCost: null,
        trainAccuracy: null,
        validationAccuracy: null,
        seconds: 0,
        error: s.error ?? 'failed',
        diverged: false,
      };
      if (!s.result) failed.push({ trial: trial.trial, error: r.error! });
      else if (r.validationAccuracy !== null && r.error === null) best = Math.max(best ?? -1, r.validationAccuracy);
      results.push(r);
      if (s.result?.model) models.set(r.trial, new Uint8Array(Buffer.from(s.result.model, 'base64')));
      if (bar) process.stderr.write('\r\x1b[K');
      onDone(r);
      bar?.update(results.length, { running, failed: failures(), best: best ?? '-' });
    };
    await waitForJobs(open, jobs.map((j) => j.id), onChange, resubmit);
  } finally {
    process.off('SIGINT', onInterrupt);
    bar?.stop();
    await close();
  }
  results.sort((a, b) => a.trial - b.trial);
  failed.sort((a, b) => a.trial - b.trial);
  return { results, models, failed };
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
