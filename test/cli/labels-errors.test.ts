import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { type CliResult, deepnet } from '../helpers/cli.js';

// Bad labels, diverging runs and misleading inputs, per command: each ends in one line naming the
// file or flag, exit 1 (user error) or 2 (usage), and nothing written. The bad files are made here.

const dir = mkdtempSync(join(tmpdir(), 'deepnet-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CSV of two features (a grid) and the given labels, one per row. */
function csv(name: string, labels: readonly (number | string)[]): string {
  const path = join(dir, name);
  const rows = labels.map((y, i) => `${(i % 7) / 7},${Math.floor(i / 7) / 7 + ((i * 13) % 5) / 50},${y}`);
  writeFileSync(path, ['x1,x2,label', ...rows].join('\n') + '\n');
  return path;
}

const repeat = <T>(values: readonly T[], m: number): T[] => Array.from({ length: m }, (_, i) => values[i % values.length]!);

function userError(r: CliResult, message: RegExp, status = 1): void {
  expect(r.status, r.stderr).toBe(status);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const out = (name: string) => join(dir, name);

describe('train: the distinct labels are the classes', () => {
  it('labels 5/7 train one sigmoid unit and the model keeps classes [5, 7]; predict and eval map back', () => {
    const data = csv('57.csv', repeat([5, 7], 40));
    const model = out('57.safetensors');
    const r = deepnet(['train', '--data', data, '--layers', '3', '--iterations', '200', '--lr', '0.5', '--out', model, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { layerDims: number[] }).layerDims).toEqual([2, 3, 1]);
    const net = Network.fromBytes(readFileSync(model));
    expect(net.classes).toEqual([5, 7]);
    const p = deepnet(['predict', '--model', model, '--data', data, '--json']);
    expect(p.status, p.stderr).toBe(0);
    const labels = new Set((JSON.parse(p.stdout) as { predictions: { label: string }[] }).predictions.map((x) => x.label));
    expect([...labels].every((l) => l === '5' || l === '7')).toBe(true);
    const e = deepnet(['eval', '--model', model, '--data', data, '--json']);
    expect(e.status, e.stderr).toBe(0);
    const result = JSON.parse(e.stdout) as { cost: number; classes: number[]; confusion: number[][] };
    expect(result.classes).toEqual([5, 7]);
    expect(result.cost).toBeGreaterThan(0);
    expect(result.confusion.flat().reduce((a, b) => a + b)).toBe(40);
  });

  it('labels 5, 6, 7 build three softmax units, not eight', () => {
    const r = deepnet(['train', '--data', csv('567.csv', repeat([5, 6, 7], 30)), '--layers', '3', '--iterations', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { layerDims: number[] }).layerDims).toEqual([2, 3, 3]);
  });

  it('says which classes labels other than 0 and 1 became, and what the output means', () => {
    const line = (labels: number[]) => {
      const r = deepnet(['train', '--data', csv(`says-${labels.join('_')}.csv`, repeat(labels, 24)), '--layers', '3', '--iterations', '2']);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n')[1];
    };
    // A column of -1 and 1 (another course's convention), or soft labels read as a third class.
    expect(line([-1, 1])).toBe('deepnet: 2 classes in the labels (-1, 1): sigmoid + bce, the output is the probability of 1 (against -1)');
    expect(line([0, 0.5, 1])).toBe('deepnet: 3 classes in the labels (0, 0.5, 1): softmax + ce, output unit k is the k-th class');
    // The course's 0/1: nothing more than its own output.
    expect(line([0, 1])).toMatch(/^Cost after iteration 0: /);
  });

  it('a label of 1e9 is one class among three (no huge one-hot)', () => {
    const r = deepnet(['train', '--data', csv('big.csv', repeat([0, 1, 1e9], 30)), '--layers', '3', '--iterations', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { layerDims: number[] }).layerDims).toEqual([2, 3, 3]);
  });

  it.each([
    ['one class', ['--data', 'one.csv'], /^deepnet: .*one\.csv: every sample has the label 4: one class/],
    ['a forced --cost bce on 3 classes', ['--data', 'k3.csv', '--cost', 'bce'], /^deepnet: .*k3\.csv has 3 classes, but --output sigmoid with --cost bce/],
    ['a test label the training set lacks', ['--data', '57.csv', '--test', 'test-6.csv'], /^deepnet: .*test-6\.csv: sample 1 has label 6, which is not one of the classes of .*57\.csv \(5, 7\)/],
  ])('%s is an error naming the file, and --out is not written', (_what, args, message) => {
    csv('one.csv', repeat([4], 20));
    csv('k3.csv', repeat([0, 1, 2], 21));
    csv('57.csv', repeat([5, 7], 40));
    csv('test-6.csv', [5, 6, 7]);
    const model = out('never.safetensors');
    const r = deepnet(['train', ...args.map((a) => (a.endsWith('.csv') ? join(dir, a) : a)), '--layers', '2', '--iterations', '5', '--out', model]);
    userError(r, message);
    expect(existsSync(model)).toBe(false);
  });

  it('regression (--cost mse --output linear) takes real-valued labels as they are', () => {
    const r = deepnet(['train', '--data', csv('real.csv', repeat([0.25, -3.5, 12.75, 7], 40)), '--layers', '3', '--cost', 'mse', '--output', 'linear', '--iterations', '20', '--lr', '0.01', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { layerDims: number[] }).layerDims).toEqual([2, 3, 1]);
  });
});

describe('eval, --resume, gradcheck and tune map labels through the classes', () => {
  const model = out('01.safetensors');
  const train01 = () => {
    if (existsSync(model)) return;
    const r = deepnet(['train', '--data', csv('01.csv', repeat([0, 1], 40)), '--layers', '3', '--iterations', '20', '--out', model]);
    expect(r.status, r.stderr).toBe(0);
  };

  it('eval of a 0/1 model on labels 5, 6, 7 is an error naming the label and both files', () => {
    train01();
    userError(deepnet(['eval', '--model', model, '--data', csv('e567.csv', [5, 6, 7])]), /^deepnet: .*e567\.csv: sample 0 has label 5, which is not one of the classes of .*01\.safetensors \(0, 1\)$/);
  });

  it('--resume on a label the model does not know is refused, and the model file is untouched', () => {
    train01();
    const before = readFileSync(model);
    userError(deepnet(['train', '--resume', model, '--data', csv('r2.csv', repeat([0, 1, 2], 21)), '--iterations', '5', '--out', model]), /r2\.csv: sample 2 has label 2, which is not one of the classes of/);
    expect(readFileSync(model).equals(before)).toBe(true);
  });

  it('gradcheck maps labels 5/7 to 0/1 (and refuses one class)', () => {
    const r = deepnet(['gradcheck', '--data', csv('g57.csv', repeat([5, 7], 20)), '--layers', '3', '--hidden', 'tanh', '--samples', '6', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { verdict: string }).verdict).toBe('good');
    userError(deepnet(['gradcheck', '--data', csv('g1.csv', repeat([2], 20)), '--layers', '3']), /g1\.csv: every sample has the label 2: one class/);
  });

  it('tune refuses a validation label the training set lacks, and writes no results', () => {
    const results = out('never-results.json');
    userError(
      deepnet(['tune', '--data', csv('t57.csv', repeat([5, 7], 40)), '--validation', csv('v9.csv', [5, 9]), '--layers', '2', '--iterations', '5', '--parallel', '1', '--results', results]),
      /v9\.csv: sample 1 has label 9, which is not one of the classes of .*t57\.csv \(5, 7\)/,
    );
    expect(existsSync(results)).toBe(false);
  });
});

describe('divergence', () => {
  it('train --lr 1e9 stops with a TrainingError naming the iteration, the costs and the learning rate; no model', () => {
    const model = out('diverged.safetensors');
    const r = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--lr', '1e9', '--iterations', '300', '--out', model]);
    userError(r, /^deepnet: error: training diverged: the cost (is pinned at .* from iteration \d+ to \d+|rose from .* at iteration \d+).*Try a smaller learning rate \(it is 1000000000\)\.$/);
    expect(existsSync(model)).toBe(false);
  });

  it('tune ranks a diverged trial last and shows it as diverged', () => {
    const results = out('tune-diverged.json');
    const r = deepnet(['tune', '--data', 'builtin:planar', '--validation', 'builtin:planar', '--lr', '1e9,0.5', '--layers', '4', '--iterations', '300', '--parallel', '1', '--results', results, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(results, 'utf8')) as { trials: { learningRate: number; diverged: boolean; error: string | null }[] };
    expect(report.trials.map((t) => [t.learningRate, t.diverged])).toEqual([
      [0.5, false],
      [1e9, true],
    ]);
    expect(report.trials[1]!.error).toMatch(/^training diverged/);
  });

  it('tune runs identical trials once and says so', () => {
    const r = deepnet(['tune', '--data', 'builtin:xor', '--lr', '0.1,0.1', '--layers', '3:3', '--iterations', '5', '--parallel', '1', '--results', out('dedupe.json'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tune: 3 trial\(s\) left out: the same learning rate, layers and activation as an earlier trial/);
    expect((JSON.parse(r.stdout) as { trials: unknown[] }).trials).toHaveLength(1);
  });
});

describe('misleading inputs', () => {
  it('an IDX file of zero images is refused naming it (not "training diverged")', () => {
    const images = join(dir, 'zero-images-idx3-ubyte');
    const labels = join(dir, 'zero-labels-idx1-ubyte');
    writeFileSync(images, Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2]));
    writeFileSync(labels, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 0]));
    userError(deepnet(['train', '--data', `idx:${images}`, '--iterations', '5']), /zero-images-idx3-ubyte: holds 0 images/);
  });

  it('a missing idx: folder says so', () => {
    userError(deepnet(['train', '--data', `idx:${join(dir, 'no-such-folder')}`, '--iterations', '5']), /no-such-folder: no such file or folder/);
  });

  it('--normalize standard on values too large for float64 is refused before training, naming the feature', () => {
    const path = join(dir, 'huge.csv');
    writeFileSync(path, 'a,b,y\n1e308,1,0\n-1e308,2,1\n1e308,3,0\n');
    const model = out('huge.safetensors');
    const r = deepnet(['train', '--data', path, '--normalize', 'standard', '--layers', '2', '--iterations', '5', '--out', model]);
    userError(r, /huge\.csv \(--normalize standard\): feature 0 has standard deviation Infinity/);
    expect(r.stdout).not.toMatch(/Cost after/);
    expect(existsSync(model)).toBe(false);
  });

  it('predict on a CSV of exactly n[0] columns reads them all as features (no label column taken)', () => {
    const model = out('p.safetensors');
    const labelled = csv('p.csv', repeat([0, 1], 20));
    expect(deepnet(['train', '--data', labelled, '--layers', '3', '--iterations', '50', '--lr', '0.5', '--out', model]).status).toBe(0);
    const features = join(dir, 'p-features.csv');
    writeFileSync(features, readFileSync(labelled, 'utf8').split('\n').map((line) => line.split(',').slice(0, 2).join(',')).join('\n'));
    const a = deepnet(['predict', '--model', model, '--data', labelled, '--json']);
    const b = deepnet(['predict', '--model', model, '--data', features, '--json']);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).predictions).toEqual(JSON.parse(a.stdout).predictions);
  });
});

describe('gradcheck bounds its work', () => {
  it('a quarter-million parameters: a seeded sample of --max-parameters, and it says so', () => {
    const r = deepnet(['gradcheck', '--features', '500', '--layers', '500', '--samples', '2', '--max-parameters', '50', '--hidden', 'tanh']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(50 of 251001 parameters, a random sample \(--max-parameters, --seed 1\)\)/);
    const again = deepnet(['gradcheck', '--features', '500', '--layers', '500', '--samples', '2', '--max-parameters', '50', '--hidden', 'tanh']);
    expect(again.stdout).toBe(r.stdout);
  });

  it.each(['1e-300', '0', '-1', '1', 'nan'])('--epsilon %s is bad usage naming the flag', (e) => {
    const r = deepnet(['gradcheck', '--epsilon', e]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--epsilon/);
  });

  it('an epsilon where rounding dominates is inconclusive, not blamed on backprop', () => {
    const r = deepnet(['gradcheck', '--epsilon', '1e-12', '--hidden', 'tanh', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { verdict: string; difference: number; roundingDifference: number };
    expect(result.difference).toBeGreaterThan(2e-7);
    expect(result.verdict).toBe('rounding');
    expect(result.roundingDifference).toBeGreaterThan(1e-6);
  });
});

mkdirSync(dir, { recursive: true });
