import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { isPlainGradientDescent, resolveTrainingOptions, TRAINING_DEFAULTS, type TrainingOptions } from '../../src/nn/trainingOptions.js';
import { fx, X, Y } from './trainingFixture.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('the training options validator', () => {
  it('fills in the defaults', () => {
    const o = resolveTrainingOptions({}, 150, 3);
    expect(o).toMatchObject({ ...TRAINING_DEFAULTS, batchSize: undefined, callbacks: [] });
    expect(isPlainGradientDescent(o)).toBe(true);
    expect(isPlainGradientDescent(resolveTrainingOptions({ batchSize: 150 }, 150, 3))).toBe(false);
    expect(resolveTrainingOptions({ iterations: 7 }, 150, 3).epochs).toBe(7);
  });

  // Each bad value: a ConfigError naming the option, the value and the valid range.
  const cases: [string, TrainingOptions, RegExp][] = [
    ['an unknown option', { learningrate: 0.1 } as never, /fit: unknown option "learningrate"; known options: learningRate, epochs/],
    ['a learning rate of 0', { learningRate: 0 }, /learningRate must be a finite number > 0, got 0 \(valid range: \(0, Infinity\)\)/],
    ['a negative learning rate', { learningRate: -0.1 }, /learningRate .* got -0.1 \(valid range: \(0, Infinity\)\)/],
    ['an infinite learning rate', { learningRate: Infinity }, /learningRate .* got Infinity/],
    ['beta = 1', { optimizer: 'momentum', beta: 1 }, /beta must be a number in \[0, 1\), got 1 \(valid range: \[0, 1\)\)/],
    ['beta1 < 0', { optimizer: 'adam', beta1: -0.1 }, /beta1 must be a number in \[0, 1\), got -0.1/],
    ['beta2 > 1', { beta2: 1.5 }, /beta2 must be a number in \[0, 1\), got 1.5/],
    ['keepProb = 0', { keepProb: 0 }, /keepProb must be a number in \(0, 1\], got 0 \(valid range: \(0, 1\]\)/],
    ['keepProb > 1 in a list', { keepProb: [0.5, 1.2] }, /keepProb\[1\] must be a number in \(0, 1\], got 1.2/],
    ['a keepProb list of the wrong length', { keepProb: [0.5] }, /keepProb must be a list of 2 values in \(0, 1\], one per hidden layer 1..2/],
    ['a batch size of 0', { batchSize: 0 }, /batchSize must be an integer from 1 to the number of training samples m = 150, got 0 \(valid range: \[1, 150\]\)/],
    ['a batch size larger than m', { batchSize: 151 }, /batchSize .* m = 150, got 151/],
    ['a batch size larger than m after the validation split', { batchSize: 130, validationSplit: 0.2 }, /m = 120, got 130/],
    ['a fractional batch size', { batchSize: 6.5 }, /batchSize .* got 6.5/],
    ['an unknown optimizer', { optimizer: 'sgd' as never }, /optimizer must be one of gd, momentum, rmsprop, adam, got "sgd"/],
    ['negative lambd', { lambd: -1 }, /lambd must be a finite number >= 0, got -1 \(valid range: \[0, Infinity\)\)/],
    ['fractional epochs', { epochs: 2.5 }, /epochs must be a non-negative integer, got 2.5/],
    ['epochs and iterations together', { epochs: 2, iterations: 2 }, /give epochs or iterations.*not both/],
    ['validationSplit = 1', { validationSplit: 1 }, /validationSplit must be a number in \[0, 1\), got 1/],
    ['a decay interval of 0', { decayInterval: 0 }, /decayInterval must be a positive integer, got 0/],
    ['a callback hook that is not a function', { callbacks: [{ onEpochEnd: 3 as never }] }, /callbacks\[0\].onEpochEnd must be a function, got "number"/],
  ];
  for (const [what, options, message] of cases) {
    it(`rejects ${what}`, () => {
      const e = thrown(() => resolveTrainingOptions(options, 150, 3));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(message);
    });
  }

  it('is what Network.fit and fitAsync run first', async () => {
    const net = new Network({ layerDims: fx.layerDims });
    expect(() => net.fit(X(), Y(), { batchSize: 1000 })).toThrow(/fit: batchSize .* m = 150, got 1000/);
    await expect(net.fitAsync(X(), Y(), { beta1: 1 })).rejects.toThrow(/fitAsync: beta1 must be a number in \[0, 1\), got 1/);
    expect(() => new Network({ layerDims: [2, 1] }).fit(Matrix.zeros(2, 3), Matrix.zeros(1, 3), { keepProb: 0.5 })).toThrow(/keepProb must be 1: dropout acts on hidden layers and this network has none, got 0.5/);
  });
});
