import { BUILTINS } from '../experiment/data.js';
import type { TrialSpec } from '../experiment/trial.js';
import { ConfigError } from '../errors.js';
import { ACTIVATIONS, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { COSTS } from '../nn/costs.js';
import { GRAM_MODES } from '../nn/gram.js';
import { INITS } from '../nn/init.js';

// What a job on the queue carries, and its validator. Anyone who can write to Redis can push a
// job, so a worker runs nothing it has not checked field by field: unknown fields, wrong types and
// out-of-range values fail the job with a message naming the field. Data travel by reference only.

export const JOB_VERSION = 1;

export interface TrainJob {
  version: typeof JOB_VERSION;
  /** 'trial': one trial of a tune search (validation: the tune's rule); 'train': one `deepnet train` run. */
  kind: 'trial' | 'train';
  /** builtin:NAME, idx:PATH[,PATH] or an absolute path every worker can read. */
  data: string;
  /** Held-out data (tune --validation, train --test); null: the default for `data`. */
  validation: string | null;
  xKey: string | null;
  yKey: string | null;
  label: string | null;
  dtype: 'float64' | 'float32';
  backend: string;
  trial: TrialSpec;
  /** train: the flags the user typed among output and cost (the rest follow the class count). */
  given: ('output' | 'cost')[];
  /** Send the model file's bytes back in the job's result. */
  returnModel: boolean;
  /** Or write the model file here, on the worker's machine (an absolute path). */
  modelPath: string | null;
}

/** A job's result (its BullMQ return value). */
export interface JobResult {
  result: import('../experiment/trial.js').TrialResult;
  /** Every iteration's cost. */
  costs: number[];
  /** The model file, base64, when the job asked for it. */
  model: string | null;
  modelPath: string | null;
  /** host:pid of the worker process that ran it. */
  worker: string;
}

/** Longest accepted reference: a path or a built-in name, never the data themselves. */
export const MAX_REFERENCE_LENGTH = 4096;

type Check = (value: unknown, field: string) => void;

class Malformed extends ConfigError {}

function fail(field: string, expected: string, value: unknown): never {
  const shown = JSON.stringify(value);
  throw new Malformed(`field "${field}": expected ${expected}, got ${shown === undefined ? 'nothing' : shown.length > 60 ? `${shown.slice(0, 60)}...` : shown}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const int = (min: number, max: number): Check => (v, f) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(f, `an integer in [${min}, ${max}]`, v);
};
const oneOf = (allowed: readonly string[]): Check => (v, f) => {
  if (typeof v !== 'string' || !allowed.includes(v)) fail(f, `one of ${allowed.join('|')}`, v);
};
const bool: Check = (v, f) => {
  if (typeof v !== 'boolean') fail(f, 'true or false', v);
};
const reference: Check = (v, f) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_REFERENCE_LENGTH) fail(f, `a data reference (builtin:NAME, idx:PATH or a file path, at most ${MAX_REFERENCE_LENGTH} characters)`, v);
  if (v.startsWith('builtin:') && !(BUILTINS as readonly string[]).includes(v.slice('builtin:'.length))) fail(f, `one of ${BUILTINS.map((b) => `builtin:${b}`).join('|')}`, v);
};
const nullable = (check: Check): Check => (v, f) => {
  if (v !== null) check(v, f);
};
const shortString: Check = (v, f) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) fail(f, 'a string of 1 to 256 characters', v);
};
const absolutePath: Check = (v, f) => {
  if (typeof v !== 'string' || !v.startsWith('/') || v.length > MAX_REFERENCE_LENGTH) fail(f, 'an absolute path', v);
};
const learningRate: Check = (v, f) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(f, 'a finite number > 0', v);
};
const layers: Check = (v, f) => {
  if (!Array.isArray(v) || v.length > 64) fail(f, 'a list of at most 64 hidden layer sizes', v);
  v.forEach((n, i) => int(1, 1_000_000)(n, `${f}[${i}]`));
};
const classes: Check = (v, f) => {
  if (v === null) return;
  if (!Array.isArray(v) || v.length > 100_000) fail(f, 'null or a list of classes', v);
  v.forEach((c, i) => {
    if (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c))) fail(`${f}[${i}]`, 'a class (a name or a finite number)', c);
  });
};
const given: Check = (v, f) => {
  if (!Array.isArray(v)) fail(f, 'a list of flag names (output, cost)', v);
  v.forEach((g, i) => oneOf(['output', 'cost'])(g, `${f}[${i}]`));
};

/**
 * Checks every field of `value` (and that there are no others). Own fields only, on both sides: a
 * job naming `constructor`, `toString` or `__proto__` is an unknown field, never an inherited one.
 */
function checkFields(value: unknown, where: string, checks: Record<string, Check>): void {
  if (!isObject(value)) fail(where, 'an object', value);
  for (const key of Object.keys(value)) if (!Object.hasOwn(checks, key)) throw new Malformed(`unknown field "${where ? `${where}.` : ''}${key}"`);
  for (const [key, check] of Object.entries(checks)) check(Object.hasOwn(value, key) ? value[key] : undefined, where ? `${where}.${key}` : key);
}

const TRIAL_CHECKS: Record<string, Check> = {
  trial: int(0, 1_000_000_000),
  learningRate,
  layers,
  hidden: oneOf(ACTIVATIONS),
  output: oneOf(OUTPUT_ACTIVATIONS),
  cost: oneOf(COSTS),
  init: oneOf(INITS),
  seed: int(0, 2 ** 32 - 1),
  iterations: int(0, 100_000_000),
  classes,
  gram: (v, f) => {
    if (v !== undefined) oneOf(GRAM_MODES)(v, f);
  },
};

const JOB_CHECKS: Record<string, Check> = {
  version: (v, f) => {
    if (v !== JOB_VERSION) fail(f, `${JOB_VERSION} (this worker's job format)`, v);
  },
  kind: oneOf(['trial', 'train']),
  data: reference,
  validation: nullable(reference),
  xKey: nullable(shortString),
  yKey: nullable(shortString),
  label: nullable(shortString),
  dtype: oneOf(['float64', 'float32']),
  backend: shortString,
  trial: (v, f) => checkFields(v, f, TRIAL_CHECKS),
  given,
  returnModel: bool,
  modelPath: nullable(absolutePath),
};

/** What BullMQ hands the worker for a job whose stored data are not JSON (see worker.ts). */
export const NOT_JSON: unique symbol = Symbol('job data that are not JSON');

/** The job's data as a TrainJob, or a ConfigError "malformed job: field ...: expected ..., got ...". */
export function validateJob(value: unknown): TrainJob {
  if (value === NOT_JSON) throw new ConfigError('malformed job: its data are not JSON');
  try {
    checkFields(value, '', JOB_CHECKS);
  } catch (e) {
    if (e instanceof Malformed) throw new ConfigError(`malformed job: ${e.message}`);
    throw e;
  }
  return value as TrainJob;
}
