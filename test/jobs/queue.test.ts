import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../src/cli/tune.js';
import { QUEUE_NAME } from '../../src/jobs/connection.js';
import { JOB_VERSION } from '../../src/jobs/payload.js';
import { deepnet as cli } from '../helpers/cli.js';
import { Network } from '../../src/nn/network.js';
import { deepnet, hasOpenssl, hasRedis, makeCertificates, type Proc, startRedis, stopAll } from './processes.js';

// The queue end to end: Redis on a free port, `deepnet worker` processes and `deepnet tune --queue`
// as a user runs them. Workers use a short --stall-timeout so a killed worker's job returns quickly.

if (!hasRedis()) throw new Error('these tests need redis-server (Debian: apt-get install redis-server)');

const dir = mkdtempSync(join(tmpdir(), 'deepnet-jobs-'));
afterEach(async () => stopAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  searchId: string;
  trials: TrialResult[];
  pending: number[];
  best: number | null;
  seconds: number;
  model: string | null;
}

const timeless = (r: Report) => ({ ...r, searchId: '', seconds: 0, model: null, trials: r.trials.map((t) => ({ ...t, seconds: 0 })) });

/** `n` workers; with url null, they read it from DEEPNET_QUEUE in `env`. */
async function workers(n: number, url: string | null, extra: string[] = [], env: Record<string, string> = {}): Promise<Proc[]> {
  const ws = Array.from({ length: n }, () => deepnet(['worker', ...(url === null ? [] : ['--queue', url]), ...extra], env));
  await Promise.all(ws.map((w) => w.waitFor(/taking jobs from/)));
  return ws;
}

async function finished(p: Proc): Promise<Report> {
  const code = await p.exited;
  expect(code, p.output()).toBe(0);
  return JSON.parse(p.stdout()) as Report;
}

/** Job ids a worker started, in order. */
const startedJobs = (w: Proc) => [...w.output().matchAll(/job (\S+): trial .*: started/g)].map((m) => m[1]!);

describe('tune --queue', () => {
  it('12 trials over 3 worker processes give the local table, bit for bit; a password URL is never printed', async () => {
    const password = 'Pa55-w0rd-never-shown';
    const redis = await startRedis({ password });
    // One worker reads the URL from the environment and trains two jobs at a time, two take --queue.
    const ws = [
      ...(await workers(1, null, ['--concurrency', '2'], { DEEPNET_QUEUE: redis.url })),
      ...(await workers(2, redis.url)),
    ];
    expect(ws).toHaveLength(3);
    const grid = ['tune', '--data', 'builtin:moons', '--lr', '0.05,0.1,0.3', '--layers', '8:4,4', '--hidden', 'relu,tanh', '--iterations', '300', '--json'];
    const queuedModel = join(dir, 'queued.safetensors');
    const queuedResults = join(dir, 'queued.json');
    const queued = deepnet([...grid, '--queue', redis.url, '--results', queuedResults, '--out', queuedModel]);
    const report = await finished(queued);
    const localModel = join(dir, 'local.safetensors');
    const local = cli([...grid, '--parallel', '2', '--results', join(dir, 'local.json'), '--out', localModel]);
    expect(local.status, local.stderr).toBe(0);
    const localReport = JSON.parse(local.stdout) as Report;

    expect(report.trials).toHaveLength(12);
    expect(timeless(report)).toEqual(timeless(localReport));
    expect(report.trials.every((t) => t.error === null && t.finalCost! > 0)).toBe(true);
    // The best model is the same file, byte for byte.
    expect(Buffer.compare(readFileSync(queuedModel), readFileSync(localModel))).toBe(0);
    // Each trial ran once, on some worker.
    const ran = ws.flatMap(startedJobs);
    expect(ran).toHaveLength(12);
    expect(new Set(ran).size).toBe(12);
    expect(queued.stderr().match(/^trial \d+\/12 /gm)).toHaveLength(12);

    for (const w of ws) w.child.kill('SIGINT');
    expect(await Promise.all(ws.map((w) => w.exited))).toEqual([0, 0, 0]);
    const everything = [...ws, queued].map((p) => p.output()).join('\n') + readFileSync(queuedResults, 'utf8');
    expect(everything).toContain('redis://***@127.0.0.1:');
    expect(everything).not.toContain(password);
    expect(ws[0]!.output()).toMatch(/stopping after 0 running job/);

    // A wrong password: one clear error, still without the password.
    const wrong = cli(['tune', '--data', 'builtin:moons', '--iterations', '1', '--results', join(dir, 'no.json'), '--queue', redis.url.replace(password, 'not-it-either')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^deepnet: error: queue redis:\/\/\*\*\*@127\.0\.0\.1:\d+: Redis refused the credentials: WRONGPASS/m);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-it-either');
  });

  it('a worker killed with -9 mid-trial: its job goes to another worker, every trial is in the table once', async () => {
    const redis = await startRedis();
    const [a, b] = await workers(2, redis.url, ['--stall-timeout', '1000']);
    const tune = deepnet(['tune', '--data', 'builtin:moons', '--lr', '0.05,0.1', '--layers', '20,20:10', '--iterations', '4000', '--json', '--results', join(dir, 'kill.json'), '--queue', redis.url]);
    await a!.waitFor(/: started/);
    const killed = startedJobs(a!)[0]!;
    a!.child.kill('SIGKILL');
    const report = await finished(tune);
    expect(report.trials.map((t) => t.trial).sort()).toEqual([0, 1, 2, 3]);
    expect(report.trials.map((t) => t.error), [tune, a!, b!].map((p) => p.output()).join('\n')).toEqual([null, null, null, null]);
    // The stalled-job check of the live worker put the killed job back; the live worker ran it.
    expect(b!.output()).toContain(`job ${killed}: its worker stopped answering: back in the queue`);
    expect(startedJobs(b!)).toContain(killed);
    await b!.waitFor(new RegExp(`job ${killed}: done`), 5000);
  });

  it('Ctrl-C on a queued tune removes its trials that have not started', async () => {
    const redis = await startRedis();
    const [w] = await workers(1, redis.url);
    const tune = deepnet(['tune', '--data', 'builtin:moons', '--lr', '0.01,0.02,0.03', '--layers', '20,20:10', '--iterations', '100000', '--results', join(dir, 'int.json'), '--queue', redis.url]);
    await w!.waitFor(/: started/);
    tune.child.kill('SIGINT');
    expect(await tune.exited).toBe(130);
    expect(tune.stderr()).toContain('tune: interrupted; 5 waiting trial(s) removed from the queue');
    const counts = JSON.parse(cli(['jobs', 'status', '--json', '--queue', redis.url]).stdout) as Record<string, number>;
    expect(counts).toMatchObject({ waiting: 0, active: 1 });
  });

  it('Redis restarted mid-search: workers and tune reconnect and the search completes', async () => {
    const redis = await startRedis({ persistent: true });
    const ws = await workers(2, redis.url, ['--stall-timeout', '1000']);
    const tune = deepnet(['tune', '--data', 'builtin:moons', '--lr', '0.05,0.1', '--layers', '20,20:10', '--iterations', '3000', '--json', '--results', join(dir, 'restart.json'), '--queue', redis.url]);
    await Promise.race(ws.map((w) => w.waitFor(/: started/)));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    await redis.start();
    const report = await finished(tune);
    expect(report.trials.map((t) => t.trial).sort()).toEqual([0, 1, 2, 3]);
    expect(report.trials.map((t) => t.error), [tune, ...ws].map((p) => p.output()).join('\n')).toEqual([null, null, null, null]);
    expect(tune.stderr()).toMatch(/: (connect ECONNREFUSED|write EPIPE|read ECONNRESET|Connection is closed).*; retrying\n(.*\n)*.*connected again/);
    for (const w of ws) expect(w.output()).toContain('connected again');
  });
});

describe('failed trials', () => {
  it('a diverging learning rate is a failed row of the queued table, as in the local one', async () => {
    const redis = await startRedis();
    await workers(1, redis.url);
    const args = ['tune', '--data', 'builtin:xor', '--lr', '0.01,1e12', '--layers', '3', '--iterations', '20', '--output', 'linear', '--cost', 'mse', '--json'];
    const queued = await finished(deepnet([...args, '--results', join(dir, 'dq.json'), '--queue', redis.url]));
    const local = JSON.parse(cli([...args, '--results', join(dir, 'dl.json')]).stdout) as Report;
    expect(timeless(queued)).toEqual(timeless(local));
    expect(queued.trials[1]).toMatchObject({ trial: 1, finalCost: null, validationAccuracy: null });
    expect(queued.trials[1]!.error).toMatch(/^training diverged: the cost is (Infinity|NaN)/);
  });
});

describe('a malformed job', () => {
  it('is failed with a message naming the field and never run; the worker goes on', async () => {
    const redis = await startRedis();
    const [w] = await workers(1, redis.url);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    const reason = async (id: string) => (await queue.getJob(id))!.failedReason;
    try {
      const good = {
        version: JOB_VERSION, kind: 'trial', data: 'builtin:xor', validation: null, xKey: null, yKey: null, label: null, dtype: 'float64', backend: 'auto',
        trial: { trial: 0, learningRate: 0.1, layers: [3], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, iterations: 5, classes: null },
        given: [], returnModel: false, modelPath: null,
      };
      await queue.add('trial', { ...good, trial: { ...good.trial, learningRate: 'fast' } }, { jobId: 'bad-lr' });
      await queue.add('trial', { ...good, command: 'rm -rf /' }, { jobId: 'extra-field' });
      await queue.add('trial', 'not even an object', { jobId: 'not-object' });
      // Well formed, but its data are outside the worker's data roots: refused before any file is touched.
      await queue.add('trial', { ...good, data: '/nonexistent/train.h5' }, { jobId: 'no-data' });
      await queue.add('trial', good, { jobId: 'good' });
      await w!.waitFor(/job good: done/);
      expect(await reason('no-data')).toBe('refused job: field "data": /nonexistent/train.h5 is outside the worker\'s data roots');
      expect(await (await queue.getJob('bad-lr'))!.getState()).toBe('failed');
      expect(await reason('bad-lr')).toBe('malformed job: field "trial.learningRate": expected a finite number > 0, got "fast"');
      expect(await reason('extra-field')).toBe('malformed job: unknown field "command"');
      expect(await reason('not-object')).toBe('malformed job: field "": expected an object, got "not even an object"');
      expect(startedJobs(w!)).toEqual(['good']);
      expect(w!.output()).toContain('job bad-lr: rejected: malformed job');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

describe('train --queue and deepnet jobs', () => {
  it('a queued train prints the costs of a local train and saves the same model; --detach, status, result, cancel', async () => {
    const redis = await startRedis();
    const [w] = await workers(1, redis.url, ['--model-root', dir]);
    const run = ['train', '--data', 'builtin:spiral', '--layers', '10', '--lr', '1', '--iterations', '200', '--print-every', '50', '--json'];
    const queued = deepnet([...run, '--queue', redis.url, '--out', join(dir, 'tq.safetensors')]);
    const q = (await finished(queued)) as unknown as { costs: [number, number][]; layerDims: number[]; trainAccuracy: number; testAccuracy: number; job: string };
    const local = cli([...run, '--out', join(dir, 'tl.safetensors')]);
    expect(local.status, local.stderr).toBe(0);
    const l = JSON.parse(local.stdout) as typeof q;
    // Softmax for the 3 spiral classes was chosen by the worker from the data, as train does.
    expect(q.layerDims).toEqual([2, 10, 3]);
    expect(q.costs).toEqual(l.costs);
    expect(q.costs.map(([i]) => i)).toEqual([0, 50, 100, 150, 199]);
    expect([q.trainAccuracy, q.testAccuracy]).toEqual([l.trainAccuracy, l.testAccuracy]);
    expect(Buffer.compare(readFileSync(join(dir, 'tq.safetensors')), readFileSync(join(dir, 'tl.safetensors')))).toBe(0);

    // --detach: the id now, the result later.
    const jobs = (...args: string[]) => cli(['jobs', ...args, '--queue', redis.url]);
    const small = cli(['train', '--data', 'builtin:xor', '--layers', '3', '--iterations', '30', '--detach', '--json', '--queue', redis.url]);
    const { job: id } = JSON.parse(small.stdout) as { job: string };
    expect(id).toMatch(/^train-/);
    await w!.waitFor(new RegExp(`job ${id}: done`));
    expect(jobs('status', id).stdout).toBe(`${id}: completed\n`);
    const fetched = jobs('result', id, '--out', join(dir, 'detached.safetensors'));
    expect(fetched.status, fetched.stderr).toBe(0);
    const r = JSON.parse(fetched.stdout) as { job: string; costs: number[]; result: { finalCost: number; layerDims: number[] }; model: string };
    expect(r.costs).toHaveLength(30);
    expect(r.result.finalCost).toBe(r.costs[29]);
    expect(Network.fromBytes(readFileSync(join(dir, 'detached.safetensors'))).layerDims).toEqual([2, 3, 1]);

    // --worker-out: the worker writes the model file itself; none travels through Redis.
    const onWorker = deepnet(['train', '--data', 'builtin:xor', '--layers', '3', '--iterations', '30', '--json', '--queue', redis.url, '--worker-out', join(dir, 'on-worker.safetensors')]);
    const ow = (await finished(onWorker)) as unknown as { workerModel: string; model: null; job: string };
    expect(ow).toMatchObject({ workerModel: join(dir, 'on-worker.safetensors'), model: null });
    expect(readFileSync(join(dir, 'on-worker.safetensors'))).toEqual(readFileSync(join(dir, 'detached.safetensors')));
    expect(JSON.parse(jobs('result', ow.job).stdout)).toMatchObject({ modelPath: join(dir, 'on-worker.safetensors'), model: null });

    // A long run, cancelled while it trains: failed with the reason, its worker free again.
    const long = JSON.parse(cli(['train', '--data', 'builtin:moons', '--layers', '20,20', '--iterations', '1000000', '--detach', '--json', '--queue', redis.url]).stdout) as { job: string };
    await w!.waitFor(new RegExp(`job ${long.job}: .*started`));
    let status = '';
    for (let k = 0; k < 50 && !/running, iteration \d+ of 1000000, cost 0\.\d+/.test(status); k++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = jobs('status', long.job).stdout;
    }
    expect(status).toMatch(/running, iteration \d+ of 1000000, cost 0\.\d+/);
    expect(jobs('cancel', long.job).stdout).toBe(`${long.job}: cancelled\n`);
    expect(JSON.parse(jobs('status', long.job, '--json').stdout)).toEqual({ id: long.job, state: 'failed', error: 'cancelled by `deepnet jobs cancel`' });
    const gone = jobs('result', long.job);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('failed: cancelled by `deepnet jobs cancel`');
    expect(jobs('status', '--json').stdout).toMatch(/"completed":3/);

    const refused = cli(['train', '--queue', redis.url, '--optimizer', 'adam', '--normalize', 'standard']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('train --queue runs plain gradient descent without --normalize, --optimizer');
    expect(cli(['train', '--detach']).stderr).toContain('--detach needs --queue');
    const bare = deepnet(['train', '--queue', '--iterations', '1'], { DEEPNET_QUEUE: '' });
    expect(await bare.exited).toBe(1);
    expect(bare.stderr()).toContain('--queue without a URL takes it from DEEPNET_QUEUE, which is not set');
  });

  it('a stopped worker: Ctrl-C once finishes the running job, twice hands it back; SIGTERM hands it back at once', async () => {
    const redis = await startRedis();
    const [w] = await workers(1, redis.url);
    const jobs = (...args: string[]) => cli(['jobs', ...args, '--queue', redis.url]);
    const { job } = JSON.parse(cli(['train', '--data', 'builtin:moons', '--layers', '20,20', '--iterations', '1000000', '--detach', '--json', '--queue', redis.url]).stdout) as { job: string };
    await w!.waitFor(new RegExp(`job ${job}: .*started`));
    w!.child.kill('SIGINT');
    await w!.waitFor(/stopping after 1 running job/);
    expect(jobs('status', job).stdout).toMatch(/: running/);
    w!.child.kill('SIGINT');
    expect(await w!.exited).toBe(0);
    expect(w!.output()).toContain(`job ${job}: handed back to the queue`);
    expect(jobs('status', job).stdout).toBe(`${job}: waiting\n`);
    // The next worker takes it from the start; SIGTERM (a service manager's stop) hands it back at once.
    const [next] = await workers(1, redis.url);
    await next!.waitFor(new RegExp(`job ${job}: .*started`));
    const stopAt = Date.now();
    next!.child.kill('SIGTERM');
    expect(await next!.exited, next!.output()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5000);
    expect(next!.output()).toContain(`job ${job}: handed back to the queue`);
    expect(jobs('status', job).stdout).toBe(`${job}: waiting\n`);
    expect(jobs('cancel', job).stdout).toBe(`${job}: removed from the queue\n`);
  });

  it.skipIf(!hasOpenssl())('rediss:// with a password: TLS to Redis with a private CA', async () => {
    const tls = makeCertificates();
    const redis = await startRedis({ tls, password: 'tls-Secret-9' });
    const trusted = { NODE_EXTRA_CA_CERTS: tls.ca };
    const [w] = await workers(1, null, [], { ...trusted, DEEPNET_QUEUE: redis.url });
    // A bare --queue takes the URL from DEEPNET_QUEUE.
    const train = deepnet(['train', '--data', 'builtin:xor', '--layers', '3', '--iterations', '20', '--json', '--queue'], { ...trusted, DEEPNET_QUEUE: redis.url });
    const report = (await finished(train)) as unknown as { layerDims: number[] };
    expect(report.layerDims).toEqual([2, 3, 1]);
    expect(w!.output()).toMatch(/taking jobs from rediss:\/\/\*\*\*@127\.0\.0\.1:\d+/);
    // Without the CA, one clear error.
    const untrusted = deepnet(['train', '--data', 'builtin:xor', '--iterations', '1', '--queue'], { DEEPNET_QUEUE: redis.url });
    expect(await untrusted.exited).toBe(1);
    expect(untrusted.stderr()).toMatch(/^deepnet: error: queue rediss:\/\/\*\*\*@127\.0\.0\.1:\d+: TLS connection failed: .*certificate/m);
    expect([w!, train, untrusted].map((p) => p.output()).join('')).not.toContain('tls-Secret-9');
  });
});
