import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCat } from '../../src/data/cat.js';
import { Network } from '../../src/nn/network.js';
import { checkTrialMemory, rank, trialSpecs, type TrialResult } from '../../src/cli/tune.js';
import { Matrix } from '../../src/matrix.js';
import { ConfigError } from '../../src/errors.js';
import { estimateTrainingBytes, evaluationBytes } from '../../src/nn/memory.js';
import { existsSync } from 'node:fs';
import { deepnet as cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-tune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, iterations: 10 } as const;

describe('trial specs', () => {
  it('grid: every combination, learning rate fastest; --trials takes the first k', () => {
    const specs = trialSpecs({ ...base, lr: [0.1, 0.01], layers: [[3], [2, 2]], hidden: ['relu', 'tanh'], search: 'grid', trials: undefined }, null);
    expect(specs.map((s) => [s.trial, s.learningRate, s.layers, s.hidden])).toEqual([
      [0, 0.1, [3], 'relu'], [1, 0.01, [3], 'relu'], [2, 0.1, [2, 2], 'relu'], [3, 0.01, [2, 2], 'relu'],
      [4, 0.1, [3], 'tanh'], [5, 0.01, [3], 'tanh'], [6, 0.1, [2, 2], 'tanh'], [7, 0.01, [2, 2], 'tanh'],
    ]);
    expect(trialSpecs({ ...base, lr: [0.1, 0.01], layers: [[3]], hidden: ['relu'], search: 'grid', trials: 1 }, null)).toHaveLength(1);
  });

  it('random: k draws, α log-uniform in [min, max], reproducible from the seed', () => {
    const flags = { ...base, lr: [0.0001, 0.1], layers: [[3], [5, 2]], hidden: ['relu', 'tanh'] as ('relu' | 'tanh')[], search: 'random' as const, trials: 200 };
    const a = trialSpecs(flags, null);
    expect(a).toHaveLength(200);
    expect(trialSpecs(flags, null)).toEqual(a);
    const logs = a.map((s) => Math.log10(s.learningRate));
    expect(Math.min(...logs)).toBeGreaterThanOrEqual(-4);
    expect(Math.max(...logs)).toBeLessThanOrEqual(-1);
    // Log-uniform: about a third of the draws in each decade.
    const inFirstDecade = logs.filter((x) => x < -3).length;
    expect(inFirstDecade).toBeGreaterThan(40);
    expect(inFirstDecade).toBeLessThan(95);
    expect(new Set(a.map((s) => s.hidden)).size).toBe(2);
    expect(() => trialSpecs({ ...flags, trials: undefined }, null)).toThrow('--search random needs --trials');
  });

  it('ranks by validation accuracy, then train accuracy, then trial; failed trials last', () => {
    const r = (trial: number, v: number | null, t: number | null) => ({ trial, validationAccuracy: v, trainAccuracy: t }) as TrialResult;
    expect(rank([r(0, 0.5, 0.9), r(1, null, null), r(2, 0.7, 0.6), r(3, 0.5, 0.95), r(4, 0.5, 0.9)]).map((x) => x.trial)).toEqual([2, 3, 0, 4, 1]);
  });
});

interface Report {
  trials: (TrialResult & { finalCost: number | null })[];
  best: number;
  model: string | null;
  validation: string;
}

describe('deepnet tune', () => {
  const args = ['tune', '--lr', '0.005,0.02', '--layers', '3:2,2', '--hidden', 'relu,tanh', '--iterations', '15'];

  it('runs the grid in worker threads, ranks it, writes the JSON and the best model', async () => {
    const results = join(dir, 'results.json');
    const best = join(dir, 'best.safetensors');
    const r = cli([...args, '--parallel', '2', '--results', results, '--out', best, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(JSON.parse(readFileSync(results, 'utf8'))).toEqual(report);
    expect(report.validation).toBe('builtin:cat (test)');
    expect(report.trials).toHaveLength(8);
    expect(new Set(report.trials.map((t) => t.trial))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    const acc = report.trials.map((t) => t.validationAccuracy!);
    expect([...acc].sort((a, b) => b - a)).toEqual(acc);
    expect(report.best).toBe(report.trials[0]!.trial);
    expect(r.stderr.match(/^trial \d\/8 /gm)).toHaveLength(8);

    // The saved model is the best trial's network: its test accuracy is the reported one.
    const { test } = await loadCat();
    const net = Network.fromBytes(readFileSync(best));
    expect(net.layerDims).toEqual(report.trials[0]!.layerDims);
    expect(net.evaluate(test.X, test.Y)).toBe(report.trials[0]!.validationAccuracy);

    // One thread at a time gives the same numbers: trials do not depend on scheduling.
    const one = JSON.parse(cli([...args, '--parallel', '1', '--results', join(dir, 'one.json'), '--json']).stdout) as Report;
    const strip = (t: Report['trials'][number]) => ({ ...t, seconds: 0 });
    expect(one.trials.map(strip)).toEqual(report.trials.map(strip));
  });

  it('prints a table; a diverging learning rate is a failed trial, not a failed search', () => {
    const results = join(dir, 'table.json');
    // MSE on a linear output has no saturation guard: at α = 1e12 the cost overflows to Infinity.
    const r = cli(['tune', '--lr', '0.01,1e12', '--layers', '3', '--iterations', '20', '--output', 'linear', '--cost', 'mse', '--parallel', '2', '--results', results]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^rank\s+trial\s+lr\s+layerDims\s+hidden\s+train acc\s+val acc\s+cost\s+seconds$/);
    expect(lines[2]).toMatch(/^\s+1\s+0\s+0\.01\s+\[12288, 3, 1\]\s+relu\s+\d\.\d{4}\s+\d\.\d{4}\s+0\.\d+\s+\d+\.\d$/);
    expect(lines[3]).toMatch(/^\s+2\s+1\s+1000000000000\s+\[12288, 3, 1\]\s+relu\s+-\s+-\s+diverged\s+\d+\.\d$/);
    expect(r.stderr).toMatch(/trial \d\/2 \(lr 1000000000000, .*\): diverged: training diverged: the cost is (Infinity|NaN)/);
    const report = JSON.parse(readFileSync(results, 'utf8')) as Report;
    expect(report.trials[1]).toMatchObject({ trial: 1, finalCost: null, validationAccuracy: null, diverged: true });
    expect(report.trials[1]!.error).toContain('Try a smaller learning rate');
  });

  it('refuses a search that cannot fit before any trial starts, naming the trial and the need', () => {
    const results = join(dir, 'huge.json');
    // W1 alone (200000 x 12288) is 20 GB: before, the trial thread spent minutes initialising it.
    const started = performance.now();
    const r = cli(['tune', '--layers', '200000:3', '--iterations', '1', '--results', results]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^deepnet: error: tune: trial 0 \(layerDims \[12288, 200000, 1\], m = 209, float64\) needs about 61 GB of memory, more than the 2\.1 GB the wasm backend can hold; use smaller layers$/m);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(existsSync(results)).toBe(false);
  });

  it('counts the trials that run at once against the machine, beside the data\'s shared copies', () => {
    const set = (m: number) => ({ X: Matrix.zeros(100, m), Y: Matrix.zeros(1, m), source: 'test' });
    const train = set(50);
    const validation = set(20);
    const specs = trialSpecs({ ...base, lr: [0.1], layers: [[30], [10]], hidden: ['relu'], search: 'grid', trials: undefined }, null);
    const own = { dataCopies: 1, keptPackedMaxBytes: 64 << 20 };
    const trial = (layers: number[]) => estimateTrainingBytes([100, ...layers, 1], 50, 'float64', { ...own, otherBytes: evaluationBytes([100, ...layers, 1], 20, 'float64', own) });
    const shared = (100 + 1) * 70 * 8;
    const both = shared + trial([30]) + trial([10]);
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'wasm', parallel: 2 }, both)).not.toThrow();
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'wasm', parallel: 2 }, both - 1)).toThrow(
      /^tune: 2 trials at once \(--parallel 2; the largest: trial 0 \(layerDims \[100, 30, 1\], m = 50, float64\)\) need about .* of memory, more than the .* available; use smaller layers or a lower --parallel$/,
    );
    // One at a time, the largest alone must fit.
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'wasm', parallel: 1 }, shared + trial([30]))).not.toThrow();
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'wasm', parallel: 1 }, shared + trial([30]) - 1)).toThrow(/^tune: trial 0 \(layerDims \[100, 30, 1\].* use smaller layers$/);
    // The reference backend computes on the shared copies: no data of its own.
    const reference = (layers: number[]) => estimateTrainingBytes([100, ...layers, 1], 50, 'float64', { includeData: false, otherBytes: evaluationBytes([100, ...layers, 1], 20, 'float64', { includeData: false }) });
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'reference', parallel: 2 }, shared + reference([30]) + reference([10]))).not.toThrow();
    expect(() => checkTrialMemory(specs, train, validation, { backend: 'reference', parallel: 2 }, shared + reference([30]) + reference([10]) - 1)).toThrow(ConfigError);
  });

  it('picks softmax for K > 2 classes, and holds out the last 20% when there is no test set', async () => {
    const spiral = JSON.parse(cli(['tune', '--data', 'builtin:spiral', '--lr', '1', '--layers', '10', '--iterations', '50', '--results', join(dir, 's.json'), '--json']).stdout) as Report;
    expect(spiral.trials[0]!.layerDims).toEqual([2, 10, 3]);
    expect(spiral.trials[0]).toMatchObject({ output: 'softmax', cost: 'ce' });

    const file = join(dir, 'small.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    f.create_dataset({ name: 'train_x', data: Float64Array.from({ length: 50 * 3 }, (_, i) => Math.sin(i)), shape: [50, 3] });
    f.create_dataset({ name: 'train_y', data: Float64Array.from({ length: 50 }, (_, i) => i % 2), shape: [50] });
    f.close();
    const r = cli(['tune', '--data', file, '--layers', '2', '--iterations', '5', '--results', join(dir, 'h.json'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Report).validation).toBe(`${file}, last 10 samples`);
  });

  it('--help has an example', () => {
    const r = cli(['tune', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:\n  $ deepnet tune --lr 0.001,0.0075,0.03');
  });
});
