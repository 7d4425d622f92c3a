import { describe, expect, it } from 'vitest';
import { withBackend, backendNames } from '../../src/backend/select.js';
import { Matrix } from '../../src/matrix.js';
import type { ActivationName } from '../../src/nn/activations.js';
import { computeCost, type CostName } from '../../src/nn/costs.js';
import { lModelBackward, lModelForward, predict, updateParameters, accuracy } from '../../src/nn/model.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { gradientDescent } from '../../src/nn/train.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

// Every numpy fixture of the course's L-layer network, reproduced on every registered backend.

const NAMES: Record<string, ActivationName> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', leaky_relu: 'leakyRelu', linear: 'linear' };

interface NetFixture {
  name: string;
  cost: CostName;
}
const fixtures: NetFixture[] = [
  { name: 'deep_small', cost: 'bce' },
  { name: 'deep_tanh_leaky', cost: 'bce' },
  { name: 'logistic', cost: 'bce' },
  { name: 'mse_mlp', cost: 'mse' },
];

function params(record: Record<string, number[][]>): Parameters {
  const out: Parameters = {};
  for (const [k, v] of Object.entries(record)) out[k] = Matrix.from(v);
  return out;
}

describe.each(backendNames())('backend %s', (backend) => {
  describe.each(fixtures)('fixture $name', ({ name, cost }) => {
    const f = loadFixture(name);
    const X = Matrix.from(f.X);
    const Y = Matrix.from(f.Y);
    const L = f.layerDims.length - 1;
    const options = { activations: (f.activations as string[]).map((a) => NAMES[a]!), cost, leakySlope: f.leakyReluSlope ?? 0.01 };
    const run = <T>(fn: () => T) => withBackend(backend, fn);

    it('forward pass: Z[l] and A[l] of every layer, AL and the cost (1e-12)', () => {
      run(() => {
        const [AL, caches] = lModelForward(X, params(f.initialParameters), options);
        expect(caches).toHaveLength(L);
        for (let l = 1; l <= L; l++) {
          expectMatrixClose(caches[l - 1]!.activationCache.Z, f.forward[`Z${l}`], 1e-12, 1e-12, `Z${l}`);
          expectMatrixClose(caches[l - 1]!.activationCache.A, f.forward[`A${l}`], 1e-12, 1e-12, `A${l}`);
        }
        expectMatrixClose(AL, f.AL, 1e-12, 1e-12, 'AL');
        expectClose(computeCost(AL, Y, cost), f.cost, 1e-12, 'cost');
      });
    });

    it('backward pass: dAL and every dZ, dW, db, dA (1e-12)', () => {
      run(() => {
        const [AL, caches] = lModelForward(X, params(f.initialParameters), options);
        const grads = lModelBackward(AL, Y, caches, options);
        const names = Object.keys(f.grads);
        expect(names.length).toBeGreaterThanOrEqual(3 * L + 1);
        for (const g of names) expectMatrixClose(grads[g]!, f.grads[g], 1e-12, 1e-12, g);
      });
    });

    it('one update with the fixture learning rate gives the parameters and cost after it', () => {
      run(() => {
        const p0 = params(f.initialParameters);
        const [AL, caches] = lModelForward(X, p0, options);
        const p1 = updateParameters(p0, lModelBackward(AL, Y, caches, options), f.learningRate);
        for (const k of Object.keys(f.afterOneUpdate.parameters)) {
          expectMatrixClose(p1[k]!, f.afterOneUpdate.parameters[k], 1e-12, 1e-12, k);
        }
        // The update returns new matrices; the old parameters are untouched.
        expectMatrixClose(p0.W1!, f.initialParameters.W1, 0, 0, 'W1 before');
        expectClose(computeCost(lModelForward(X, p1, options)[0], Y, cost), f.afterOneUpdate.cost, 1e-12, 'cost after one update');
      });
    });

    it(`training: the cost curve (1e-9) and the final parameters`, () => {
      run(() => {
        const p = params(f.initialParameters);
        const costs = gradientDescent(X, Y, p, { ...options, learningRate: f.learningRate, iterations: f.training.iterations });
        expect(costs).toHaveLength(f.training.costs.length);
        costs.forEach((c, i) => expectClose(c, f.training.costs[i], 1e-9, `cost ${i}`));
        for (const k of Object.keys(f.training.finalParameters)) {
          expectMatrixClose(p[k]!, f.training.finalParameters[k], 1e-9, 1e-12, `final ${k}`);
        }
        expectClose(computeCost(lModelForward(X, p, options)[0], Y, cost), f.training.finalCost, 1e-9, 'final cost');
        if (f.training.predictions) {
          const pred = predict(X, p, options);
          expect(pred.toArray()).toEqual(f.training.predictions);
          expect(accuracy(pred, Y)).toBe(f.training.accuracy);
        }
      });
    });
  });

  it('xor: the fixed-weight 2-2-1 sigmoid network predicts XOR exactly', () => {
    const f = loadFixture('xor');
    withBackend(backend, () => {
      const options = { activations: ['sigmoid', 'sigmoid'] as ActivationName[] };
      const X = Matrix.from(f.X);
      const [A2, caches] = lModelForward(X, params(f.parameters), options);
      expectMatrixClose(caches[0]!.activationCache.Z, f.forward.Z1, 1e-15, 1e-15, 'Z1');
      expectMatrixClose(caches[0]!.activationCache.A, f.forward.A1, 1e-15, 1e-15, 'A1');
      expectMatrixClose(A2, f.A2, 1e-15, 1e-15, 'A2');
      expect(predict(X, params(f.parameters), options).toArray()).toEqual(f.predictions);
      expect(f.predictions).toEqual(f.expectedLabels);
    });
  });
});
