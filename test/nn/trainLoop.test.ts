import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { type Callback, earlyStopping, type EpochLogs } from '../../src/nn/callbacks.js';
import { computeCost } from '../../src/nn/costs.js';
import { accuracy, lModelForward, predict } from '../../src/nn/model.js';
import { cloneParameters } from '../../src/nn/parameters.js';
import { gradientDescent } from '../../src/nn/train.js';
import { trainLoop, trainLoopAsync } from '../../src/nn/trainLoop.js';
import type { TrainingOptions } from '../../src/nn/trainingOptions.js';
import { expectMatrixClose, loadFixture, M } from '../helpers/fixtures.js';
import { fx, initialParameters, X, Y } from './trainingFixture.js';

interface Curve {
  options: Record<string, unknown>;
  costs: number[];
  finalParameters: Record<string, number[][]>;
}

// The script's snake_case options as deepnet's.
function optionsOf(o: Record<string, unknown>): TrainingOptions {
  const names: Record<string, keyof TrainingOptions> = {
    optimizer: 'optimizer',
    learning_rate: 'learningRate',
    batch_size: 'batchSize',
    beta: 'beta',
    beta2: 'beta2',
    lambd: 'lambd',
    keep_prob: 'keepProb',
    decay_rate: 'decayRate',
    decay_interval: 'decayInterval',
    dropout_seed: 'dropoutSeed',
  };
  const out: Record<string, unknown> = { epochs: 100 };
  for (const [k, v] of Object.entries(o)) {
    if (!names[k]) throw new Error(`unmapped option ${k}`);
    out[names[k]] = v;
  }
  return out as TrainingOptions;
}

describe('100-epoch cost curves match numpy', () => {
  for (const [name, curve] of Object.entries<Curve>(fx.curves)) {
    it(name, () => {
      const parameters = initialParameters();
      const history = trainLoop(X(), Y(), parameters, optionsOf(curve.options));
      expect(history.loss).toHaveLength(100);
      history.loss.forEach((c, e) => expect(Math.abs(c - curve.costs[e]!) / curve.costs[e]!, `epoch ${e}: ${c} vs ${curve.costs[e]}`).toBeLessThan(1e-12));
      for (const [k, v] of Object.entries(curve.finalParameters)) expectMatrixClose(parameters[k]!, v, 1e-11, 1e-13, k);
    });
  }
});

describe('the default options in the direct form are the core\'s gradient descent, bit for bit', () => {
  for (const name of ['deep_small', 'deep_tanh_leaky', 'mse_mlp']) {
    it(name, () => {
      const f = loadFixture(name);
      const activations = (f.activations as string[]).map((a) => (a === 'leaky_relu' ? 'leakyRelu' : a)) as never;
      const model = { activations, cost: name === 'mse_mlp' ? ('mse' as const) : ('bce' as const) };
      const p1 = Object.fromEntries(Object.entries<number[][]>(f.initialParameters).map(([k, v]) => [k, M(v)]));
      const p2 = cloneParameters(p1);
      const costs = gradientDescent(M(f.X), M(f.Y), p1, { ...model, learningRate: f.learningRate, iterations: 20 });
      const history = trainLoop(M(f.X), M(f.Y), p2, { learningRate: f.learningRate, iterations: 20, gram: 'off' }, model);
      expect(history.loss).toEqual(costs);
      for (const k of Object.keys(p1)) expect([...p2[k]!.data]).toEqual([...p1[k]!.data]);
    });
  }
});

describe('callbacks', () => {
  it('are called in order with epoch logs, batch logs and the learning rate', () => {
    const events: string[] = [];
    trainLoop(X(), Y(), initialParameters(), {
      epochs: 2,
      batchSize: 64,
      learningRate: 0.1,
      decayRate: 1,
      callbacks: [
        {
          onTrainBegin: () => void events.push('trainBegin'),
          onEpochBegin: (e, logs) => void events.push(`epochBegin ${e} lr ${logs.learningRate}`),
          onBatchEnd: (b, logs) => void events.push(`batch ${b} size ${logs.size}`),
          onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${logs.loss > 0}`),
          onTrainEnd: (logs) => void events.push(`trainEnd ${logs?.learningRate}`),
        },
      ],
    });
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0 lr 0.1',
      'batch 0 size 64',
      'batch 1 size 64',
      'batch 2 size 22',
      'epochEnd 0 true',
      'epochBegin 1 lr 0.05',
      'batch 0 size 64',
      'batch 1 size 64',
      'batch 2 size 22',
      'epochEnd 1 true',
      'trainEnd 0.05',
    ]);
  });

  it('stopTraining() from a callback ends training after that epoch', () => {
    const history = trainLoop(X(), Y(), initialParameters(), {
      epochs: 50,
      learningRate: 0.1,
      callbacks: [{ onEpochEnd: (e, _logs, ctx) => void (e === 4 && ctx.stopTraining()) }],
    });
    expect(history.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(history.stoppedEarly).toBe(true);
  });

  it('stopTraining() from onBatchEnd ends mid-epoch; from onEpochBegin, before the epoch', () => {
    const mid = trainLoop(X(), Y(), initialParameters(), {
      epochs: 5,
      batchSize: 64,
      callbacks: [{ onBatchEnd: (b, logs, ctx) => void (b === 1 && ctx.stopTraining()) }],
    });
    expect(mid.epoch).toEqual([0]);
    expect(Number.isFinite(mid.loss[0])).toBe(true);
    const before = trainLoop(X(), Y(), initialParameters(), {
      epochs: 5,
      callbacks: [{ onEpochBegin: (e, _logs, ctx) => void (e === 2 && ctx.stopTraining()) }],
    });
    expect(before.epoch).toEqual([0, 1]);
    expect(before.stoppedEarly).toBe(true);
  });

  it('async callbacks are awaited by trainLoopAsync, and refused by the synchronous loop', async () => {
    const order: string[] = [];
    const slow = {
      onEpochEnd: async (e: number) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${e}`);
      },
      onEpochBegin: (e: number) => void order.push(`begin ${e}`),
    };
    const history = await trainLoopAsync(X(), Y(), initialParameters(), { epochs: 3, learningRate: 0.1, callbacks: [slow] });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(order).toEqual(['begin 0', 'end 0', 'begin 1', 'end 1', 'begin 2', 'end 2']);
    expect(() => trainLoop(X(), Y(), initialParameters(), { epochs: 3, callbacks: [slow] })).toThrow(/onEpochEnd returned a promise.*use fitAsync/);
  });

  it('validationSplit holds out the last columns and reports valLoss and valAccuracy per epoch', () => {
    const history = trainLoop(X(), Y(), initialParameters(), { epochs: 30, learningRate: 0.3, validationSplit: 0.2 });
    expect(history.valLoss).toHaveLength(30);
    expect(history.valAccuracy).toHaveLength(30);
    expect(history.valLoss![29]).toBeLessThan(history.valLoss![0]!);
    history.valAccuracy!.forEach((a) => expect(a * 30).toBeCloseTo(Math.round(a * 30), 9));
    // Training used 120 samples: the same as training on the first 120 columns alone.
    const alone = trainLoop(X().sliceColumns(0, 120), Y().sliceColumns(0, 120), initialParameters(), { epochs: 30, learningRate: 0.3 });
    expect(history.loss).toEqual(alone.loss);
  });
});

describe('validationData', () => {
  it('reports the cost and accuracy of the given set after each epoch\'s updates', () => {
    const parameters = initialParameters();
    const Xv = X().sliceColumns(0, 30);
    const Yv = Y().sliceColumns(0, 30);
    const history = trainLoop(X(), Y(), parameters, { epochs: 5, learningRate: 0.3, validationData: [Xv, Yv] });
    const [AL] = lModelForward(Xv, parameters);
    expect(history.valLoss![4]).toBe(computeCost(AL, Yv));
    expect(history.valAccuracy![4]).toBe(accuracy(predict(Xv, parameters), Yv));
    expect(() => trainLoop(X(), Y(), initialParameters(), { epochs: 1, validationData: [Xv, Yv], validationSplit: 0.1 })).toThrow(/validationSplit or validationData, not both/);
    expect(() => trainLoop(X(), Y(), initialParameters(), { epochs: 1, validationData: [Xv.T, Yv] })).toThrow(/fit validationData: X \(30, 5\) must have n\[0\] = 5 rows/);
  });
});

describe('earlyStopping', () => {
  function scripted(losses: number[]): Callback[] {
    // Rewrites the monitored value so the test decides when the quantity improves.
    return [{ onEpochEnd: (e: number, logs: EpochLogs) => void (logs.valLoss = losses[e]) }];
  }

  it('stops after `patience` epochs without an improvement larger than minDelta', () => {
    const stopper = earlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 0.01 });
    const history = trainLoop(X(), Y(), initialParameters(), {
      epochs: 20,
      learningRate: 0.1,
      validationSplit: 0.2,
      callbacks: [...scripted([1, 0.9, 0.895, 0.8, 0.795, 0.792, 0.7]), stopper],
    });
    // Improvements at 0, 1, 3; epochs 4 and 5 improve by less than minDelta: stop after epoch 5.
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    expect(stopper.bestEpoch).toBe(3);
    expect(stopper.stoppedEpoch).toBe(5);
  });

  it('restoreBest puts back the parameters of the best epoch', () => {
    const stopper = earlyStopping({ monitor: 'valLoss', patience: 1, restoreBest: true });
    const snapshots: Record<string, Matrix>[] = [];
    const parameters = initialParameters();
    trainLoop(X(), Y(), parameters, {
      epochs: 20,
      learningRate: 0.1,
      validationSplit: 0.2,
      callbacks: [...scripted([1, 0.5, 0.7, 0.8]), { onEpochEnd: (_e, _l, ctx) => void snapshots.push(cloneParameters(ctx.parameters)) }, stopper],
    });
    expect(snapshots).toHaveLength(3);
    expect(stopper.bestEpoch).toBe(1);
    for (const k of Object.keys(parameters)) expect([...parameters[k]!.data]).toEqual([...snapshots[1]![k]!.data]);
  });

  it('says what is missing when it monitors a validation quantity without a validation set', () => {
    expect(() => trainLoop(X(), Y(), initialParameters(), { epochs: 3, callbacks: [earlyStopping()] })).toThrow(ConfigError);
    expect(() => trainLoop(X(), Y(), initialParameters(), { epochs: 3, callbacks: [earlyStopping()] })).toThrow(/monitors valLoss.*validationSplit or validationData/);
  });

  it('monitors the training loss too', () => {
    const history = trainLoop(X(), Y(), initialParameters(), { epochs: 500, learningRate: 0.3, callbacks: [earlyStopping({ monitor: 'loss', minDelta: 1e-3 })] });
    expect(history.epoch.length).toBeLessThan(500);
    const n = history.loss.length;
    expect(history.loss[n - 2]! - history.loss[n - 1]!).toBeLessThanOrEqual(1e-3);
  });
});
