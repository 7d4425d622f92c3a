import { type Job, Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { type Connection, connect, QUEUE_NAME } from './connection.js';
import type { JobResult, TrainJob } from './payload.js';
import type { QueueUrl } from './queueUrl.js';

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
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

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

export async function jobStatus(queue: Queue, id: string): Promise<JobStatus | undefined> {
  // The state first, then the job's fields: a job read first could finish in between and show
  // 'completed' without its result. A finished job's fields are final.
  const state = await queue.getJobState(id);
  const job = (await queue.getJob(id)) as Job | undefined;
  if (!job || state === 'unknown') return undefined;
  if (state === 'completed') return { id, state, result: job.returnvalue as JobResult };
  if (state === 'failed') return { id, state, error: job.failedReason };
  if (state === 'active') {
    const p = job.progress as JobStatus['progress'] | number;
    return { id, state: 'running', ...(typeof p === 'object' && p !== null ? { progress: p } : {}) };
  }
  return { id, state: 'waiting' };
}

/**
 * Waits until every job has completed or failed; `onChange` sees each state change. A job that
 * disappears (cancelled while waiting, or Redis lost its data) ends as failed with that reason.
 */
export async function waitForJobs(queue: Queue, ids: string[], onChange: (s: JobStatus) => void): Promise<Map<string, JobStatus>> {
  const final = new Map<string, JobStatus>();
  const last = new Map<string, string>();
  while (final.size < ids.length) {
    const pending = ids.filter((id) => !final.has(id));
    for (let i = 0; i < pending.length; i += 64) {
      const chunk = pending.slice(i, i + 64);
      const statuses = await Promise.all(chunk.map((id) => jobStatus(queue, id)));
      statuses.forEach((s, k) => {
        const id = chunk[k]!;
        const status: JobStatus = s ?? { id, state: 'failed', error: 'the job is no longer in the queue (cancelled, or Redis lost its data)' };
        if (status.state === 'completed' || status.state === 'failed') final.set(id, status);
        if (last.get(id) !== status.state) {
          last.set(id, status.state);
          onChange(status);
        }
      });
    }
    if (final.size < ids.length) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return final;
}
