import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import type { ActivationName } from '../../src/nn/activations.js';
import type { CostName } from '../../src/nn/costs.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import { gradientCheck } from '../../src/nn/gradcheck.js';
import { NumpyRandom } from '../../src/random.js';

function data(nX: number, nY: number, m: number, cost: CostName, seed: number) {
  const rng = new NumpyRandom(seed);
  const X = Matrix.fromTypedArray(rng.randn(nX, m), nX, m);
  const Y = Matrix.zeros(nY, m);
  for (let t = 0; t < Y.data.length; t++) Y.data[t] = cost === 'bce' ? (rng.nextDouble() > 0.5 ? 1 : 0) : rng.nextGaussian();
  return { X, Y };
}

const hidden: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear'];
const cases: [ActivationName, CostName, ActivationName][] = hidden.flatMap((h) => [
  [h, 'bce', 'sigmoid'] as [ActivationName, CostName, ActivationName],
  [h, 'mse', 'linear'] as [ActivationName, CostName, ActivationName],
  [h, 'mse', 'tanh'] as [ActivationName, CostName, ActivationName],
]);

describe('gradientCheck (two-sided, epsilon 1e-7)', () => {
  it.each(cases)('hidden %s with cost %s and output %s: difference < 2e-7', (h, cost, output) => {
    const { X, Y } = data(4, 2, 6, cost, 11);
    const parameters = initializeParametersDeep([4, 5, 3, 2], { seed: 3 });
    const result = gradientCheck(X, Y, parameters, { hidden: h, output, cost });
    expect(result.count).toBe(5 * 4 + 5 + 3 * 5 + 3 + 2 * 3 + 2);
    expect(result.difference).toBeLessThan(2e-7);
    expect(result.difference).toBeGreaterThan(0);
  });

  it('a backward pass that drops the 1/m fails the check and the worst parameter is named', () => {
    const { X, Y } = data(4, 1, 8, 'bce', 5);
    const parameters = initializeParametersDeep([4, 3, 1], { seed: 2 });
    const wrong = (x: Matrix, y: Matrix, p: typeof parameters) => {
      const [AL, caches] = lModelForward(x, p);
      const grads = lModelBackward(AL, y, caches);
      for (const k of Object.keys(grads)) if (/^d[Wb]/.test(k)) for (let t = 0; t < grads[k]!.data.length; t++) grads[k]!.data[t]! *= x.cols;
      return grads;
    };
    const result = gradientCheck(X, Y, parameters, { backward: wrong });
    expect(result.difference).toBeGreaterThan(0.5);
    expect(result.worst.parameter).toMatch(/^[Wb][12]$/);
    expect(Math.abs(result.worst.analytic / result.worst.numerical)).toBeCloseTo(8, 4);
  });

  it('leaves the parameters exactly as they were', () => {
    const { X, Y } = data(3, 1, 4, 'bce', 1);
    const parameters = initializeParametersDeep([3, 2, 1], { seed: 4 });
    const before = parameters.W1!.data.slice();
    gradientCheck(X, Y, parameters);
    expect(parameters.W1!.data).toEqual(before);
  });
});
