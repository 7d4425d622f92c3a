import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputPath } from '../io/paths.js';
import { CANCEL_TTL_S, cancelKey } from '../jobs/cancel.js';
import type { JobResult } from '../jobs/payload.js';
import { queueOption } from '../jobs/queueOption.js';
import { parseQueueUrl } from '../jobs/queueUrl.js';
import type { JobStatus, OpenQueue } from '../jobs/submit.js';

// `deepnet jobs list|status|result|cancel`: look after jobs on the queue (train --detach, tune --queue).

interface JobsFlags {
  queue?: string;
  json?: boolean;
  out?: string;
}

/** How long `jobs cancel` waits for a running job's worker to stop it (ms). */
const CANCEL_WAIT_MS = 15_000;

const out = (line: string): void => void process.stdout.write(line + '\n');

/** An open queue, and a job's status on it. */
type Queued = OpenQueue & { jobStatus(id: string): Promise<JobStatus | undefined> };

async function withQueue<T>(flags: JobsFlags, run: (q: Queued) => Promise<T>): Promise<T> {
  if (flags.queue === undefined) throw new ConfigError('jobs needs --queue redis://HOST:PORT (or DEEPNET_QUEUE)');
  const url = parseQueueUrl(flags.queue);
  // BullMQ and ioredis load when a jobs command runs, not with every command's help.
  const { openQueue, jobStatus } = await import('../jobs/submit.js');
  const q = await openQueue(url, (line) => void process.stderr.write(line + '\n'));
  try {
    return await run({ ...q, jobStatus: (id) => jobStatus(q, id) });
  } finally {
    await q.close();
  }
}

async function status(id: string | undefined, flags: JobsFlags): Promise<void> {
  await withQueue(flags, async (q) => {
    const { queue } = q;
    if (id === undefined) {
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      if (flags.json) return out(JSON.stringify(counts));
      return out(Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', '));
    }
    const s = await q.jobStatus(id);
    if (!s) throw new ConfigError(`no job ${JSON.stringify(id)} on the queue (finished jobs are kept 7 days)`);
    const { result: _result, ...shown } = s;
    if (flags.json) return out(JSON.stringify(shown));
    const progress = s.progress ? `, iteration ${s.progress.iteration + 1} of ${s.progress.iterations}, cost ${s.progress.cost}` : '';
    out(`${id}: ${s.state}${progress}${s.error ? `: ${s.error}` : ''}`);
  });
}

async function result(id: string, flags: JobsFlags): Promise<void> {
  if (flags.out !== undefined) checkOutputPath(flags.out, '--out');
  await withQueue(flags, async (q) => {
    const s = await q.jobStatus(id);
    if (!s) throw new ConfigError(`no job ${JSON.stringify(id)} on the queue (finished jobs are kept 7 days)`);
    if (s.state === 'failed') throw new ConfigError(`job ${id} failed: ${s.error}`);
    if (s.state !== 'completed') throw new ConfigError(`job ${id} is ${s.state}, not finished yet`);
    const { model, ...r } = s.result as JobResult;
    if (flags.out) {
      if (!model) throw new ConfigError(`job ${id} kept no model${r.modelPath ? ` (the worker wrote it to ${r.modelPath})` : ''}`);
      writeFileAtomic(flags.out, Buffer.from(model, 'base64'), '--out');
    }
    out(JSON.stringify({ job: id, ...r, model: flags.out ?? null }));
  });
}

async function cancel(id: string, flags: JobsFlags): Promise<void> {
  await withQueue(flags, async (q) => {
    const { queue, connection } = q;
    const s = await q.jobStatus(id);
    if (!s) throw new ConfigError(`no job ${JSON.stringify(id)} on the queue`);
    if (s.state === 'completed' || s.state === 'failed') throw new ConfigError(`job ${id} has already ${s.state === 'completed' ? 'completed' : 'failed'}`);
    // The mark first: it stops a running job, and tells a waiting tune that a vanished job was cancelled.
    await connection.redis.set(cancelKey(id), '1', 'EX', CANCEL_TTL_S);
    if (s.state === 'waiting' && (await queue.getJobState(id)) !== 'active') {
      // Not started: removing it is enough (it fails to remove only if a worker took it meanwhile).
      if ((await queue.remove(id)) === 1) return out(`${id}: removed from the queue`);
    }
    const until = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < until) {
      const now = await q.jobStatus(id);
      if (now?.state === 'failed') return out(`${id}: cancelled`);
      if (now?.state === 'completed') throw new ConfigError(`job ${id} completed before it could be cancelled`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new ConfigError(`job ${id}: cancel requested, but its worker has not stopped it within ${CANCEL_WAIT_MS / 1000} s`);
  });
}

async function list(flags: JobsFlags): Promise<void> {
  await withQueue(flags, async ({ queue, connection }) => {
    const { listSearches } = await import('../jobs/search.js');
    const searches = await listSearches(queue, connection.redis);
    if (flags.json) return out(JSON.stringify({ searches }));
    if (searches.length === 0) return out('no searches on the queue (searches are kept 7 days)');
    for (const s of searches) {
      const when = s.created ? new Date(s.created).toISOString().slice(0, 16).replace('T', ' ') : '?';
      const parts = [`${s.completed} done`, `${s.running} running`, `${s.waiting} waiting`, ...(s.failed ? [`${s.failed} failed`] : []), ...(s.missing ? [`${s.missing} lost (tune --resume submits them again)`] : [])];
      out(`${s.id}  ${s.completed + s.failed}/${s.trials} trials: ${parts.join(', ')}  (${when} UTC, ${s.data})`);
    }
  });
}

export function jobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('look after jobs on a Redis queue: list, status, result, cancel');
  jobs
    .command('list')
    .description('the searches (tune --queue) kept on the queue, with how many of their trials are done, running, waiting')
    .addOption(queueOption('the queue'))
    .option('--json', 'one JSON object on stdout')
    .action((flags: JobsFlags) => list(flags));
  jobs
    .command('status [id]')
    .description('counts of waiting, running, finished jobs; or one job: its state, iteration and cost')
    .addOption(queueOption('the queue'))
    .option('--json', 'one JSON object on stdout')
    .action((id: string | undefined, flags: JobsFlags) => status(id, flags));
  jobs
    .command('result <id>')
    .description("a finished job's metrics and cost history as JSON (--out writes its model)")
    .addOption(queueOption('the queue'))
    .option('--out <file.safetensors>', "write the job's model file")
    .action((id: string, flags: JobsFlags) => result(id, flags));
  jobs
    .command('cancel <id>')
    .description('remove a waiting job, or stop a running one (its worker stops it within a second)')
    .addOption(queueOption('the queue'))
    .action((id: string, flags: JobsFlags) => cancel(id, flags));
  jobs.addHelpText('after', '\nExamples:\n  $ deepnet jobs list --queue redis://127.0.0.1:6379\n  $ deepnet train --queue redis://127.0.0.1:6379 --detach\n  $ deepnet jobs status train-... --queue redis://127.0.0.1:6379\n  $ deepnet jobs result train-... --queue redis://127.0.0.1:6379 --out model.safetensors');
}
