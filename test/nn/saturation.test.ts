import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import { binaryCrossEntropy } from '../../src/nn/costs.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import { gradientDescent } from '../../src/nn/train.js';

// A one-unit sigmoid layer with W = [[1]], b = 0: Z = X, so X sets z directly.
function saturated(zs: number[], ys: number[]) {
  const X = Matrix.from([zs]);
  const Y = Matrix.from([ys]);
  const parameters = { W1: Matrix.from([[1]]), b1: Matrix.from([[0]]) };
  const [AL, caches] = lModelForward(X, parameters);
  return { X, Y, AL, caches, parameters };
}

describe('sigmoid saturation never turns the cost or dAL into NaN or Infinity', () => {
  it('AL is exactly 1 at z = 40 and 1000, exactly 0 at z = -1000, tiny at z = -40', () => {
    const { AL } = saturated([40, 1000, -40, -1000], [1, 1, 0, 0]);
    expect(AL.get(0, 0)).toBe(1);
    expect(AL.get(0, 1)).toBe(1);
    expect(AL.get(0, 2)).toBeGreaterThan(0);
    expect(AL.get(0, 3)).toBe(0);
  });

  it.each([
    ['right and confident', [40, 1000, -40, -1000], [1, 1, 0, 0]],
    ['wrong and confident', [40, 1000, -40, -1000], [0, 0, 1, 1]],
  ])('%s: cost, dAL and every gradient are finite', (_, zs, ys) => {
    const { Y, AL, caches } = saturated(zs, ys);
    const J = binaryCrossEntropy.cost(AL, Y);
    expect(Number.isFinite(J)).toBe(true);
    const grads = lModelBackward(AL, Y, caches);
    for (const [name, g] of Object.entries(grads)) {
      for (const v of g.data) expect(Number.isFinite(v), `${name} holds ${v}`).toBe(true);
    }
  });

  it('a right, saturated prediction costs ~0; a wrong one costs about log(2^53) per sample', () => {
    expect(binaryCrossEntropy.cost(Matrix.from([[1, 0]]), Matrix.from([[1, 0]]))).toBeCloseTo(0, 15);
    const wrong = binaryCrossEntropy.cost(Matrix.from([[1, 0]]), Matrix.from([[0, 1]]));
    expect(wrong).toBeCloseTo(53 * Math.LN2, 12);
  });

  it('inside the finite range the course formula is untouched', () => {
    const AL = Matrix.from([[0.25, 0.9]]);
    const Y = Matrix.from([[1, 0]]);
    expect(binaryCrossEntropy.cost(AL, Y)).toBe(-(1 / 2) * (Math.log(0.25) + Math.log(1 - 0.9)));
    expect(Array.from(binaryCrossEntropy.dAL(AL, Y).data)).toEqual([-(1 / 0.25 - 0 / 0.75), -(0 / 0.9 - 1 / (1 - 0.9))]);
  });

  it('training through saturated outputs keeps finite costs, and a run stuck on the clamp stops as diverged', () => {
    const { X, Y, parameters } = saturated([40, 1000, -40, -1000], [0, 1, 1, 0]);
    const costs: number[] = [];
    // One step to W = -4 saturates every output, two of them on the wrong side: every gradient is 0 from there.
    expect(() => gradientDescent(X, Y, parameters, { learningRate: 0.5, iterations: 20, onIteration: (_i, J) => void costs.push(J) })).toThrow(
      /^training diverged: the cost is pinned at 18\.36840028483855 from iteration 1 to 3 .* 2 of 4 samples certain of the wrong class/,
    );
    expect(costs).toHaveLength(3);
    for (const c of costs) expect(Number.isFinite(c)).toBe(true);
  });
});
