import { type Job, Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { type Connection, connect, QUEUE_NAME } from './connection.js';
import type { JobResult, TrainJob } from './payload.js';
import type { QueueUrl } from './queueUrl.js';
import { cancelKey } from './cancel.js';
export { newId } from './search.js';

// The submitting side: put jobs on the queue and follow them to the end. Jobs are followed by
// polling their state, not by an event stream, so a Redis restart between two polls loses nothing:
// the next poll (after the client reconnects) reads the state Redis kept.

export interface JobStatus {
  id: string;
  state: 'waiting' | 'running' | 'completed' | 'failed';
  /** The worker's result, once completed. */
  result?: JobResult;
  /** Why the job failed (the worker's message), once failed. */
  error?: string;
  /** The last reported iteration and cost, while running. */
  progress?: { iteration: number; iterations: number; cost: number };
}

/** How long tune, train and jobs try to reach Redis at the start (later outages are waited out). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Poll interval while waiting for jobs (ms). */
export const POLL_MS = 200;

export interface OpenQueue {
  queue: Queue;
  connection: Connection;
  close: () => Promise<void>;
}

export async function openQueue(url: QueueUrl, log: (line: string) => void): Promise<OpenQueue> {
  const connection = connect(url, log);
  const queue = new Queue(QUEUE_NAME, { connection: connection.redis });
  queue.on('error', connection.reportError);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConfigError(`queue ${url.safe}: no connection within ${CONNECT_TIMEOUT_MS / 1000} s; is Redis running there?`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await connection.ready(Promise.race([queue.waitUntilReady(), timeout]));
    clearTimeout(timer);
  } catch (e) {
    clearTimeout(timer);
    await queue.close().catch(() => undefined);
    await connection.close();
    throw e;
  }
  return {
    queue,
    connection,
    close: async () => {
      await queue.close().catch(() => undefined);
      await connection.close();
    },
  };
}

/** An id no other submission uses: `PREFIX-<time>-<random>`. */

export async function submit(queue: Queue, jobs: { id: string; payload: TrainJob }[]): Promise<void> {
  await queue.addBulk(
    jobs.map(({ id, payload }) => ({
      name: payload.kind,
      data: payload,
      // One attempt: a failed trial is a result. A worker lost mid-job is the stalled-job
      // check's business, which does not count as an attempt.
      opts: { jobId: id, attempts: 1, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
    })),
  );
}

/** The job's fields, or undefined when Redis holds none; fields that are not JSON are read raw. */
async function readJob({ queue, connection }: OpenQueue, id: string): Promise<{ job?: Job; failedReason?: string; malformed: boolean } | undefined> {
  try {
    const job = (await queue.getJob(id)) as Job | undefined;
    return job ? { job, malformed: false } : undefined;
  } catch {
    // A job injected with data that are not JSON: BullMQ cannot parse it; its worker fails it.
    const failedReason = await connection.redis.hget(queue.toKey(id), 'failedReason');
    return { failedReason: failedReason ?? undefined, malformed: true };
  }
}

export async function jobStatus(open: OpenQueue, id: string): Promise<JobStatus | undefined> {
  const { queue } = open;
  // The state first, then the job's fields: a job read first could finish in between and show
  // 'completed' without its result. A finished job's fields are final.
  const state = await queue.getJobState(id);
  const read = await readJob(open, id);
  if (!read || state === 'unknown') return undefined;
  const { job } = read;
  if (!job) {
    if (state === 'failed') return { id, state, error: read.failedReason ?? 'malformed job: its data are not JSON' };
    // Never completed: no worker runs what it cannot parse.
    return { id, state: state === 'active' ? 'running' : 'waiting' };
  }
  if (state === 'completed') return { id, state, result: job.returnvalue as JobResult };
  if (state === 'failed') return { id, state, error: job.failedReason };
  if (state === 'active') {
    const p = job.progress as JobStatus['progress'] | number;
    return { id, state: 'running', ...(typeof p === 'object' && p !== null ? { progress: p } : {}) };
  }
  return { id, state: 'waiting' };
}

/** Why a job vanished, when it did not vanish by accident: cancelled (`deepnet jobs cancel` leaves a mark). */
async function vanishedOnPurpose({ connection }: OpenQueue, id: string): Promise<boolean> {
  return (await connection.redis.exists(cancelKey(id))) === 1;
}

/**
 * Waits until every job has completed or failed; `onChange` sees each state change. A job that
 * disappears is resubmitted once by `resubmit` (Redis restarted without persistence, and the
 * submitter still holds its payload); cancelled, gone twice, or without `resubmit`, it ends as failed.
 */
export async function waitForJobs(
  open: OpenQueue,
  ids: string[],
  onChange: (s: JobStatus) => void,
  resubmit?: (id: string) => Promise<void>,
): Promise<Map<string, JobStatus>> {
  const final = new Map<string, JobStatus>();
  const last = new Map<string, string>();
  const resubmitted = new Set<string>();
  while (final.size < ids.length) {
    const pending = ids.filter((id) => !final.has(id));
    for (let i = 0; i < pending.length; i += 64) {
      const chunk = pending.slice(i, i + 64);
      const statuses = await Promise.all(chunk.map((id) => jobStatus(open, id)));
      for (const [k, s] of statuses.entries()) {
        const id = chunk[k]!;
        let status: JobStatus | undefined = s;
        if (!status) {
          const cancelled = await vanishedOnPurpose(open, id);
          if (resubmit && !cancelled && !resubmitted.has(id)) {
            resubmitted.add(id);
            await resubmit(id);
            status = { id, state: 'waiting' };
          } else {
            const why = cancelled ? 'cancelled by `deepnet jobs cancel`' : resubmit ? 'Redis lost the job twice (restarted without persistence?)' : 'the job is no longer in the queue (cancelled, or Redis lost its data)';
            status = { id, state: 'failed', error: why };
          }
        }
        if (status.state === 'completed' || status.state === 'failed') final.set(id, status);
        if (last.get(id) !== status.state) {
          last.set(id, status.state);
          onChange(status);
        }
      }
    }
    if (final.size < ids.length) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return final;
}
