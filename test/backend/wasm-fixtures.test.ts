import { afterAll, describe, expect, it } from 'vitest';
import { withBackend } from '../../src/backend/select.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { Matrix } from '../../src/matrix.js';
import type { ActivationName } from '../../src/nn/activations.js';
import { computeCost, type CostName } from '../../src/nn/costs.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { gradientDescent } from '../../src/nn/train.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

// The core numpy fixtures on the wasm backend in float64, threads on, whether or not 'wasm' is
// registered (test/nn/fixtures.test.ts runs them on every registered backend).

const NAMES: Record<string, ActivationName> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', leaky_relu: 'leakyRelu', linear: 'linear' };
const FIXTURES: { name: string; cost: CostName }[] = [
  { name: 'deep_small', cost: 'bce' },
  { name: 'deep_tanh_leaky', cost: 'bce' },
  { name: 'logistic', cost: 'bce' },
  { name: 'mse_mlp', cost: 'mse' },
];

const wasm = new WasmBackend({ threads: 2 });
afterAll(() => wasm.dispose());

function params(record: Record<string, number[][]>): Parameters {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Matrix.from(v)]));
}

describe.each(FIXTURES)('wasm float64: fixture $name', ({ name, cost }) => {
  const f = loadFixture(name);
  const X = Matrix.from(f.X);
  const Y = Matrix.from(f.Y);
  const L = f.layerDims.length - 1;
  const options = { activations: (f.activations as string[]).map((a) => NAMES[a]!), cost, leakySlope: f.leakyReluSlope ?? 0.01 };

  it('forward and backward pass (1e-12)', () => {
    withBackend(wasm, () => {
      const [AL, caches] = lModelForward(X, params(f.initialParameters), options);
      for (let l = 1; l <= L; l++) {
        expectMatrixClose(caches[l - 1]!.activationCache.Z, f.forward[`Z${l}`], 1e-12, 1e-12, `Z${l}`);
        expectMatrixClose(caches[l - 1]!.activationCache.A, f.forward[`A${l}`], 1e-12, 1e-12, `A${l}`);
      }
      expectClose(computeCost(AL, Y, cost), f.cost, 1e-12, 'cost');
      const grads = lModelBackward(AL, Y, caches, options);
      for (const g of Object.keys(f.grads)) expectMatrixClose(grads[g]!, f.grads[g], 1e-12, 1e-12, g);
    });
  });

  it('training: the cost curve (1e-9) and the final parameters', () => {
    withBackend(wasm, () => {
      const p = params(f.initialParameters);
      const costs = gradientDescent(X, Y, p, { ...options, learningRate: f.learningRate, iterations: f.training.iterations });
      expect(costs).toHaveLength(f.training.costs.length);
      costs.forEach((c, i) => expectClose(c, f.training.costs[i], 1e-9, `cost ${i}`));
      for (const k of Object.keys(f.training.finalParameters)) {
        expectMatrixClose(p[k]!, f.training.finalParameters[k], 1e-9, 1e-12, `final ${k}`);
      }
    });
  });
});
