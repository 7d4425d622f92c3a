import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import { addL2Gradients, computeCostWithRegularization, dropoutBackward, keepProbPerLayer, lModelForwardWithDropout } from '../../src/nn/regularization.js';
import { NumpyRandom } from '../../src/random.js';
import { expectClose, expectMatrixClose } from '../helpers/fixtures.js';
import { fx, initialParameters, X, Y } from './trainingFixture.js';

describe('L2 regularisation matches numpy', () => {
  it('cost = cross-entropy + (1/m)(λ/2) Σ ||W||², and dW += λW/m', () => {
    const parameters = initialParameters();
    const [AL, caches] = lModelForward(X(), parameters);
    expectClose(computeCostWithRegularization(AL, Y(), parameters, fx.l2.lambd), fx.l2.cost, 1e-13, 'L2 cost');
    expect(fx.l2.cost).toBeGreaterThan(fx.l2.crossEntropyCost);
    const grads = addL2Gradients(lModelBackward(AL, Y(), caches), parameters, fx.l2.lambd, 150);
    for (const [k, v] of Object.entries<number[][]>(fx.l2.grads)) expectMatrixClose(grads[k]!, v, 1e-12, 1e-15, k);
  });
});

describe('inverted dropout matches numpy', () => {
  it('masks from RandomState(1), the dropped forward pass, its cost and gradients', () => {
    const parameters = initialParameters();
    const keep = fx.dropout.keepProb as number[];
    const [AL, caches, masks] = lModelForwardWithDropout(X(), parameters, keep, new NumpyRandom(fx.dropout.seed));
    expectMatrixClose(masks[0]!, fx.dropout.D1, 0, 0, 'D1');
    expectMatrixClose(masks[1]!, fx.dropout.D2, 0, 0, 'D2');
    expectMatrixClose(AL, fx.dropout.AL, 1e-13, 1e-16, 'AL');
    const grads = lModelBackward(AL, Y(), caches, { maskDA: dropoutBackward(masks, keep) });
    for (const [k, v] of Object.entries<number[][]>(fx.dropout.grads)) expectMatrixClose(grads[k]!, v, 1e-12, 1e-15, k);
  });

  it('keeps about keep_prob of the units, and scales the kept ones by 1/keep_prob', () => {
    const parameters = initialParameters();
    const [, caches, masks] = lModelForwardWithDropout(X(), parameters, [0.5, 0.5], new NumpyRandom(0));
    const kept = [...masks[0]!.data].filter((d) => d === 1).length / masks[0]!.size;
    expect(kept).toBeGreaterThan(0.4);
    expect(kept).toBeLessThan(0.6);
    // Layer 2's input is layer 1's A * D1 / 0.5.
    const A1 = caches[0]!.activationCache.A;
    const A1dropped = caches[1]!.linearCache.APrev;
    for (let t = 0; t < A1.size; t++) expect(A1dropped.data[t]).toBe((A1.data[t]! * masks[0]!.data[t]!) / 0.5);
  });

  it('keep_prob is one number for every hidden layer or one per hidden layer, each in (0, 1]', () => {
    expect(keepProbPerLayer(0.8, 3)).toEqual([0.8, 0.8]);
    expect(() => keepProbPerLayer([0.8], 3)).toThrow(/lists 1 values but the network has 2 hidden layers/);
    expect(() => keepProbPerLayer([0.8, 0], 3)).toThrow(ConfigError);
  });
});
