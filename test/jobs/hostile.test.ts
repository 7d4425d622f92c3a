import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cancelKey } from '../../src/jobs/cancel.js';
import { QUEUE_NAME } from '../../src/jobs/connection.js';
import { JOB_VERSION } from '../../src/jobs/payload.js';
import { deepnet as cli } from '../helpers/cli.js';
import { deepnet, hasRedis, type Proc, startRedis, stopAll } from './processes.js';

// Jobs written by someone who wants the worker to misbehave: injected straight into Redis with
// ioredis, as anyone who can write to it could. Each is failed with a reason, touches nothing
// outside the worker's roots, quotes no file, holds no memory after it; the worker goes on.

if (!hasRedis()) throw new Error('these tests need redis-server (Debian: apt-get install redis-server)');

const dir = mkdtempSync(join(tmpdir(), 'deepnet-hostile-'));
afterEach(async () => stopAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = {
  version: JOB_VERSION, kind: 'trial', data: 'builtin:xor', validation: null, xKey: null, yKey: null, label: null, dtype: 'float64', backend: 'auto',
  trial: { trial: 0, learningRate: 0.1, layers: [3], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, iterations: 5, classes: null },
  given: [], returnModel: false, modelPath: null,
};

/** The worker process's resident memory (Linux), in MB. */
function rssMb(p: Proc): number {
  const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('hostile and careless jobs', () => {
  it('each is failed with a reason before it does harm, and the worker goes on', async () => {
    const data = join(dir, 'data');
    const models = join(dir, 'models');
    const outside = join(dir, 'outside');
    const extra = join(dir, 'extra');
    for (const d of [data, models, outside, extra]) mkdirSync(d);
    // A user's file outside the roots, which a job tries to overwrite and to read.
    const victim = join(outside, 'thesis.safetensors');
    writeFileSync(victim, 'years of work');
    writeFileSync(join(outside, 'secret.csv'), 'a,b,label\n1,2,0\n3,4,1\n');
    symlinkSync(join(outside, 'secret.csv'), join(data, 'link.csv'));
    symlinkSync(victim, join(models, 'link.safetensors'));
    expect(spawnSync('mkfifo', [join(data, 'pipe.csv')]).status).toBe(0);
    // Its column names are the operator's business: they must not reach the job's reason.
    writeFileSync(join(data, 'private.csv'), 'PATIENT_NAME_COLUMN,label\nnot-a-number,1\n');
    // Big enough that a cancel arrives while it is still being read.
    writeFileSync(join(data, 'big.csv'), 'x1,x2,label\n' + Array.from({ length: 600_000 }, (_, i) => `${i % 97},${i % 89},${i % 2}`).join('\n') + '\n');

    const redis = await startRedis();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    // The worker logs a failure just before BullMQ stores it: wait for the stored reason.
    const reason = async (id: string) => {
      for (let k = 0; k < 100; k++) {
        const r = await connection.hget(`bull:${QUEUE_NAME}:${id}`, 'failedReason');
        if (r) return r;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return '';
    };
    const add = (id: string, job: unknown) => queue.add('trial', job, { jobId: id });
    try {
      // All queued before the worker starts, so that they run in this order.
      await add('not-json', good);
      await connection.hset(`bull:${QUEUE_NAME}:not-json`, 'data', '{"version": 1, "kind": "tr');
      await add('proto', JSON.parse(JSON.stringify(good).replace('{', '{"__proto__": {"kind": "train"},')));
      await add('constructor', { ...good, trial: { ...good.trial, constructor: 1 } });
      await add('builtin-tostring', { ...good, data: 'builtin:toString' });
      await add('outside', { ...good, data: join(outside, 'secret.csv') });
      await add('dotdot', { ...good, data: join(data, '..', 'outside', 'secret.csv') });
      await add('link-out', { ...good, data: join(data, 'link.csv') });
      await add('fifo', { ...good, data: join(data, 'pipe.csv') });
      await add('private', { ...good, data: join(data, 'private.csv') });
      await add('overwrite', { ...good, kind: 'train', modelPath: victim });
      await add('overwrite-link', { ...good, kind: 'train', modelPath: join(models, 'link.safetensors') });
      await add('huge-hidden', { ...good, backend: 'reference', trial: { ...good.trial, layers: [100_000, 100_000] } });
      await add('huge-after-load', { ...good, data: 'builtin:moons', trial: { ...good.trial, layers: [50_000] } });
      await add('good', good);
      const worker = deepnet(['worker', '--queue', redis.url, '--data-root', `${extra}:${data}`, '--model-root', models, '--max-memory', '1GiB', '--job-timeout', '8']);
      await worker.waitFor(/job good: done/, 120_000);
      expect(await reason('not-json')).toBe('malformed job: its data are not JSON');
      expect(await reason('proto')).toBe('malformed job: unknown field "__proto__"');
      expect(await reason('constructor')).toBe('malformed job: unknown field "trial.constructor"');
      expect(await reason('builtin-tostring')).toMatch(/^malformed job: field "data": expected one of builtin:cat\|.*, got "builtin:toString"$/);
      expect(await reason('outside')).toBe(`refused job: field "data": ${join(outside, 'secret.csv')} is outside the worker's data roots`);
      expect(await reason('dotdot')).toBe(`refused job: field "data": ${join(outside, 'secret.csv')} is outside the worker's data roots`);
      expect(await reason('link-out')).toBe(`refused job: field "data": link.csv: a link that leads outside the worker's data roots`);
      expect(await reason('fifo')).toBe(`refused job: field "data": pipe.csv: a FIFO; expected a regular file`);
      expect(await reason('private')).toBe(`data private.csv: could not be read as a data set (the worker's log has the details)`);
      expect(worker.output()).toContain('PATIENT_NAME_COLUMN');
      expect(await reason('overwrite')).toBe(`refused job: field "modelPath": ${victim} is outside the worker's model roots`);
      expect(await reason('overwrite-link')).toBe(`refused job: field "modelPath": link.safetensors: a link; the worker writes model files only over regular files`);
      expect(readFileSync(victim, 'utf8')).toBe('years of work');
      expect(await reason('huge-hidden')).toMatch(/^refused job: needs about 160 GB \(layerDims \[1, 100000, 100000, 1\], m = 1, float64\), more than the 1\.1 GB this worker allows a job \(--max-memory\)$/);
      expect(await reason('huge-after-load')).toMatch(/^refused job: needs about 1\.3 GB \(layerDims \[2, 50000, 1\], m = 400, float64\), more than the 1\.1 GB/);
      // Only these reached a training thread; the rest were refused on sight.
      expect([...worker.output().matchAll(/job (\S+): trial .*: started/g)].map((m) => m[1])).toEqual(['private', 'huge-after-load', 'good']);

      // Resources: a deadline, a cancel while the data are still being read, memory back after.
      const before = rssMb(worker);
      await add('slow', { ...good, data: 'builtin:moons', trial: { ...good.trial, layers: [2500, 2500], iterations: 1_000_000 } });
      await worker.waitFor(/job slow: .*started/);
      await new Promise((r) => setTimeout(r, 5000));
      const during = rssMb(worker);
      await worker.waitFor(/job slow: failed/, 30_000);
      expect(await reason('slow')).toBe("stopped at the worker's --job-timeout of 8 s");
      await new Promise((r) => setTimeout(r, 500));
      const after = rssMb(worker);
      expect(during - before, `RSS ${before} -> ${during} -> ${after} MB`).toBeGreaterThan(80);
      expect(after - before, `RSS ${before} -> ${during} -> ${after} MB`).toBeLessThan(30);

      await add('big', { ...good, data: join(data, 'big.csv') });
      await worker.waitFor(/job big: .*started/);
      await connection.set(cancelKey('big'), '1');
      await worker.waitFor(/job big: failed/, 30_000);
      expect(await reason('big')).toBe('cancelled by `deepnet jobs cancel`');
      // It never reached its first iteration: cancelled while reading its data.
      expect(await connection.hget(`bull:${QUEUE_NAME}:big`, 'progress')).toBeNull();

      // `jobs status` on the job that is not JSON: its reason, no stack.
      const status = cli(['jobs', 'status', 'not-json', '--queue', redis.url]);
      expect(status.stdout).toBe('not-json: failed: malformed job: its data are not JSON\n');
      expect(status.stderr).toBe('');
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(statSync(join(data, 'pipe.csv')).isFIFO()).toBe(true);
  });
});

describe('passwords', () => {
  // Every character a password may hold that means something in a URL.
  const password = "p@ss:w/rd%25#?&=+!$'~x";
  const encoded = encodeURIComponent(password);

  it('never appear, in any form, in any output; a changed password is logged once per outage', async () => {
    const redis = await startRedis({ password });
    const url = `redis://:${encoded}@127.0.0.1:${redis.port}`;
    const worker = deepnet(['worker', '--queue', url, '--model-root', dir, '--stall-timeout', '2000']);
    await worker.waitFor(/taking jobs from/);
    const train = deepnet(['train', '--data', 'builtin:xor', '--layers', '3', '--iterations', '20', '--json', '--queue', url]);
    expect(await train.exited, train.output()).toBe(0);
    // A job that fails: its reason holds no password either.
    const refused = cli(['train', '--data', 'builtin:xor', '--iterations', '5', '--queue', url, '--worker-out', '/etc/passwd-model']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('is outside the worker\'s model roots');
    const list = cli(['jobs', 'list', '--json', '--queue', url]);
    const status = cli(['jobs', 'status', '--json', '--queue', url]);
    expect(status.status, status.stderr).toBe(0);

    // The password changes under a running worker: it reconnects, is refused, says so once.
    const admin = new Redis({ port: redis.port, host: '127.0.0.1', password });
    await admin.config('SET', 'requirepass', 'rotated');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await new Promise((r) => setTimeout(r, 4000));
    await admin.config('SET', 'requirepass', password);
    await worker.waitFor(/connected again/, 20_000);
    admin.disconnect();
    expect(worker.output().match(/WRONGPASS/g), worker.output()).toHaveLength(1);

    // Bad URLs: raw characters that end the URL's host early, a lone %; the messages hold no password.
    const raw = cli(['jobs', 'status', '--queue', `redis://:${password}@127.0.0.1:${redis.port}`]);
    expect(raw.status).toBe(1);
    expect(raw.stderr).toMatch(/^deepnet: error: --queue: /);
    const lone = cli(['jobs', 'status', '--queue', `redis://:a%zz@127.0.0.1:${redis.port}`]);
    expect(lone.stderr).toBe(`deepnet: error: --queue: redis://***@127.0.0.1:${redis.port}: the password holds a "%" that starts no %XX code; write it %25\n`);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const everything = [worker.output(), train.output(), refused.stdout, refused.stderr, list.stdout, list.stderr, status.stdout, raw.stdout, raw.stderr, lone.stderr].join('\n');
    expect(everything).toContain('redis://***@127.0.0.1:');
    for (const form of [password, encoded, 'p@ss', 'w/rd', 'rd%25', "!$'~x", 'a%zz']) expect(everything).not.toContain(form);
  });
});
