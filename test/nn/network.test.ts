import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { expectClose, loadFixture } from '../helpers/fixtures.js';

const f = loadFixture('deep_small');
const X = Matrix.from(f.X);
const Y = Matrix.from(f.Y);

describe('Network', () => {
  it('starts from the course init and trains to the fixture costs', () => {
    const net = new Network({ layerDims: f.layerDims, seed: 1 });
    expect(net.parameters.W1!.toArray()).toEqual(net.parameters.W1!.toArray());
    const costs = net.fit(X, Y, { learningRate: f.learningRate, iterations: 100 });
    expect(costs).toHaveLength(100);
    costs.forEach((c, i) => expectClose(c, f.training.costs[i], 1e-9, `cost ${i}`));
    expect(net.predict(X).toArray()).toEqual(f.training.predictions);
    expect(net.evaluate(X, Y)).toBe(1);
    expectClose(net.cost(X, Y), f.training.finalCost, 1e-9, 'final cost');
    expect(net.forward(X).shape).toEqual([1, 10]);
  });

  it('is deterministic: the same seed gives the same costs bit for bit; another seed does not', () => {
    const a = new Network({ layerDims: [6, 4, 1], seed: 9 }).fit(X, Y, { learningRate: 0.1, iterations: 30 });
    const b = new Network({ layerDims: [6, 4, 1], seed: 9 }).fit(X, Y, { learningRate: 0.1, iterations: 30 });
    const c = new Network({ layerDims: [6, 4, 1], seed: 10 }).fit(X, Y, { learningRate: 0.1, iterations: 30 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('float32 follows float64 to float32 precision', () => {
    const X32 = X.astype('float32');
    const Y32 = Y.astype('float32');
    const c64 = new Network({ layerDims: f.layerDims }).fit(X, Y, { learningRate: 0.1, iterations: 50 });
    const net32 = new Network({ layerDims: f.layerDims, dtype: 'float32' });
    expect(net32.parameters.W1!.dtype).toBe('float32');
    const c32 = net32.fit(X32, Y32, { learningRate: 0.1, iterations: 50 });
    c32.forEach((c, i) => expect(Math.abs(c - c64[i]!)).toBeLessThan(1e-5));
  });

  it('onIteration sees every cost and can stop training; printEvery prints the course lines', () => {
    const seen: number[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const costs = new Network({ layerDims: f.layerDims }).fit(X, Y, {
      learningRate: 0.1,
      iterations: 100,
      printEvery: 5,
      onIteration: (i) => {
        seen.push(i);
        return i < 11;
      },
    });
    const printed = log.mock.calls.map((c) => c[0]);
    log.mockRestore();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(costs).toHaveLength(12);
    expect(printed).toEqual([0, 5, 10].map((i) => `Cost after iteration ${i}: ${costs[i]}`));
  });

  it('summary is the dimension table for m samples', () => {
    const text = new Network({ layerDims: [12288, 20, 7, 5, 1] }).summary(209);
    expect(text).toContain('layerDims = [12288, 20, 7, 5, 1], m = 209');
    expect(text).toMatch(/1\s+relu\s+\(20, 12288\)\s+\(20, 1\)\s+\(20, 209\)\s+\(20, 209\)\s+245780/);
    expect(text).toMatch(/4\s+sigmoid\s+\(1, 5\)\s+\(1, 1\)\s+\(1, 209\)/);
    expect(text).toContain('total parameters: 245973');
  });

  it('per-layer activations and an MSE regression output', () => {
    const m = loadFixture('mse_mlp');
    const net = new Network({ layerDims: m.layerDims, activations: ['relu', 'linear'], cost: 'mse' });
    const costs = net.fit(Matrix.from(m.X), Matrix.from(m.Y), { learningRate: m.learningRate, iterations: 20 });
    costs.forEach((c, i) => expectClose(c, m.training.costs[i], 1e-9, `mse cost ${i}`));
    // A regression predicts AL itself.
    expect(net.predict(Matrix.from(m.X)).toArray()).toEqual(net.forward(Matrix.from(m.X)).toArray());
  });

  it('threads: 1 to 24 (the kernels\' most) or 0; anything else is a ConfigError, not a count cut down', () => {
    for (const threads of [25, 40, -1, 1.5, Number.NaN]) {
      expect(() => new Network({ layerDims: [2, 1], threads })).toThrow(ConfigError);
    }
    expect(() => new Network({ layerDims: [2, 1], threads: 40 })).toThrow(/^threads must be a whole number of threads from 1 to 24 \(or 0: the backend's choice\), got 40$/);
    for (const threads of [0, 1, 24]) expect(new Network({ layerDims: [2, 1], threads }).config.threads).toBe(threads);
  });

  it('fit checks X against the input layer with a hint for samples-as-rows', () => {
    const net = new Network({ layerDims: [6, 1] });
    expect(() => net.fit(X.T, Y)).toThrow(/fit: X \(10, 6\) must have n\[0\] = 6 rows.*transpose it/);
  });
});
