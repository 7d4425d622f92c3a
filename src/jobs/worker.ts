import { type Job, type JobJson, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { availableParallelism, hostname } from 'node:os';
import { defaultTest } from '../experiment/data.js';
import { writeFileAtomic } from '../io/atomic.js';
import { cancelKey } from './cancel.js';
import { connect, QUEUE_NAME } from './connection.js';
import { formatBytes } from '../nn/memory.js';
import { overBound } from './memoryBound.js';
import { type JobResult, NOT_JSON, type TrainJob, validateJob } from './payload.js';
import { Interrupted, JobFailed, type Progress, TrainerPool } from './pool.js';
import { redact, type QueueUrl } from './queueUrl.js';
import { confineModelPath, confineReference, relativeToRoots, type Root } from './roots.js';

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
  /** Folders a job's data may come from, and its model file may go to. */
  dataRoots: Root[];
  modelRoots: Root[];
  /** Memory all running jobs together may take (bytes): each of `concurrency` jobs gets its share. */
  maxMemory: number;
  /** A job's deadline, from its start (ms). */
  jobTimeoutMs: number;
  log: (line: string) => void;
  /**
   * Called with the worker's `stop` before it can take its first job (a CLI installs its signal
   * handlers here: a signal between a job's start and handlers installed later would kill the
   * process with the job still locked to it). A stop before Redis answers ends the wait for it.
   */
  onStop?: (stop: RunningWorker['stop']) => void;
}

/** Stalled checks a job survives before it is failed (a job that kills every worker it meets). */
export const MAX_STALLED = 3;

/** How often a running job's progress (and a cancel request) is sent to / read from Redis (ms). */
const PROGRESS_EVERY_MS = 500;

export interface RunningWorker {
  /** Resolves when the worker has stopped. */
  stopped: Promise<void>;
  /**
   * handBack false: finish the running jobs, take no more (a second call hands them back);
   * true: hand the running jobs back to the queue at once and stop.
   */
  stop: (handBack?: boolean) => void;
}

function describe(job: TrainJob): string {
  const t = job.trial;
  return `${job.kind} ${t.trial} (lr ${t.learningRate}, layers [${t.layers.join(', ')}], ${t.hidden}, ${t.iterations} iterations) on ${job.data}`;
}

/**
 * BullMQ parses a job's stored data as JSON before the processor sees it; data that are not JSON
 * would throw there, outside any job, and the job would cycle active -> stalled -> waiting forever.
 * Here they reach the processor as NOT_JSON, which fails the job with a reason.
 */
class JobWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch {
      const job = super.createJob({ ...data, data: '{}', opts: '{}', returnvalue: 'null', stacktrace: '[]' } as JobJson, jobId);
      (job as { data: unknown }).data = NOT_JSON;
      return job;
    }
  }
}

/** The job with every file it names checked against the worker's roots and resolved (see roots.ts). */
function confineJob(job: TrainJob, options: WorkerOptions): TrainJob {
  const data = confineReference(job.data, 'data', 'train', options.dataRoots);
  let validation = job.validation === null ? null : confineReference(job.validation, 'validation', 'test', options.dataRoots);
  // An IDX folder's own t10k files are its default test set: resolved here, as the loader would pick them.
  if (validation === null && job.data.startsWith('idx:') && data !== job.data && defaultTest(job.data) !== undefined) {
    validation = confineReference(job.data, 'data', 'test', options.dataRoots);
  }
  const modelPath = job.modelPath === null ? null : confineModelPath(job.modelPath, options.modelRoots);
  return { ...job, data, validation, modelPath };
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { queue } = options;
  const log = (line: string) => options.log(redact(line));
  const connection = connect(queue, log);
  const jobBytes = Math.floor(options.maxMemory / options.concurrency);
  // One job alone uses every core through the kernels' threads; concurrent jobs share them.
  const pool = new TrainerPool(Math.max(1, Math.floor(availableParallelism() / options.concurrency)), jobBytes);
  const running = new Map<string, AbortController>();
  let handingBack = false;
  const me = `${hostname()}:${process.pid}`;

  /** The error that fails the job with `reason` (logged with `detail`, for the operator's eyes only, when given). */
  const refusal = (job: Job, reason: string, detail?: string): UnrecoverableError => {
    log(`job ${job.id}: failed: ${detail ?? reason}`);
    return new UnrecoverableError(redact(reason));
  };

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    let payload: TrainJob;
    let given: TrainJob;
    try {
      given = validateJob(job.data);
      payload = confineJob(given, options);
    } catch (e) {
      // Never run what does not validate; no retry either, it would fail the same way.
      const reason = (e as Error).message.startsWith('malformed job') ? (e as Error).message : `refused job: ${(e as Error).message}`;
      log(`job ${job.id}: rejected: ${reason}`);
      throw new UnrecoverableError(redact(reason));
    }
    // The hidden layers alone may already be too large: refused before any data are loaded.
    const hiddenOnly = overBound([1, ...payload.trial.layers, 1], 1, payload.dtype, jobBytes);
    if (hiddenOnly) throw refusal(job, `refused job: ${hiddenOnly}`);
    log(`job ${job.id}: ${describe(payload)}: started`);
    const controller = new AbortController();
    running.set(job.id!, controller);
    if (handingBack) controller.abort('handed back');
    let progress: Progress | undefined;
    // Every half second, whatever the job is doing (loading data or training): send its progress,
    // look for a cancel request, and keep its deadline.
    const deadline = Date.now() + options.jobTimeoutMs;
    const tick = setInterval(() => {
      if (Date.now() >= deadline) controller.abort(`stopped at the worker's --job-timeout of ${options.jobTimeoutMs / 1000} s`);
      if (progress) job.updateProgress({ ...progress }).catch(connection.reportError);
      connection.redis
        .exists(cancelKey(job.id!))
        .then((n) => (n ? controller.abort('cancelled by `deepnet jobs cancel`') : undefined))
        .catch(connection.reportError);
    }, Math.min(PROGRESS_EVERY_MS, options.jobTimeoutMs));
    const onProgress = (p: Progress) => void (progress = { iteration: p.iteration, iterations: p.iterations, cost: p.cost });
    try {
      const outcome = await pool.run(payload, onProgress, controller.signal);
      let modelPath: string | null = null;
      if (outcome.bytes && payload.modelPath) {
        writeFileAtomic(payload.modelPath, outcome.bytes, '--worker-out');
        modelPath = given.modelPath;
      }
      const model = outcome.bytes && payload.returnModel ? Buffer.from(outcome.bytes).toString('base64') : null;
      return { result: outcome.result, costs: outcome.costs, model, modelPath, worker: me };
    } catch (e) {
      if (e instanceof Interrupted && handingBack && token && controller.signal.reason === 'handed back') {
        // Back to the waiting list, untouched: another worker starts it afresh.
        await job.moveToWait(token);
        log(`job ${job.id}: handed back to the queue`);
        throw new WaitingError();
      }
      if (e instanceof JobFailed && e.stage === 'load') {
        // A loader's message may quote the file (CSV column names, HDF5 keys): the operator sees
        // it in this log, the job's reason names the files relative to their root only.
        const files = [payload.data, payload.validation].filter((f): f is string => f !== null && !f.startsWith('builtin:'));
        const named = files.map((f) => relativeToRoots(f.replace(/^idx:/, '').split(',')[0]!, options.dataRoots)).join(' or ');
        throw refusal(job, `data ${named || payload.data}: could not be read as a data set (the worker's log has the details)`, e.message);
      }
      throw refusal(job, e instanceof JobFailed ? `refused job: ${e.message}` : (e as Error).message);
    } finally {
      clearInterval(tick);
      running.delete(job.id!);
    }
  };

  const worker = new JobWorker(QUEUE_NAME, processor, {
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
  // The lock is gone (Redis lost it, or the job went to another worker after a stall): training on
  // would only produce a result nobody may store.
  worker.on('lockRenewalFailed', (ids: string[]) => {
    for (const id of ids) {
      const c = running.get(id);
      if (!c || c.signal.aborted) continue;
      log(`job ${id}: lost its lock (Redis lost it, or another worker took the job): stopped training it`);
      c.abort('lost its lock');
    }
  });
  let closing = false;
  let connected = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = (handBack = false): void => {
    if (!closing) {
      closing = true;
      if (!handBack) log(`deepnet worker: stopping after ${running.size} running job(s) (again to hand them back to the queue)`);
      // Not yet connected: no job can be running, and a graceful close would wait for Redis.
      void worker
        .close(!connected)
        .then(() => pool.close(true))
        .then(() => connection.close())
        .then(resolveStopped, resolveStopped);
      if (!handBack) return;
    }
    if (handingBack) return;
    log(`deepnet worker: handing ${running.size} running job(s) back to the queue`);
    handingBack = true;
    for (const c of running.values()) c.abort('handed back');
  };
  options.onStop?.(stop);
  void worker.run().catch(connection.reportError);
  try {
    // A stop before Redis first answers ends the wait (Redis may be down for as long as it likes).
    connected = await connection.ready(Promise.race([worker.waitUntilReady().then(() => true), stopped.then(() => false)]));
    if (!connected) return { stopped, stop };
  } catch (e) {
    // Stopped while waiting: the wait may end in the closed connection's error, which is no error.
    if (closing) return { stopped, stop };
    await worker.close(true).catch(() => undefined);
    await connection.close();
    throw e;
  }
  const roots = (rs: Root[]) => rs.map((r) => r.given).join(':');
  log(
    `deepnet worker ${me}: taking jobs from ${queue.safe} (concurrency ${options.concurrency}; data from ${roots(options.dataRoots)}; models to ${roots(options.modelRoots)}; ` +
      `at most ${formatBytes(jobBytes)} and ${options.jobTimeoutMs / 1000} s a job; a dead worker's job is retried after ${options.stallMs / 1000}-${(2 * options.stallMs) / 1000} s)`,
  );
  return { stopped, stop };
}
