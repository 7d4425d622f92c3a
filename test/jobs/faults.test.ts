import { Redis } from 'ioredis';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../src/cli/tune.js';
import { QUEUE_NAME } from '../../src/jobs/connection.js';
import { deepnet as cli } from '../helpers/cli.js';
import { deepnet, hasRedis, type Proc, startRedis, stopAll } from './processes.js';

// A search through every fault an operator meets: a worker killed with -9, Redis restarted with
// and without its data, a submitter that dies, a job that is not JSON. Its table is still the one
// a local tune gives; what finally failed is named, and tune says so with its exit code.

if (!hasRedis()) throw new Error('these tests need redis-server (Debian: apt-get install redis-server)');

const dir = mkdtempSync(join(tmpdir(), 'deepnet-faults-'));
afterEach(async () => stopAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  searchId: string;
  pending: number[];
  trials: TrialResult[];
  best: number | null;
  seconds: number;
  model: string | null;
}

const timeless = (r: Report) => ({ ...r, searchId: '', seconds: 0, model: null, trials: r.trials.map((t) => ({ ...t, seconds: 0 })) });

async function workers(n: number, url: string, extra: string[] = []): Promise<Proc[]> {
  const ws = Array.from({ length: n }, () => deepnet(['worker', '--queue', url, '--stall-timeout', '1000', ...extra]));
  await Promise.all(ws.map((w) => w.waitFor(/taking jobs from/)));
  return ws;
}

const searchIdOf = async (p: Proc): Promise<string> => {
  await p.waitFor(/^tune: search (\S+)/m);
  return /^tune: search (\S+)/m.exec(p.stderr())![1]!;
};

const trialsDone = (p: Proc) => (p.stderr().match(/^trial \d+\//gm) ?? []).length;

describe('a search through faults', () => {
  it('a worker killed with -9, Redis restarted with its data and then without: the table equals a local tune', async () => {
    const redis = await startRedis({ persistent: true });
    const [a, b] = await workers(2, redis.url);
    const grid = ['tune', '--data', 'builtin:moons', '--lr', '0.05,0.1,0.3', '--layers', '8:4,4', '--iterations', '1500', '--json'];
    const results = join(dir, 'faults.json');
    const tune = deepnet([...grid, '--queue', redis.url, '--results', results]);
    const id = await searchIdOf(tune);
    expect(tune.stderr().split('\n')[0]).toBe(`tune: search ${id} on ${redis.url}; results: ${results}`);

    await a!.waitFor(/: started/);
    a!.child.kill('SIGKILL');
    const [c] = await workers(1, redis.url);
    // Every live worker runs the stalled-job check: b or c (started since) puts a's job back.
    await Promise.any([b!, c!].map((w) => w.waitFor(/its worker stopped answering: back in the queue/, 30_000)));

    // Redis restarted with its data (append-only file): nothing is lost.
    await tune.waitFor(/^trial 1\//m, 60_000);
    // The results file is the table so far, rewritten whole as trials finish.
    const partial = JSON.parse(readFileSync(results, 'utf8')) as Report;
    expect(partial.searchId).toBe(id);
    expect(partial.pending.length).toBeGreaterThan(0);
    expect(partial.trials.length + partial.pending.length).toBe(6);
    await redis.stop();
    await redis.start();

    // Then without: Redis comes back empty; tune, which holds every payload, submits the lost trials again.
    const before = trialsDone(tune);
    await tune.waitFor(new RegExp(`^trial ${before + 1}/`, 'm'), 60_000);
    await redis.stop();
    const atWipe = trialsDone(tune);
    await redis.start({ wipe: true });

    const code = await tune.exited;
    expect(code, [tune, b!, c!].map((p) => p.output()).join('\n----\n')).toBe(0);
    const queued = JSON.parse(tune.stdout()) as Report;
    expect(queued.pending).toEqual([]);
    const local = cli([...grid, '--results', join(dir, 'faults-local.json')]);
    expect(local.status, local.stderr).toBe(0);
    expect(timeless(queued)).toEqual(timeless(JSON.parse(local.stdout) as Report));
    expect(JSON.parse(readFileSync(results, 'utf8'))).toEqual(queued);
    // Every trial not finished when Redis lost them was submitted again, once.
    const again = tune.stderr().match(/^tune: trial (\d+) is no longer in Redis .*: submitted again$/gm) ?? [];
    expect(again.length).toBe(6 - atWipe);
    expect(new Set(again).size).toBe(again.length);
  });

  it('a worker that lost its job\'s lock stops training it; the job is trained again', async () => {
    const redis = await startRedis();
    const [w] = await workers(1, redis.url);
    const { job } = JSON.parse(cli(['train', '--data', 'builtin:moons', '--layers', '20,20', '--iterations', '1000000', '--detach', '--json', '--queue', redis.url]).stdout) as { job: string };
    await w!.waitFor(new RegExp(`job ${job}: .*started`));
    const admin = new Redis(redis.url);
    await admin.del(`bull:${QUEUE_NAME}:${job}:lock`);
    await w!.waitFor(new RegExp(`job ${job}: lost its lock .*: stopped training it`), 10_000);
    // The stalled-job check finds it without a lock and puts it back: trained again from the start.
    await w!.waitFor(new RegExp(`job ${job}: .*started(.|\\n)*job ${job}: .*started`), 20_000);
    admin.disconnect();
    expect(cli(['jobs', 'cancel', job, '--queue', redis.url]).stdout).toBe(`${job}: cancelled\n`);
  });

  it('a worker still waiting for Redis stops at once on Ctrl-C or SIGTERM, having taken nothing', async () => {
    const redis = await startRedis();
    await redis.stop();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const w = deepnet(['worker', '--queue', redis.url]);
      await w.waitFor(/ECONNREFUSED.*retrying/);
      const stopAt = Date.now();
      w.child.kill(signal);
      expect(await w.exited, w.output()).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(5000);
      expect(w.output()).not.toContain('taking jobs from');
    }
  });

  it('a submitter killed midway: jobs list shows the search, tune --resume finishes it; a failed trial is named and exits 1', async () => {
    const redis = await startRedis();
    const folder = mkdtempSync(join(dir, 'cwd-'));
    const grid = ['tune', '--data', 'builtin:moons', '--lr', '0.05,0.1', '--layers', '8:4', '--iterations', '800', '--json'];
    const first = deepnet([...grid, '--queue', redis.url, '--results', join(folder, 'first.json')]);
    const id = await searchIdOf(first);
    await first.waitFor(/trials submitted/);
    // No worker yet: one trial's stored data are made unreadable, as a hostile writer could.
    const admin = new Redis(redis.url);
    await admin.hset(`bull:${QUEUE_NAME}:${id}-2`, 'data', 'not json at all');
    const [w] = await workers(1, redis.url);
    await first.waitFor(/^trial 1\//m, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const list = cli(['jobs', 'list', '--queue', redis.url]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}  \\d/4 trials: \\d done, \\d running, \\d waiting(, 1 failed)?  \\(.* UTC, builtin:moons \\(train\\)\\)$`, 'm'));
    const status = cli(['jobs', 'status', `${id}-2`, '--queue', redis.url]);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(new RegExp(`^${id}-2: (waiting|failed: malformed job: its data are not JSON)\\n$`));

    // --resume, from the same folder: the default results file is the search's own.
    const resumed = cli(['tune', '--resume', id, '--queue', redis.url, '--json'], { cwd: folder });
    expect(resumed.status, resumed.stderr + w!.output()).toBe(1);
    expect(resumed.stderr).toContain(`deepnet: error: 1 of 4 trials failed on the queue: trial 2 (malformed job: its data are not JSON); the table holds the others (${id}.json)`);
    const report = JSON.parse(resumed.stdout) as Report;
    expect(JSON.parse(readFileSync(join(folder, `${id}.json`), 'utf8'))).toEqual(report);
    const local = JSON.parse(cli([...grid, '--results', join(dir, 'resume-local.json')]).stdout) as Report;
    const same = (r: Report) => timeless(r).trials.filter((t) => t.trial !== 2);
    expect(same(report)).toEqual(same(local));
    expect(report.trials.find((t) => t.trial === 2)).toMatchObject({ error: 'malformed job: its data are not JSON', finalCost: null });
    expect(cli(['jobs', 'list', '--queue', redis.url]).stdout).toMatch(new RegExp(`^${id}  4/4 trials: 3 done, 0 running, 0 waiting, 1 failed`, 'm'));
    admin.disconnect();

    // Two tunes in one folder: two results files.
    const local1 = cli(['tune', '--data', 'builtin:xor', '--layers', '3', '--iterations', '5'], { cwd: folder });
    const local2 = cli(['tune', '--data', 'builtin:xor', '--layers', '3', '--iterations', '5'], { cwd: folder });
    expect([local1.status, local2.status]).toEqual([0, 0]);
    expect(readdirSync(folder).filter((f) => f.startsWith("tune-") && f.endsWith(".json")).length).toBe(3);
    expect(cli(['tune', '--resume', id]).stderr).toContain('--resume needs --queue');
  });
});
