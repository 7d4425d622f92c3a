import { resolve } from 'node:path';
import type { TrainResult, TrialSpec } from '../experiment/trial.js';
import { TrainingError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { absoluteReference } from './dataRef.js';
import { JOB_VERSION, type JobResult, type TrainJob } from './payload.js';
import type { QueueUrl } from './queueUrl.js';
import { newId, openQueue, submit, waitForJobs } from './submit.js';

// `train --queue`: one training run as a job. It waits and prints what a local `train` prints
// (the same costs: the worker runs the same trial code), or with --detach prints the job's id.

export interface QueuedTrainOptions {
  queue: QueueUrl;
  detach: boolean;
  json: boolean;
  data: string;
  test?: string;
  xKey?: string;
  yKey?: string;
  label?: string;
  dtype: 'float64' | 'float32';
  backend: string;
  trial: Omit<TrialSpec, 'trial' | 'classes'>;
  /** Which of output and cost the user typed (the others follow the class count, as in train). */
  given: ('output' | 'cost')[];
  printEvery: number;
  out?: string;
  /** The model file's path on the worker's machine (made absolute here). */
  workerOut?: string;
  /** The text chart of the costs printed after the run (the command's own). */
  chart: (points: [number, number][]) => string[];
}

/** The costs a local train reports: every printEvery-th iteration and the last. */
export function reportedCosts(costs: readonly number[], printEvery: number): [number, number][] {
  const last = costs.length - 1;
  return costs.flatMap((J, i) => (i % printEvery === 0 || i === last ? [[i, J] as [number, number]] : []));
}

export async function queuedTrain(o: QueuedTrainOptions): Promise<void> {
  const log = (line: string) => void process.stderr.write(line + '\n');
  const out = (line: string) => void process.stdout.write(line + '\n');
  const open = await openQueue(o.queue, log);
  const { queue, close } = open;
  const id = newId('train');
  const payload: TrainJob = {
    version: JOB_VERSION,
    kind: 'train',
    data: absoluteReference(o.data),
    validation: o.test === undefined ? null : absoluteReference(o.test),
    xKey: o.xKey ?? null,
    yKey: o.yKey ?? null,
    label: o.label ?? null,
    dtype: o.dtype,
    backend: o.backend,
    trial: { ...o.trial, trial: 0, classes: null },
    given: o.given,
    // A detached job keeps its model in Redis for `deepnet jobs result ID --out FILE`, unless the
    // worker saves it where the user said.
    returnModel: o.out !== undefined || (o.detach && o.workerOut === undefined),
    modelPath: o.workerOut === undefined ? null : resolve(o.workerOut),
  };
  let result: JobResult | undefined;
  let failure: string | undefined;
  try {
    await submit(queue, [{ id, payload }]);
    if (o.detach) {
      if (o.json) out(JSON.stringify({ job: id }));
      else out(`Job: ${id} (follow it with: deepnet jobs status ${id}; fetch it with: deepnet jobs result ${id})`);
      return;
    }
    log(`deepnet: job ${id} on ${o.queue.safe}: waiting for a worker (Ctrl-C stops waiting; the job stays queued)`);
    const [status] = [...(await waitForJobs(open, [id], () => undefined)).values()];
    result = status!.result;
    failure = status!.error;
  } finally {
    await close();
  }
  if (!result) throw new TrainingError(`job ${id} failed: ${failure ?? 'no result'}`);
  const r = result.result;
  if (r.error) throw new TrainingError(`job ${id}: ${r.error}`);
  if (o.out && result.model) writeFileAtomic(o.out, Buffer.from(result.model, 'base64'));
  const costs = reportedCosts(result.costs, o.printEvery);
  const report: TrainResult & { job: string; workerModel?: string } = {
    layerDims: r.layerDims,
    costs,
    trainAccuracy: r.trainAccuracy!,
    testAccuracy: r.validationAccuracy,
    seconds: r.seconds,
    model: o.out ?? null,
    job: id,
    ...(result.modelPath ? { workerModel: result.modelPath } : {}),
  };
  if (o.json) return out(JSON.stringify(report));
  out(`deepnet: trained [${r.layerDims.join(', ')}] on ${payload.data} as job ${id} (worker ${result.worker}), ${r.iterations} iterations, lr ${r.learningRate}, ${o.dtype}`);
  for (const [i, J] of costs) out(`Cost after iteration ${i}: ${J}`);
  out(`Train accuracy: ${r.trainAccuracy}`);
  if (r.validationAccuracy !== null) out(`Test accuracy: ${r.validationAccuracy}`);
  out(`Time: ${r.seconds.toFixed(2)} s on the worker (${((r.seconds * 1000) / Math.max(1, r.iterations)).toFixed(2)} ms per iteration)`);
  for (const line of o.chart(result.costs.map((J, i) => [i, J] as [number, number]))) out(line);
  if (o.out) out(`Model: ${o.out}`);
  if (result.modelPath) out(`Model (on the worker's machine): ${result.modelPath}`);
}
