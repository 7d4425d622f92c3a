import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { trainLoop } from '../../src/nn/trainLoop.js';
import { earlyStopping } from '../../src/nn/callbacks.js';
import { fx, initialParameters, X, Y } from './trainingFixture.js';

describe('Network.fit with the training options', () => {
  it('runs Adam with mini-batches as the training loop does, and records the history', () => {
    const net = new Network({ layerDims: fx.layerDims }, initialParameters());
    const curve = fx.curves.adam_minibatch64;
    const costs = net.fit(X(), Y(), { optimizer: 'adam', learningRate: 0.005, batchSize: 64, epochs: 100 });
    costs.forEach((c, e) => expect(Math.abs(c - curve.costs[e]) / curve.costs[e]).toBeLessThan(1e-12));
    expect(net.history!.loss).toBe(costs);
    expect(net.history!.epoch).toHaveLength(100);
  });

  it('keeps the course\'s full-batch path and fills history from it', () => {
    const net = new Network({ layerDims: fx.layerDims }, initialParameters());
    const costs = net.fit(X(), Y(), { learningRate: 0.3, iterations: 10 });
    const direct = trainLoop(X(), Y(), initialParameters(), { learningRate: 0.3, iterations: 10 });
    expect(costs).toEqual(direct.loss);
    expect(net.history).toMatchObject({ epoch: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], stoppedEarly: false });
  });

  it('fitAsync awaits callbacks and gives the same costs as fit', async () => {
    const a = new Network({ layerDims: fx.layerDims });
    const b = new Network({ layerDims: fx.layerDims });
    const options = { optimizer: 'momentum' as const, learningRate: 0.05, batchSize: 32, epochs: 5 };
    let awaited = 0;
    const costsAsync = await a.fitAsync(X(), Y(), {
      ...options,
      callbacks: [{ onEpochEnd: () => new Promise<void>((r) => setTimeout(() => (awaited++, r()), 1)) }],
    });
    expect(awaited).toBe(5);
    expect(costsAsync).toEqual(b.fit(X(), Y(), options));
  });

  it('dropout is off at predict time: predictions do not depend on the dropout seed after training', () => {
    const net = new Network({ layerDims: fx.layerDims });
    net.fit(X(), Y(), { learningRate: 0.3, epochs: 50, keepProb: 0.8 });
    const p1 = net.forward(X());
    const p2 = net.forward(X());
    expect([...p1.data]).toEqual([...p2.data]);
    expect(net.evaluate(X(), Y())).toBeGreaterThan(0.6);
  });

  it('early stopping with a validation split through fit', () => {
    const net = new Network({ layerDims: fx.layerDims });
    const stopper = earlyStopping({ monitor: 'valLoss', patience: 3, restoreBest: true });
    net.fit(X(), Y(), { optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 300, validationSplit: 0.3, callbacks: [stopper] });
    const h = net.history!;
    expect(h.stoppedEarly).toBe(true);
    const best = Math.min(...h.valLoss!);
    expect(h.valLoss![stopper.bestEpoch!]).toBe(best);
    expect(h.epoch.length).toBe(stopper.bestEpoch! + 4);
    // restoreBest: the network's validation cost is the best epoch's again.
    expect(net.cost(X().sliceColumns(105, 150), Y().sliceColumns(105, 150))).toBeCloseTo(best, 12);
  });
});

describe('lLayerModel with the second course\'s options', () => {
  it('trains Adam with mini-batches through the training loop, numpy\'s curve to 1e-9', async () => {
    const { lLayerModel } = await import('../../src/nn/train.js');
    const curve = fx.curves.adam_minibatch64;
    // lLayerModel draws its own seed-1 init (within a few ulps of numpy's randn), so the match is to 1e-9, not 1e-12.
    const result = lLayerModel(X(), Y(), fx.layerDims, { numIterations: 100, learningRate: 0.005, optimizer: 'adam', batchSize: 64 });
    expect(result.allCosts).toHaveLength(100);
    result.allCosts.forEach((c, e) => expect(Math.abs(c - curve.costs[e]) / curve.costs[e]).toBeLessThan(1e-9));
    expect(result.costs).toEqual([result.allCosts[0]]);
  });
});

describe('a softmax classifier with the training options', () => {
  it('Adam, mini-batches, dropout, L2 and a validation split: the cost falls and the validation accuracy is reported', () => {
    // Three classes: the sign pattern of (x0, x1) read off X, one-hot Y (3, m).
    const Xs = X();
    const m = Xs.cols;
    const labels = Array.from({ length: m }, (_, j) => (Xs.get(0, j) > 0.5 ? 0 : Xs.get(1, j) > 0 ? 1 : 2));
    const Yh = Matrix.zeros(3, m);
    labels.forEach((c, j) => Yh.set(c, j, 1));
    const net = new Network({ layerDims: [5, 8, 3], output: 'softmax', cost: 'ce' });
    const costs = net.fit(Xs, Yh, { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 150, keepProb: 0.9, lambd: 0.01, validationSplit: 0.2 });
    expect(costs[149]).toBeLessThan(costs[0]! / 2);
    const acc = net.history!.valAccuracy!;
    expect(acc).toHaveLength(150);
    expect(acc[149]).toBeGreaterThan(0.8);
    // valAccuracy compares class indices with the one-hot labels' rows.
    expect(acc[149]).toBe(net.evaluate(Xs.sliceColumns(120, m), Yh.sliceColumns(120, m)));
  });
});
