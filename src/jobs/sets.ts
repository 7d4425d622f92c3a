import { defaultTest, loadData, tuneData } from '../experiment/data.js';
import { fitOutputToLabels } from '../experiment/labels.js';
import type { TrialSpec } from '../experiment/trial.js';
import type { TrainJob } from './payload.js';
import type { TrialSets } from '../experiment/trial.js';

// A job's data, prepared as the local command prepares them: a trial as `tune` does (its
// validation rule, one-hot labels for softmax), a train run as `train` does (the output chosen
// from the class count unless typed). Loaded sets are kept for the next job on the same data.

export interface PreparedJob {
  sets: TrialSets;
  /** The job's trial with what the data decided (a train run's output, cost and classes). */
  trial: TrialSpec;
}

const CACHE_SIZE = 4;
const cache = new Map<string, Promise<PreparedJob>>();

async function load(job: TrainJob): Promise<PreparedJob> {
  const dataFlags = { xKey: job.xKey ?? undefined, yKey: job.yKey ?? undefined, label: job.label ?? undefined, dtype: job.dtype };
  if (job.kind === 'trial') {
    const flags = { ...dataFlags, data: job.data, validation: job.validation ?? undefined, output: job.trial.output, cost: job.trial.cost };
    // The tune that submitted the trial already chose output and cost: they count as given.
    // The tune mapped its labels through these classes; the worker maps through the same (a file
    // changed since then with a label they do not hold fails the job, naming it).
    const { train, validation } = await tuneData(flags, () => true, job.trial.classes ?? undefined);
    return { sets: { X: train.X, Y: train.Y, Xv: validation.X, Yv: validation.Y }, trial: job.trial };
  }
  const train = await loadData(job.data, 'train', dataFlags);
  const testSpec = job.validation ?? defaultTest(job.data);
  const test = testSpec ? await loadData(testSpec, 'test', dataFlags) : undefined;
  const choice = { output: job.trial.output, cost: job.trial.cost };
  const classes = fitOutputToLabels(choice, (flag) => job.given.includes(flag), train, [test]);
  return {
    sets: { X: train.X, Y: train.Y, Xv: test?.X ?? null, Yv: test?.Y ?? null },
    trial: { ...job.trial, output: choice.output, cost: choice.cost, classes },
  };
}

export function prepareJob(job: TrainJob): Promise<PreparedJob> {
  const { trial, returnModel: _r, modelPath: _m, ...data } = job;
  // Output, cost and classes decide the labels' layout (one-hot for softmax); the rest of the trial does not.
  const key = JSON.stringify({ ...data, output: trial.output, cost: trial.cost, classes: trial.classes });
  let entry = cache.get(key);
  if (!entry) {
    entry = load(job);
    // A failed load is not kept: the file may be there next time.
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return entry.then((p) => ({ sets: p.sets, trial: { ...trial, output: p.trial.output, cost: p.trial.cost, classes: p.trial.classes } }));
}
