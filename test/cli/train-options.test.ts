import { describe, expect, it } from 'vitest';
import { deepnet } from '../helpers/cli.js';

interface Result {
  costs: [number, number][];
  trainAccuracy: number;
}

function train(args: string[]): Result {
  const r = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--backend', 'reference', '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Result;
}

describe('train: the training-option flags', () => {
  it('--optimizer adam --batch-size 64 --epochs trains by mini-batches, one cost per epoch', () => {
    const r = train(['--optimizer', 'adam', '--batch-size', '64', '--epochs', '30', '--lr', '0.01', '--print-every', '10']);
    expect(r.costs.map(([i]) => i)).toEqual([0, 10, 20, 29]);
    expect(r.costs[3]![1]).toBeLessThan(r.costs[0]![1]);
    const gd = train(['--epochs', '30', '--lr', '0.01', '--print-every', '10']);
    expect(gd.costs[3]![1]).not.toBe(r.costs[3]![1]);
  });

  it('--lambd and --keep-prob change the costs (the L2 term is in the cost)', () => {
    const plain = train(['--iterations', '3', '--lr', '0.5', '--print-every', '1']);
    const l2 = train(['--iterations', '3', '--lr', '0.5', '--print-every', '1', '--lambd', '0.7']);
    const dropout = train(['--iterations', '3', '--lr', '0.5', '--print-every', '1', '--keep-prob', '0.5']);
    expect(l2.costs[0]![1]).toBeGreaterThan(plain.costs[0]![1]);
    expect(dropout.costs[0]![1]).not.toBe(plain.costs[0]![1]);
  });

  it('--gram: the first line says which form runs; both give the same costs; on where it cannot apply is exit 1 saying why', () => {
    const first = (args: string[]) => {
      const r = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--iterations', '20', '--print-every', '5', '--backend', 'reference', ...args]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n');
    };
    const auto = first([]);
    expect(auto[0]).toMatch(/float64; first layer in direct form \(n\[0\] = 2 is not larger than m = \d+\)$/);
    const on = first(['--gram', 'on']);
    expect(on[0]).toMatch(/float64; first layer in Gram form \(K = Xᵀ·X, (\d+) x \1\)$/);
    const costs = (lines: string[]) => lines.filter((l) => l.startsWith('Cost after')).map((l) => Number(l.split(': ')[1]));
    costs(on).forEach((J, i) => expect(Math.abs(J - costs(auto)[i]!) / J).toBeLessThan(1e-12));
    const adam = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--iterations', '2', '--optimizer', 'adam', '--gram', 'on']);
    expect(adam.status).toBe(1);
    expect(adam.stderr.trim()).toBe("deepnet: error: train: gram 'on' cannot apply: the adam update is elementwise in W[1], so W[1] leaves the form s·W0 + U·Xᵀ (gd and momentum keep it)");
    const bad = deepnet(['train', '--data', 'builtin:planar', '--gram', 'maybe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--gram.*expected one of auto, on, off, got "maybe"/);
  });

  it('a malformed value is bad usage (exit 2) naming the flag', () => {
    const r = deepnet(['train', '--data', 'builtin:planar', '--beta1', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--beta1.*expected a number in \[0, 1\), got "1"/);
    const k = deepnet(['train', '--data', 'builtin:planar', '--keep-prob', '0']);
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/--keep-prob.*keep_prob in \(0, 1\]/);
  });

  it('a batch larger than m is a ConfigError (exit 1) naming the option, value and range', () => {
    const r = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--batch-size', '5000', '--epochs', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/batchSize must be an integer from 1 to the number of training samples m = 400, got 5000 \(valid range: \[1, 400\]\)/);
    const k = deepnet(['train', '--data', 'builtin:planar', '--layers', '4', '--keep-prob', '0.8,0.6', '--epochs', '1']);
    expect(k.status).toBe(1);
    expect(k.stderr).toMatch(/keepProb must be a list of 1 value in \(0, 1\], one per hidden layer 1..1, got \[0.8,0.6\]/);
  });
});
