import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { defaultMaxMemory, parseMemory } from '../jobs/memoryBound.js';
import { formatBytes } from '../nn/memory.js';
import { queueOption } from '../jobs/queueOption.js';
import { parseQueueUrl } from '../jobs/queueUrl.js';
import { parseRoots } from '../jobs/roots.js';
import { positiveInt, positiveNumber, repeatable } from './parsers.js';

// `deepnet worker`: a long-running process that trains the jobs of `tune --queue` and
// `train --queue`. SIGTERM (a service manager's stop): hand the running jobs back to the queue and
// exit at once. Ctrl-C once: finish the running jobs and stop; twice: hand them back.

interface WorkerFlags {
  queue?: string;
  concurrency: number;
  stallTimeout: number;
  dataRoot: string[];
  modelRoot: string[];
  maxMemory?: string;
  jobTimeout: number;
}

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('train jobs from a Redis queue (tune --queue, train --queue) until stopped with Ctrl-C or SIGTERM')
    .addOption(queueOption('the queue to take jobs from'))
    .option('--concurrency <n>', 'jobs trained at the same time, each in its own thread', positiveInt, 1)
    .option('--stall-timeout <ms>', "how long a job's lock lasts without renewal: a job whose worker died is retried after 1 to 2 times this", positiveInt, 30_000)
    .option('--data-root <dir>', "a folder jobs may read data from, after links (repeatable, or DIR:DIR; default: the worker's working folder)", repeatable)
    .option('--model-root <dir>', "a folder jobs may write model files to, after links (repeatable, or DIR:DIR; default: the worker's working folder)", repeatable)
    .option('--max-memory <size>', `memory the running jobs may take together, e.g. 512M, 4G (default: half the machine's, here ${formatBytes(defaultMaxMemory())})`)
    .option('--job-timeout <seconds>', "a job's deadline from its start, loading its data included", positiveNumber, 24 * 3600)
    .addHelpText(
      'after',
      '\nExamples:\n  $ deepnet worker --queue redis://127.0.0.1:6379\n  $ DEEPNET_QUEUE=rediss://:PASSWORD@HOST:6380 deepnet worker --concurrency 2 --data-root /srv/data --model-root /srv/models --max-memory 8G',
    )
    .action(async (flags: WorkerFlags) => {
      if (flags.queue === undefined) throw new ConfigError('worker needs --queue redis://HOST:PORT (or DEEPNET_QUEUE)');
      const queue = parseQueueUrl(flags.queue);
      const dataRoots = parseRoots(flags.dataRoot ?? [process.cwd()], '--data-root');
      const modelRoots = parseRoots(flags.modelRoot ?? [process.cwd()], '--model-root');
      if (dataRoots.length === 0 || modelRoots.length === 0) throw new ConfigError('--data-root and --model-root need at least one folder');
      const maxMemory = flags.maxMemory === undefined ? defaultMaxMemory() : parseMemory(flags.maxMemory);
      // A long-running process: each line starts with its time (UTC, to the millisecond).
      const log = (line: string) => void process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
      const { startWorker } = await import('../jobs/worker.js');
      // The signal handlers go in before the worker can take a job (onStop), not once it has started:
      // a SIGTERM in between would kill the process with a job still locked to it.
      let interrupt = () => undefined as void;
      let terminate = interrupt;
      const onStop = (stop: (handBack: boolean) => void) => {
        interrupt = () => stop(false);
        terminate = () => stop(true);
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', terminate);
      };
      try {
        const worker = await startWorker({ queue, concurrency: flags.concurrency, stallMs: flags.stallTimeout, dataRoots, modelRoots, maxMemory, jobTimeoutMs: flags.jobTimeout * 1000, log, onStop });
        await worker.stopped;
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', terminate);
      }
    });
}
