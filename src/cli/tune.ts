import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import { ConfigError, TrainingError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputPaths, dataSpecFiles } from '../io/paths.js';
import type { DType, Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { INITS, type InitName } from '../nn/init.js';
import { GRAM_MODES, type GramMode } from '../nn/gram.js';
import { backendDataOptions, checkMemory, estimateTrainingBytes, evaluationBytes, formatBytes, processMemoryLimit } from '../nn/memory.js';
import { resolveBackend } from '../backend/select.js';
import { NumpyRandom } from '../random.js';
import { tuneData } from '../experiment/data.js';
import type { ClassValue } from '../experiment/labels.js';
import type { TrialResult, TrialSpec } from '../experiment/trial.js';
import { GRAM_FLAG } from './trainingFlags.js';
import { choice, layerList, nonNegativeInt, outputActivationOption, positiveInt, positiveNumber } from './parsers.js';
import { loadSearch, newId, type SearchRecord } from '../jobs/search.js';
import { optionalQueueOption, queueUrlFrom } from '../jobs/queueOption.js';
import { parseQueueUrl, type QueueUrl } from '../jobs/queueUrl.js';

// The course's hyperparameter lesson as a tool: train one network per combination of learning
// rate, hidden layers and hidden activation, in worker threads, and rank them on held-out data.

/** A matrix whose values live in a SharedArrayBuffer, so every worker reads the same copy. */
export interface SharedMatrix {
  rows: number;
  cols: number;
  dtype: DType;
  buffer: SharedArrayBuffer;
}

export type { TrialResult, TrialSpec };

interface TuneFlags {
  data: string;
  validation?: string;
  xKey?: string;
  yKey?: string;
  label?: string;
  lr: number[];
  layers: number[][];
  hidden: ActivationName[];
  output: ActivationName;
  cost: CostName;
  init: InitName;
  iterations: number;
  trials?: number;
  search: 'grid' | 'random';
  parallel: number;
  seed: number;
  dtype: DType;
  backend: string;
  gram?: GramMode;
  results?: string;
  out?: string;
  json?: boolean;
  queue?: string | boolean;
  resume?: string;
}

const lrList = (value: string) => value.split(',').map((p) => positiveNumber(p));
const layersList = (value: string) => value.split(':').map((p) => layerList(p));
const hiddenList = (value: string) => value.split(',').map((p) => choice(ACTIVATIONS)(p.trim()));

export function tuneCommand(program: Command): void {
  program
    .command('tune')
    .description('hyperparameter search: one network per (learning rate, hidden layers, activation), ranked by validation accuracy')
    .option('--data <file|builtin:NAME>', 'training data', 'builtin:cat')
    .option('--validation <file|builtin:NAME>', 'held-out data to rank by (default: the test set of a built-in, else the last 20% of --data)')
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--label <name>', 'CSV column holding the labels (default: the last column)')
    .option('--lr <list>', 'learning rates, comma-separated', lrList, [0.0075])
    .option('--layers <list>', 'hidden layer sizes per candidate, candidates separated by ":" (e.g. 20,7,5:10,10)', layersList, [[20, 7, 5]])
    .option('--hidden <list>', `hidden activations, comma-separated: ${ACTIVATIONS.join('|')}`, hiddenList, ['relu'])
    .addOption(outputActivationOption())
    .option('--cost <name>', `cost: ${COSTS.join('|')}`, choice(COSTS), 'bce')
    .option('--init <name>', `initialisation: ${INITS.join('|')}`, choice(INITS), 'xavier')
    .option('--iterations <n>', 'gradient-descent iterations per trial', nonNegativeInt, 2500)
    .option('--trials <k>', 'grid: the first k combinations; random: k random draws (default: the whole grid)', positiveInt)
    .option('--search <how>', 'grid|random (random draws the learning rate log-uniformly between the smallest and largest given)', choice(['grid', 'random'] as const), 'grid')
    .option('--parallel <p>', 'trials trained at the same time, each in a worker thread', positiveInt, Math.max(1, Math.min(4, availableParallelism())))
    .option('--seed <s>', 'numpy seed of the initialisations (and of the random search)', nonNegativeInt, 1)
    .option('--dtype <dtype>', 'float64|float32', choice(['float64', 'float32'] as const), 'float64')
    .option('--backend <name>', 'kernels: auto|reference|wasm (each trial computes on one thread)', 'auto')
    .option(...GRAM_FLAG, choice(GRAM_MODES))
    .option('--results <file.json>', 'where to write the ranked table as JSON, rewritten as trials finish (default: tune-results-SEARCH_ID.json)')
    .option('--out <file.safetensors>', 'save the best model')
    .option('--json', 'print the ranked results as one JSON object on stdout')
    .addOption(optionalQueueOption('run each trial as a job on this Redis queue, trained by `deepnet worker` processes'))
    .option('--resume <search-id>', 'with --queue: follow a search whose submitter stopped (its trials kept running), collect its results')
    .addHelpText(
      'after',
      '\nExamples:\n  $ deepnet tune --lr 0.001,0.0075,0.03 --layers 20,7,5:10,10 --hidden relu,tanh --iterations 1000\n  $ deepnet tune --search random --trials 8 --lr 0.0001,0.1 --layers 7:20,7,5 --parallel 2 --out best.safetensors',
    )
    .action(async (flags: TuneFlags, command: Command) => {
      await tune(flags, (name) => command.getOptionValueSource(name) === 'cli');
    });
}

/** The trials of a search: the grid in order (lr fastest), or k random draws. */
export function trialSpecs(flags: Pick<TuneFlags, 'lr' | 'layers' | 'hidden' | 'output' | 'cost' | 'init' | 'seed' | 'iterations' | 'trials' | 'search' | 'gram'>, classes: ClassValue[] | null): TrialSpec[] {
  const base = { output: flags.output, cost: flags.cost, init: flags.init, seed: flags.seed, iterations: flags.iterations, classes, ...(flags.gram ? { gram: flags.gram } : {}) };
  const specs: TrialSpec[] = [];
  if (flags.search === 'grid') {
    for (const hidden of flags.hidden) {
      for (const layers of flags.layers) {
        for (const learningRate of flags.lr) specs.push({ trial: specs.length, learningRate, layers, hidden, ...base });
      }
    }
    return specs.slice(0, flags.trials ?? specs.length);
  }
  if (flags.trials === undefined) throw new ConfigError('tune --search random needs --trials K (how many draws)');
  const rng = new NumpyRandom(flags.seed);
  const lo = Math.log10(Math.min(...flags.lr));
  const hi = Math.log10(Math.max(...flags.lr));
  for (let t = 0; t < flags.trials; t++) {
    const [u, a, b] = rng.rand(3);
    specs.push({
      trial: t,
      // The course's advice: search α on a log scale, r = lo + (hi - lo) * rand(); α = 10^r.
      learningRate: 10 ** (lo + (hi - lo) * u!),
      layers: flags.layers[Math.floor(a! * flags.layers.length)]!,
      hidden: flags.hidden[Math.floor(b! * flags.hidden.length)]!,
      ...base,
    });
  }
  return specs;
}

function share(M: Matrix): SharedMatrix {
  const buffer = new SharedArrayBuffer(M.data.byteLength);
  (M.dtype === 'float64' ? new Float64Array(buffer) : new Float32Array(buffer)).set(M.data);
  return { rows: M.rows, cols: M.cols, dtype: M.dtype, buffer };
}

/**
 * Refuses, before any trial starts, a search that cannot fit: a trial over the kernels' own memory
 * (wasm: 2 GiB), or the `parallel` largest trials at once over the machine's memory beside the
 * data's shared copies. Each trial thread holds its network and its training as `deepnet train`
 * counts them, and the validation set it evaluates; a backend with its own memory copies the data in.
 */
export function checkTrialMemory(specs: readonly TrialSpec[], train: Dataset, validation: Dataset, flags: Pick<TuneFlags, 'backend' | 'parallel'>, limitBytes: number): void {
  const backend = resolveBackend(flags.backend);
  const own = backendDataOptions(backend, 'backend');
  const { X, Y } = train;
  const m = X.cols;
  const needs = specs.map((spec) => {
    const layerDims = [X.rows, ...spec.layers, Y.rows];
    const name = `trial ${spec.trial} (layerDims [${layerDims.join(', ')}], m = ${m}, ${X.dtype})`;
    const options = { gram: spec.gram, ...own };
    checkMemory(layerDims, m, X.dtype, { ...options, limitBytes: backend.maxBytes, limitName: `the ${backend.name} backend can hold`, what: `tune: ${name}`, hint: 'use smaller layers' });
    return { name, bytes: estimateTrainingBytes(layerDims, m, X.dtype, { ...options, otherBytes: evaluationBytes(layerDims, validation.X.cols, X.dtype, own) }) };
  });
  const largest = [...needs].sort((a, b) => b.bytes - a.bytes).slice(0, Math.max(1, flags.parallel));
  const shared = [X, Y, validation.X, validation.Y].reduce((sum, M) => sum + M.data.byteLength, 0);
  const need = shared + largest.reduce((sum, n) => sum + n.bytes, 0);
  if (need > limitBytes) {
    const at = largest.length > 1 ? `${largest.length} trials at once (--parallel ${flags.parallel}; the largest: ${largest[0]!.name})` : largest[0]!.name;
    throw new ConfigError(`tune: ${at} need about ${formatBytes(need)} of memory, more than the ${formatBytes(limitBytes)} available; use smaller layers${largest.length > 1 ? ' or a lower --parallel' : ''}`);
  }
}

/** Runs the trials on `parallel` worker threads; results come back in trial order. */
async function runTrials(specs: TrialSpec[], train: Dataset, validation: Dataset, flags: TuneFlags, onDone: (r: TrialResult) => void): Promise<{ results: TrialResult[]; models: Map<number, Uint8Array> }> {
  const workerData = { X: share(train.X), Y: share(train.Y), Xv: share(validation.X), Yv: share(validation.Y), backend: flags.backend };
  const results: TrialResult[] = [];
  const models = new Map<number, Uint8Array>();
  let next = 0;
  // '../cli/': the same file from dist/cli/ and from the bundled CLI's dist/bundle/.
  const workers = Array.from({ length: Math.min(flags.parallel, specs.length) }, () => new Worker(new URL('../cli/tune-worker.js', import.meta.url), { workerData }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= specs.length) return resolve();
              worker.postMessage(specs[next++]);
            };
            worker.on('message', ({ result, bytes }: { result: TrialResult; bytes: Uint8Array | null }) => {
              results.push(result);
              if (bytes) models.set(result.trial, bytes);
              onDone(result);
              feed();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (code !== 0 ? reject(new Error(`tune worker stopped with exit code ${code}`)) : undefined));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  results.sort((a, b) => a.trial - b.trial);
  return { results, models };
}

/** Best first: validation accuracy, then train accuracy, then the trial number; failed trials after, diverged ones last. */
export function rank(results: readonly TrialResult[]): TrialResult[] {
  const score = (r: TrialResult) => (r.diverged ? -2 : (r.validationAccuracy ?? -1));
  return [...results].sort((a, b) => score(b) - score(a) || (b.trainAccuracy ?? -1) - (a.trainAccuracy ?? -1) || a.trial - b.trial);
}

/** The trials without repeats (a list that names a value twice), renumbered; and how many were left out. */
export function dedupeTrials(specs: readonly TrialSpec[]): { specs: TrialSpec[]; dropped: number } {
  const seen = new Set<string>();
  const kept: TrialSpec[] = [];
  for (const { trial: _trial, ...spec } of specs) {
    const key = JSON.stringify([spec.learningRate, spec.layers, spec.hidden, spec.output, spec.cost, spec.init, spec.seed, spec.iterations]);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ ...spec, trial: kept.length });
  }
  return { specs: kept, dropped: specs.length - kept.length };
}

/** What a search reports: the ranked table as --json prints it and --results holds it. */
export interface TuneReport {
  searchId: string;
  data: string;
  validation: string;
  search: 'grid' | 'random';
  seconds: number;
  /** Trials not finished yet (the file is rewritten as they finish): empty in the final report. */
  pending: number[];
  trials: Omit<TrialResult, 'classes'>[];
  best: number | null;
  model: string | null;
}

async function tune(flags: TuneFlags, given: (flag: string) => boolean): Promise<void> {
  const queueUrl = queueUrlFrom(flags.queue);
  const queue = queueUrl === undefined ? undefined : parseQueueUrl(queueUrl);
  if (flags.resume !== undefined && !queue) throw new ConfigError('--resume needs --queue (the queue the search runs on)');
  if (flags.resume !== undefined) {
    // The search's settings are its own, kept with it: a flag that would change them is a mistake.
    const typed = ['data', 'validation', 'xKey', 'yKey', 'label', 'lr', 'layers', 'hidden', 'output', 'cost', 'init', 'iterations', 'trials', 'search', 'seed', 'dtype', 'backend', 'parallel', 'gram'].filter(given);
    if (typed.length > 0) throw new ConfigError(`--resume follows the search as it was submitted; drop ${typed.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  }
  const id = flags.resume ?? newId('tune');
  const resultsFile = flags.results ?? `${id}.json`;
  checkOutputPaths([['--results', resultsFile], ['--out', flags.out]], flags.resume !== undefined ? [] : [...dataSpecFiles(flags.data), ...dataSpecFiles(flags.validation)]);
  // The queue's packages (BullMQ, ioredis) load only for a queued search.
  const queued = queue ? await import('../jobs/queuedTune.js') : undefined;
  const started = performance.now();
  let record: SearchRecord | undefined;
  let specs: TrialSpec[];
  let names: { data: string; validation: string; search: 'grid' | 'random' };
  let local: { train: Dataset; validation: Dataset; classes: ClassValue[] | null } | undefined;
  if (flags.resume !== undefined) {
    record = await withSearch(queue!, (redis) => loadSearch(redis, flags.resume!));
    specs = record.jobs.map((j) => j.trial);
    names = record;
  } else {
    local = await tuneData(flags, given);
    // The same network twice trains to the same numbers: train it once.
    const deduped = dedupeTrials(trialSpecs(flags, local.classes));
    specs = deduped.specs;
    if (deduped.dropped > 0) process.stderr.write(`tune: ${deduped.dropped} trial(s) left out: the same learning rate, layers and activation as an earlier trial\n`);
    names = { data: local.train.source, validation: local.validation.source, search: flags.search };
    if (!queued) checkTrialMemory(specs, local.train, local.validation, flags, processMemoryLimit() ?? Infinity);
    // Queued trials name the data by reference; each worker loads them as tuneData does here.
    if (queued) record = queued.newSearch(id, specs, { ...flags, returnModel: flags.out !== undefined }, { ...names, nx: local.train.X.rows, ny: local.train.Y.rows });
  }
  // Before any trial runs, so that a submitter that dies has told the user what to resume.
  process.stderr.write(`tune: search ${id}${queue ? ` on ${queue.safe}` : ''}; results: ${resultsFile}\n`);
  const done: TrialResult[] = [];
  const report = (results: readonly TrialResult[], models?: Map<number, Uint8Array>): TuneReport => {
    const ranked = rank(results);
    const best = ranked[0] && ranked[0].validationAccuracy !== null ? ranked[0] : null;
    const finished = new Set(results.map((r) => r.trial));
    return {
      searchId: id,
      ...names,
      seconds: (performance.now() - started) / 1000,
      pending: specs.map((s) => s.trial).filter((t) => !finished.has(t)),
      trials: ranked.map(({ classes: _classes, ...r }) => r),
      best: best?.trial ?? null,
      model: flags.out && best && models?.has(best.trial) ? flags.out : null,
    };
  };
  const onDone = (r: TrialResult): void => {
    done.push(r);
    // The table so far, whole at every moment: a search that stops midway has kept what it found.
    writeFileAtomic(resultsFile, JSON.stringify(report(done), null, 2) + '\n', '--results');
    const what = r.error ? `${r.diverged ? 'diverged' : 'failed'}: ${r.error}` : `validation accuracy ${r.validationAccuracy}`;
    process.stderr.write(`trial ${done.length}/${specs.length} (lr ${r.learningRate}, layers [${r.layers.join(', ')}], ${r.hidden}): ${what}\n`);
  };
  const { results, models, failed } = record
    ? await queued!.runQueuedTrials(queue!, record, flags.resume !== undefined, onDone)
    : { ...(await runTrials(specs, local!.train, local!.validation, flags, onDone)), failed: [] };
  const final = report(results, models);
  if (final.model) writeFileAtomic(flags.out!, models.get(final.best!)!, '--out');
  writeFileAtomic(resultsFile, JSON.stringify(final, null, 2) + '\n', '--results');
  const out = (line: string): void => void process.stdout.write(line + '\n');
  if (flags.json) out(JSON.stringify(final));
  else printTable(final, resultsFile, out);
  if (failed.length > 0) {
    const list = failed.map((f) => `trial ${f.trial} (${f.error})`).join('; ');
    throw new TrainingError(`${failed.length} of ${specs.length} trials failed on the queue: ${list}; the table holds the others (${resultsFile})`);
  }
}

/** Runs `use` with a Redis connection to the queue. */
type OpenQueue = Awaited<ReturnType<(typeof import('../jobs/submit.js'))['openQueue']>>;

async function withSearch<T>(url: QueueUrl, use: (redis: OpenQueue['connection']['redis']) => Promise<T>): Promise<T> {
  const { openQueue } = await import('../jobs/submit.js');
  const open = await openQueue(url, (line) => void process.stderr.write(line + '\n'));
  try {
    return await use(open.connection.redis);
  } finally {
    await open.close();
  }
}

function printTable(report: TuneReport, resultsFile: string, out: (line: string) => void): void {
  const ranked = report.trials;
  const rows = ranked.map((r, i) => [
    String(i + 1),
    String(r.trial),
    String(Number(r.learningRate.toPrecision(4))),
    `[${r.layerDims.join(', ')}]`,
    r.hidden,
    r.trainAccuracy === null ? '-' : r.trainAccuracy.toFixed(4),
    r.validationAccuracy === null ? '-' : r.validationAccuracy.toFixed(4),
    r.diverged ? 'diverged' : r.finalCost === null ? 'failed' : String(Number(r.finalCost.toPrecision(6))),
    r.seconds.toFixed(1),
  ]);
  const head = ['rank', 'trial', 'lr', 'layerDims', 'hidden', 'train acc', 'val acc', 'cost', 'seconds'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((s, c) => (c === 3 || c === 4 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
  out(`tune: ${ranked.length} trials on ${report.data}, ranked by accuracy on ${report.validation}`);
  out(line(head));
  for (const r of rows) out(line(r));
  out(`Results: ${resultsFile}`);
  if (report.model) out(`Best model (trial ${report.best}): ${report.model}`);
}
