import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import { type TrainJob, validateJob } from './payload.js';

// A search (one `tune --queue`) kept in Redis beside its jobs, so that it outlives its submitter:
// `deepnet jobs list` shows it with its progress, `deepnet tune --resume ID` collects its results
// (and resubmits the trials Redis lost). Its trials' jobs are SEARCH-0, SEARCH-1, ...

export const SEARCH_VERSION = 1;

/** Kept as long as the jobs' results (a week). */
const SEARCH_TTL_S = 7 * 24 * 3600;
const INDEX = 'deepnet:searches';
const searchKey = (id: string): string => `deepnet:search:${id}`;

export interface SearchRecord {
  version: typeof SEARCH_VERSION;
  id: string;
  /** When it was submitted (ms since 1970). */
  created: number;
  /** The data's and the validation set's names, for the report. */
  data: string;
  validation: string;
  search: 'grid' | 'random';
  /** n_x and n_y, for the layerDims of a trial whose job failed. */
  nx: number;
  ny: number;
  /** Every trial's job, in trial order. */
  jobs: TrainJob[];
}

export const trialJobId = (search: string, trial: number): string => `${search}-${trial}`;

export async function saveSearch(redis: Redis, record: SearchRecord): Promise<void> {
  await redis.multi().set(searchKey(record.id), JSON.stringify(record), 'EX', SEARCH_TTL_S).zadd(INDEX, String(record.created), record.id).exec();
}

/** The record as stored, checked: anyone who can write to Redis can write one, as they can a job. */
function parseRecord(id: string, text: string): SearchRecord {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    throw new ConfigError(`search ${id}: its record in Redis is not JSON`);
  }
  const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
  const bad = (field: string) => new ConfigError(`search ${id}: its record in Redis has a malformed field "${field}"`);
  if (!Object.hasOwn(o, 'version') || o.version !== SEARCH_VERSION) throw bad('version');
  if (o.id !== id) throw bad('id');
  for (const f of ['data', 'validation'] as const) if (typeof o[f] !== 'string') throw bad(f);
  for (const f of ['created', 'nx', 'ny'] as const) if (!Number.isSafeInteger(o[f]) || (o[f] as number) < 0) throw bad(f);
  if (o.search !== 'grid' && o.search !== 'random') throw bad('search');
  if (!Array.isArray(o.jobs) || o.jobs.length === 0 || o.jobs.length > 1_000_000) throw bad('jobs');
  const jobs = o.jobs.map((j, i) => {
    const job = validateJob(j);
    if (job.kind !== 'trial' || job.trial.trial !== i) throw bad(`jobs[${i}]`);
    return job;
  });
  return { version: SEARCH_VERSION, id, created: o.created as number, data: o.data as string, validation: o.validation as string, search: o.search, nx: o.nx as number, ny: o.ny as number, jobs };
}

export async function loadSearch(redis: Redis, id: string): Promise<SearchRecord> {
  const text = await redis.get(searchKey(id));
  if (text === null) throw new ConfigError(`no search ${JSON.stringify(id)} on the queue (searches are kept 7 days; \`deepnet jobs list\` shows them)`);
  return parseRecord(id, text);
}

export interface SearchProgress {
  id: string;
  created: number;
  data: string;
  trials: number;
  completed: number;
  failed: number;
  running: number;
  waiting: number;
  /** Trials whose job Redis no longer holds. */
  missing: number;
}

/** Every search still kept, oldest first, with how far its trials are. */
export async function listSearches(queue: Queue, redis: Redis): Promise<SearchProgress[]> {
  const ids = await redis.zrange(INDEX, '0', '-1');
  const out: SearchProgress[] = [];
  for (const id of ids) {
    let record: SearchRecord;
    try {
      record = await loadSearch(redis, id);
    } catch (e) {
      // Expired: dropped from the index. Malformed: shown as such, never trusted.
      if ((await redis.exists(searchKey(id))) === 0) await redis.zrem(INDEX, id);
      else out.push({ id, created: 0, data: `(${(e as Error).message})`, trials: 0, completed: 0, failed: 0, running: 0, waiting: 0, missing: 0 });
      continue;
    }
    const p: SearchProgress = { id, created: record.created, data: record.data, trials: record.jobs.length, completed: 0, failed: 0, running: 0, waiting: 0, missing: 0 };
    const states = await Promise.all(record.jobs.map((j) => queue.getJobState(trialJobId(id, j.trial.trial))));
    for (const s of states) {
      if (s === 'completed') p.completed++;
      else if (s === 'failed') p.failed++;
      else if (s === 'active') p.running++;
      else if (s === 'unknown') p.missing++;
      else p.waiting++;
    }
    out.push(p);
  }
  return out;
}

/** A search's or run's id: its kind, the time, and 8 random hex digits. */
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
