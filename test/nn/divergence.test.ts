import { describe, expect, it } from 'vitest';
import { planarDataset } from '../../src/data/planar.js';
import { gaussianDataset, moonsDataset } from '../../src/data/synthetic.js';
import { DivergenceError, TrainingError } from '../../src/errors.js';
import { oneHot } from '../../src/data/onehot.js';
import { CLAMPED_LOSS } from '../../src/nn/costs.js';
import { PINNED_REPEATS, RISE, RISE_EPOCHS, watchDivergence } from '../../src/nn/divergence.js';
import { Network } from '../../src/nn/network.js';

// Both sides of the divergence rule: runs that diverge behind the cost's clamp stop with a
// DivergenceError; runs that learn (noisy or not) never trip it.

const watch = (cost: 'bce' | 'ce' | 'mse' = 'bce', m = 10) => watchDivergence({ cost, units: 1, m, learningRate: 5, step: 'iteration' });

function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('watchDivergence', () => {
  it('a cost pinned at whole clamped losses is diverged after PINNED_REPEATS equal costs', () => {
    const w = watch('bce', 10);
    const plateau = (3 * CLAMPED_LOSS) / 10;
    w.check(0, 0.69);
    for (let i = 1; i < PINNED_REPEATS; i++) w.check(i, plateau);
    const e = thrown(() => w.check(PINNED_REPEATS, plateau));
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e).toBeInstanceOf(TrainingError);
    expect(e.message).toBe(
      `training diverged: the cost is pinned at ${plateau} from iteration 1 to ${PINNED_REPEATS} (it started at 0.69): every output is saturated at 0 or 1, 3 of 10 samples certain of the wrong class, and every gradient is 0. Try a smaller learning rate (it is 5).`,
    );
  });

  it('an equal cost that is not made of clamped losses (a run that stopped learning) is not diverged', () => {
    const w = watch('bce', 10);
    for (let i = 0; i < 100; i++) w.check(i, 0.3);
    w.finish();
  });

  it('a cost above RISE times its start for RISE_EPOCHS steps is diverged; one that comes back is not', () => {
    const w = watch('mse');
    w.check(0, 1);
    for (let i = 1; i < RISE_EPOCHS; i++) w.check(i, RISE * 1.5 + i);
    const e = thrown(() => w.check(RISE_EPOCHS, 100));
    expect(e.message).toMatch(/^training diverged: the cost rose from 1 at iteration 0 to 100 at iteration 25 \(over 10 times its start\) and has stayed there for 25 iterations\. Try a smaller learning rate \(it is 5\)\.$/);

    const back = watch('mse');
    back.check(0, 1);
    for (let i = 1; i < 200; i++) back.check(i, i % RISE_EPOCHS === 0 ? 0.5 : 50);
    back.check(200, 0.4);
    back.finish();
  });

  it('a run that ends far above its start is diverged at the end', () => {
    const w = watch('mse');
    w.check(0, 2);
    w.check(1, 300);
    expect(thrown(() => w.finish()).message).toMatch(/rose from 2 at iteration 0 to 300 at iteration 1 .* was still there when training ended/);
  });

  it('cross-entropy compares with the cost of guessing when the start is lower (a resumed, trained model)', () => {
    const w = watch('bce');
    w.check(0, 0.01);
    for (let i = 1; i < 100; i++) w.check(i, 0.5);
    w.finish();
  });

  it('a start of 0 leaves nothing to compare with', () => {
    const w = watch('mse');
    w.check(0, 0);
    for (let i = 1; i < 100; i++) w.check(i, 1e-3);
    w.finish();
  });
});

describe('training runs', () => {
  it('planar at --lr 1e9 stops with a DivergenceError instead of "succeeding" on the plateau', () => {
    const { X, Y } = planarDataset();
    const net = new Network({ layerDims: [2, 4, 1], hidden: 'tanh', init: 'small', seed: 2 });
    const e = thrown(() => net.fit(X, Y, { learningRate: 1e9, iterations: 200 }));
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e.message).toMatch(/^training diverged: the cost is pinned at [\d.]+ from iteration 1 to 3 \(it started at 0\.693\d*\): every output is saturated at 0 or 1, \d+ of 400 samples .*Try a smaller learning rate \(it is 1000000000\)\.$/);
  });

  it('the same with mini-batches and Adam (epochs)', () => {
    const { X, Y } = moonsDataset({ seed: 1 });
    const net = new Network({ layerDims: [2, 8, 1] });
    const e = thrown(() => net.fit(X, Y, { learningRate: 1e9, epochs: 200, batchSize: 64, optimizer: 'adam' }));
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e.message).toMatch(/from epoch \d+ to \d+/);
  });

  it('softmax at --lr 1e9 too', () => {
    const data = gaussianDataset({ seed: 1, K: 3, m: 300 });
    const net = new Network({ layerDims: [2, 8, 3], output: 'softmax', cost: 'ce' });
    expect(() => net.fit(data.X, oneHot(data.Y, 3), { learningRate: 1e9, iterations: 100 })).toThrow(DivergenceError);
  });

  it("legitimate runs never trip it: the course's planar network, noisy Adam, momentum with dropout, softmax", () => {
    const planar = planarDataset();
    const shallow = new Network({ layerDims: [2, 4, 1], hidden: 'tanh', init: 'small', seed: 2 });
    const costs = shallow.fit(planar.X, planar.Y, { learningRate: 1.2, iterations: 10000 });
    expect(costs[costs.length - 1]).toBeLessThan(0.25);

    const moons = moonsDataset({ seed: 3, noise: 0.3 });
    const adam = new Network({ layerDims: [2, 16, 8, 1], seed: 3 });
    const loss = adam.fit(moons.X, moons.Y, { learningRate: 0.05, epochs: 300, batchSize: 16, optimizer: 'adam' });
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]!);

    const dropout = new Network({ layerDims: [2, 32, 1], seed: 4 });
    dropout.fit(moons.X, moons.Y, { learningRate: 0.5, epochs: 300, batchSize: 8, optimizer: 'momentum', keepProb: 0.6 });

    const blobs = gaussianDataset({ seed: 2, K: 3, m: 300 });
    const softmax = new Network({ layerDims: [2, 10, 3], output: 'softmax', cost: 'ce' });
    softmax.fit(blobs.X, oneHot(blobs.Y, 3), { learningRate: 2, iterations: 2000 });
  });
});
