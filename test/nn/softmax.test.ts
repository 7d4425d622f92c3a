import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { computeCost } from '../../src/nn/costs.js';
import { gradientCheck } from '../../src/nn/gradcheck.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { linearActivationForward } from '../../src/nn/layer.js';
import { lModelBackward, lModelForward, predict } from '../../src/nn/model.js';
import { Network } from '../../src/nn/network.js';
import { argmaxColumns, confusionMatrix, softmax, softmaxBackward } from '../../src/nn/softmax.js';
import { NumpyRandom } from '../../src/random.js';

function oneHot(labels: number[], K: number): Matrix {
  const Y = Matrix.zeros(K, labels.length);
  labels.forEach((k, j) => Y.set(k, j, 1));
  return Y;
}

describe('softmax', () => {
  it('columns sum to 1 and match exp(z) / sum exp(z)', () => {
    const Z = Matrix.from([
      [1, -2, 0.5],
      [2, 0, 0.5],
      [3, 1, 0.5],
    ]);
    const A = softmax(Z);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expect(A.get(0, 0)).toBeCloseTo(e[0]! / s, 15);
    expect(A.get(2, 0)).toBeCloseTo(e[2]! / s, 15);
    for (let j = 0; j < 3; j++) expect(A.get(0, j) + A.get(1, j) + A.get(2, j)).toBeCloseTo(1, 15);
    expect(A.get(1, 2)).toBe(1 / 3);
  });

  it('is stable for large z (the column max is subtracted first)', () => {
    const A = softmax(Matrix.from([[1000], [1001], [-1000]]));
    expect(Array.from(A.data).every(Number.isFinite)).toBe(true);
    expect(A.get(1, 0)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(A.get(2, 0)).toBe(0);
    // CE on a probability that rounded to 0 stays finite.
    expect(Number.isFinite(computeCost(A, Matrix.from([[0], [0], [1]]), 'ce'))).toBe(true);
  });

  it('softmaxBackward is the Jacobian-vector product (checked against finite differences)', () => {
    const Z = Matrix.from([[0.3], [-1.2], [0.8], [0.1]]);
    const dA = Matrix.from([[0.5], [-0.25], [2], [1]]);
    const dZ = softmaxBackward(dA, softmax(Z));
    const h = 1e-6;
    for (let i = 0; i < 4; i++) {
      const up = Z.clone();
      const down = Z.clone();
      up.data[i] = up.data[i]! + h;
      down.data[i] = down.data[i]! - h;
      const f = (M: Matrix) => Array.from(softmax(M).data).reduce((acc, a, k) => acc + a * dA.data[k]!, 0);
      expect(dZ.data[i]).toBeCloseTo((f(up) - f(down)) / (2 * h), 8);
    }
    expect(() => softmaxBackward(Matrix.zeros(2, 1), softmax(Z))).toThrow(ShapeError);
  });

  it('with categorical CE the output gradient is dZ = A - Y, and the whole backward passes gradient checking', () => {
    const rng = new NumpyRandom(3);
    const X = Matrix.fromTypedArray(rng.randn(4, 6), 4, 6);
    const Y = oneHot([0, 2, 1, 2, 0, 1], 3);
    const parameters = initializeParametersDeep([4, 5, 3], { seed: 1 });
    const options = { hidden: 'tanh', output: 'softmax', cost: 'ce' } as const;
    const [AL, caches] = lModelForward(X, parameters, options);
    const grads = lModelBackward(AL, Y, caches, options);
    for (let t = 0; t < AL.data.length; t++) expect(grads.dZ2!.data[t]).toBe(AL.data[t]! - Y.data[t]!);
    expect(gradientCheck(X, Y, parameters, options).difference).toBeLessThan(1e-7);
    // The generic route (softmax Jacobian times dAL) gives the same gradients, e.g. with MSE.
    expect(gradientCheck(X, Y, parameters, { ...options, cost: 'mse' }).difference).toBeLessThan(1e-7);
  });

  it('linearActivationForward with softmax normalises columns', () => {
    const [A] = linearActivationForward(Matrix.from([[1], [2]]), Matrix.from([[1, 0], [0, 1], [1, 1]]), Matrix.zeros(3, 1), 'softmax');
    expect(A.get(0, 0) + A.get(1, 0) + A.get(2, 0)).toBeCloseTo(1, 15);
    expect(argmaxColumns(A).get(0, 0)).toBe(2);
  });

  it('predict returns class indices; Network trains a 3-class spiral-like problem', () => {
    const rng = new NumpyRandom(0);
    const m = 60;
    const labels = Array.from({ length: m }, (_, j) => j % 3);
    const noise = rng.randn(2, m);
    const X = Matrix.zeros(2, m);
    labels.forEach((k, j) => {
      X.set(0, j, 2 * Math.cos((2 * Math.PI * k) / 3) + 0.3 * noise[j]!);
      X.set(1, j, 2 * Math.sin((2 * Math.PI * k) / 3) + 0.3 * noise[m + j]!);
    });
    const net = new Network({ layerDims: [2, 8, 3], hidden: 'tanh', output: 'softmax', cost: 'ce' });
    const costs = net.fit(X, oneHot(labels, 3), { learningRate: 0.5, iterations: 300 });
    expect(costs[0]).toBeGreaterThan(0.5);
    expect(costs[costs.length - 1]).toBeLessThan(0.1);
    const p = net.predict(X);
    expect(p.shape).toEqual([1, m]);
    expect(net.evaluate(X, oneHot(labels, 3))).toBe(1);
    expect(predict(X, net.parameters, { hidden: 'tanh', output: 'softmax' }).shape).toEqual([1, m]);
  });

  it('the config rejects softmax in a hidden layer and CE without softmax', () => {
    expect(() => new Network({ layerDims: [2, 3, 3], hidden: 'softmax' as never, output: 'softmax', cost: 'ce' })).toThrow(ConfigError);
    expect(() => new Network({ layerDims: [2, 3, 3], activations: ['softmax', 'softmax'], cost: 'ce' })).toThrow(/only be the output activation/);
    expect(() => new Network({ layerDims: [2, 3, 1], output: 'sigmoid', cost: 'ce' })).toThrow(/needs a softmax output/);
  });
});

describe('confusionMatrix', () => {
  it('counts true class by predicted class', () => {
    expect(confusionMatrix([0, 1, 1, 2, 2, 0], [0, 1, 2, 2, 2, 1], 3)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 2],
    ]);
  });
  it('rejects labels out of range and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/sample 1 has label 1 and prediction 3/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(ShapeError);
  });
});
