import { describe, expect, it } from 'vitest';
import { loadCat } from '../../src/data/cat.js';
import { planarDataset } from '../../src/data/planar.js';
import { ConfigError } from '../../src/errors.js';
import { Network } from '../../src/nn/network.js';
import { outputForClasses, preset } from '../../src/nn/presets.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

function presetNetwork(name: string, nx: number): { net: Network; learningRate: number; iterations: number } {
  const p = preset(name);
  const net = new Network({ layerDims: [nx, ...p.layers, 1], hidden: p.hidden, output: p.output, cost: p.cost, init: p.init, seed: p.seed });
  return { net, learningRate: p.learningRate, iterations: p.iterations };
}

describe('preset logistic: the course week-2 logistic regression on the cat data', () => {
  // n[0] = 12288 > m = 209: fit runs the Gram form by default; both forms reproduce numpy.
  it.each(['on', 'off'] as const)('reproduces week2_logistic_cat.json with gram %s: costs to 1e-9, accuracies exactly', async (gram) => {
    const fx = loadFixture('week2_logistic_cat');
    const { train, test } = await loadCat();
    const { net, learningRate, iterations } = presetNetwork('logistic', train.X.rows);
    expect(net.layerDims).toEqual([12288, 1]);
    expect([learningRate, iterations]).toEqual([fx.learningRate, fx.iterations]);
    const costs = net.fit(train.X, train.Y, { learningRate, iterations, gram });
    for (const [i, J] of Object.entries(fx.costs as Record<string, number>)) expectClose(costs[Number(i)]!, J, 1e-9, `cost at ${i}`);
    expect(net.evaluate(train.X, train.Y)).toBe(fx.trainAccuracy);
    expect(net.evaluate(test.X, test.Y)).toBe(fx.testAccuracy);
    expectClose(net.parameters.b1!.data[0]!, fx.finalB, 1e-9, 'b');
    const W = net.parameters.W1!.data;
    expectMatrixClose(net.parameters.W1!.sliceColumns(0, 5), [fx.finalWFirst5], 1e-9, 1e-12, 'w[:5]');
    expectClose(Array.from(W).reduce((a, b) => a + b, 0), fx.finalWSum, 1e-9, 'sum(w)');
  });
});

describe('preset shallow: the course week-3 tanh network on the planar flower', () => {
  it('reproduces week3_planar_shallow.json through iteration 7000 and ends above 0.90 accuracy', () => {
    const fx = loadFixture('week3_planar_shallow');
    const { X, Y } = planarDataset();
    const { net, learningRate, iterations } = presetNetwork('shallow', 2);
    expect(net.layerDims).toEqual(fx.layerDims);
    expect([learningRate, iterations]).toEqual([fx.learningRate, fx.iterations]);
    for (const k of ['W1', 'b1', 'W2', 'b2']) expect(net.parameters[k]!.toArray(), `initial ${k}`).toEqual(fx.initialParameters[k]);
    const costs = net.fit(X, Y, { learningRate, iterations });
    // deepnet's backward is the week-4 route (dAL, then dZ = dAL * g'(Z)): the fixture's costsViaDAL.
    // Rounding grows between 7000 and 8000 (the two routes part by 2.5e-4 at 9000), so later
    // iterations are checked for size only.
    for (const [i, J] of Object.entries(fx.costsViaDAL as Record<string, number>)) {
      if (Number(i) <= 7000) expectClose(costs[Number(i)]!, J, 1e-9, `cost at ${i}`);
      else expectClose(costs[Number(i)]!, J, 1e-2, `cost at ${i}`);
    }
    expect(net.evaluate(X, Y)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('presets', () => {
  it('deep is the week-4 L_layer_model', () => {
    expect(preset('deep')).toMatchObject({ layers: [20, 7, 5], hidden: 'relu', init: 'xavier', learningRate: 0.0075, iterations: 2500 });
  });
  it('a copy is returned, unknown names are ConfigErrors', () => {
    preset('shallow').layers.push(9);
    expect(preset('shallow').layers).toEqual([4]);
    expect(() => preset('wide')).toThrow(ConfigError);
    expect(() => preset('wide')).toThrow(/choose one of logistic, shallow, deep/);
  });
  it('two classes get sigmoid + BCE, more get softmax + CE', () => {
    expect(outputForClasses(2)).toEqual({ units: 1, output: 'sigmoid', cost: 'bce' });
    expect(outputForClasses(10)).toEqual({ units: 10, output: 'softmax', cost: 'ce' });
    expect(() => outputForClasses(1)).toThrow(/at least 2 classes/);
  });
});
