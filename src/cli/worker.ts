import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { queueOption } from '../jobs/queueOption.js';
import { parseQueueUrl } from '../jobs/queueUrl.js';
import { positiveInt } from './parsers.js';

// `deepnet worker`: a long-running process that trains the jobs of `tune --queue` and
// `train --queue`. Ctrl-C (or SIGTERM) once: finish the running jobs and stop; twice: hand them
// back to the queue at once.

interface WorkerFlags {
  queue?: string;
  concurrency: number;
  stallTimeout: number;
}

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('train jobs from a Redis queue (tune --queue, train --queue) until stopped with Ctrl-C or SIGTERM')
    .addOption(queueOption('the queue to take jobs from'))
    .option('--concurrency <n>', 'jobs trained at the same time, each in its own thread', positiveInt, 1)
    .option('--stall-timeout <ms>', "how long a job's lock lasts without renewal: a job whose worker died is retried after 1 to 2 times this", positiveInt, 30_000)
    .addHelpText('after', '\nExamples:\n  $ deepnet worker --queue redis://127.0.0.1:6379\n  $ DEEPNET_QUEUE=rediss://:PASSWORD@HOST:6380 deepnet worker --concurrency 2')
    .action(async (flags: WorkerFlags) => {
      if (flags.queue === undefined) throw new ConfigError('worker needs --queue redis://HOST:PORT (or DEEPNET_QUEUE)');
      const queue = parseQueueUrl(flags.queue);
      // A long-running process: each line starts with its time (UTC, to the millisecond).
      const log = (line: string) => void process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
      const { startWorker } = await import('../jobs/worker.js');
      const worker = await startWorker({ queue, concurrency: flags.concurrency, stallMs: flags.stallTimeout, log });
      process.on('SIGINT', worker.stop);
      process.on('SIGTERM', worker.stop);
      await worker.stopped;
      process.off('SIGINT', worker.stop);
      process.off('SIGTERM', worker.stop);
    });
}
