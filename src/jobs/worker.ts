import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { availableParallelism, hostname } from 'node:os';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputPath, dataSpecFiles } from '../io/paths.js';
import { cancelKey } from './cancel.js';
import { connect, QUEUE_NAME } from './connection.js';
import { type JobResult, type TrainJob, validateJob } from './payload.js';
import { Interrupted, type Progress, TrainerPool } from './pool.js';
import type { QueueUrl } from './queueUrl.js';

// `deepnet worker`: takes training jobs from the queue, trains them in threads, reports the cost as
// the job's progress and stores the result on the job. A worker that dies leaves its job's lock to
// expire; another worker's stalled-job check then puts the job back in the queue (BullMQ).

export interface WorkerOptions {
  queue: QueueUrl;
  concurrency: number;
  /**
   * Lock duration = stalled-check interval (ms). A job whose worker died is retried after
   * between one and two of these; a live worker renews its locks every half of it.
   */
  stallMs: number;
  log: (line: string) => void;
}

/** Stalled checks a job survives before it is failed (a job that kills every worker it meets). */
export const MAX_STALLED = 3;

/** How often a running job's progress (and a cancel request) is sent to / read from Redis (ms). */
const PROGRESS_EVERY_MS = 500;

export interface RunningWorker {
  /** Resolves when the worker has stopped. */
  stopped: Promise<void>;
  /** First call: finish the running jobs, take no more. Second: hand the running jobs back to the queue. */
  stop: () => void;
}

function describe(job: TrainJob): string {
  const t = job.trial;
  return `${job.kind} ${t.trial} (lr ${t.learningRate}, layers [${t.layers.join(', ')}], ${t.hidden}, ${t.iterations} iterations) on ${job.data}`;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { queue, log } = options;
  const connection = connect(queue, log);
  // One job alone uses every core through the kernels' threads; concurrent jobs share them.
  const pool = new TrainerPool(Math.max(1, Math.floor(availableParallelism() / options.concurrency)));
  const running = new Map<string, AbortController>();
  let handingBack = false;
  const me = `${hostname()}:${process.pid}`;

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    let payload: TrainJob;
    try {
      payload = validateJob(job.data);
      // Where the model goes is checked before the training, as every command checks its outputs.
      if (payload.modelPath) checkOutputPath(payload.modelPath, '--worker-out', [...dataSpecFiles(payload.data), ...dataSpecFiles(payload.validation ?? undefined)]);
    } catch (e) {
      // Never run what does not validate; no retry either, it would fail the same way.
      log(`job ${job.id}: rejected: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    }
    log(`job ${job.id}: ${describe(payload)}: started`);
    const controller = new AbortController();
    running.set(job.id!, controller);
    let lastSent = 0;
    const onProgress = (p: Progress) => {
      const now = performance.now();
      if (now - lastSent < PROGRESS_EVERY_MS) return;
      lastSent = now;
      job.updateProgress({ iteration: p.iteration, iterations: p.iterations, cost: p.cost }).catch(connection.reportError);
      connection.redis
        .exists(cancelKey(job.id!))
        .then((n) => (n ? controller.abort('cancelled by `deepnet jobs cancel`') : undefined))
        .catch(connection.reportError);
    };
    try {
      const outcome = await pool.run(payload, onProgress, controller.signal);
      let modelPath: string | null = null;
      if (outcome.bytes && payload.modelPath) {
        writeFileAtomic(payload.modelPath, outcome.bytes, '--worker-out');
        modelPath = payload.modelPath;
      }
      const model = outcome.bytes && payload.returnModel ? Buffer.from(outcome.bytes).toString('base64') : null;
      return { result: outcome.result, costs: outcome.costs, model, modelPath, worker: me };
    } catch (e) {
      if (e instanceof Interrupted && handingBack && token) {
        // Back to the waiting list, untouched: another worker starts it afresh.
        await job.moveToWait(token);
        log(`job ${job.id}: handed back to the queue`);
        throw new WaitingError();
      }
      log(`job ${job.id}: failed: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    } finally {
      running.delete(job.id!);
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: connection.redis,
    concurrency: options.concurrency,
    lockDuration: options.stallMs,
    stalledInterval: options.stallMs,
    maxStalledCount: MAX_STALLED,
    // Results stay a week for `deepnet jobs result`; a tune reads its own as they finish.
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
    autorun: false,
  });
  worker.on('error', connection.reportError);
  // Logged once BullMQ has stored the result (a job whose lock was lost meanwhile is not done here).
  worker.on('completed', (job: Job, { result: r }: JobResult) => {
    log(`job ${job.id}: ${r.error ? `failed trial: ${r.error}` : `done, cost ${r.finalCost}, validation accuracy ${r.validationAccuracy}`}`);
  });
  worker.on('stalled', (id) => log(`job ${id}: its worker stopped answering: back in the queue`));
  void worker.run().catch(connection.reportError);
  try {
    await connection.ready(worker.waitUntilReady());
  } catch (e) {
    await worker.close(true).catch(() => undefined);
    await connection.close();
    throw e;
  }
  log(
    `deepnet worker ${me}: taking jobs from ${queue.safe} (concurrency ${options.concurrency}; a dead worker's job is retried after ${options.stallMs / 1000}-${(2 * options.stallMs) / 1000} s)`,
  );

  let stops = 0;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = (): void => {
    stops++;
    if (stops === 1) {
      log(`deepnet worker: stopping after ${running.size} running job(s) (again to hand them back to the queue)`);
      void worker
        .close()
        .then(() => pool.close())
        .then(() => connection.close())
        .then(resolveStopped, resolveStopped);
    } else if (stops === 2) {
      log(`deepnet worker: handing ${running.size} running job(s) back to the queue`);
      handingBack = true;
      for (const c of running.values()) c.abort('handed back');
    }
  };
  return { stopped, stop };
}
