import { beforeAll, describe, expect, it } from 'vitest';
import { backendNames, withBackend } from '../../src/backend/select.js';
import { loadCat } from '../../src/data/cat.js';
import type { Dataset } from '../../src/data/dataset.js';
import { Network } from '../../src/nn/network.js';
import { lLayerModel, twoLayerModel } from '../../src/nn/train.js';
import { expectClose, expectMatrixClose } from '../helpers/fixtures.js';

// The course's week-4 experiment on its cat/non-cat data, against numpy's numbers.
const NUMPY = {
  deep: { 0: 0.7717493284237688, 100: 0.6720534400822913, 200: 0.6482632048575212, 2400: 0.09287821526472397 },
  trainAccuracy: 0.9856459330143541,
  testAccuracy: 0.8,
  twoLayer: { 0: 0.693049735659989, 100: 0.6464320953428849 },
};

// The whole 2500-iteration run takes seconds on the fast kernels and runs every time; `npm run
// test:course` runs it on the reference kernels too (six minutes).
const fullRunBackends = ['auto', ...(process.env.DEEPNET_COURSE === '1' ? ['reference'] : [])];

let train: Dataset;
let test: Dataset;
beforeAll(async () => {
  ({ train, test } = await loadCat());
});

// The whole run in the direct form on the fast kernels, once: the full-run test and the Gram form's both compare with it.
let direct: ReturnType<typeof lLayerModel> | undefined;
const directRun = () =>
  (direct ??= withBackend('auto', () => lLayerModel(train.X, train.Y, [12288, 20, 7, 5, 1], { learningRate: 0.0075, numIterations: 2500, gram: 'off' })));

describe('the cat data', () => {
  it("is the course's X = x.reshape(m, -1).T / 255 and Y (1, m)", () => {
    expect(train.X.shape).toEqual([12288, 209]);
    expect(train.Y.shape).toEqual([1, 209]);
    expect(test.X.shape).toEqual([12288, 50]);
    expect(train.classes).toEqual(['non-cat', 'cat']);
    // train_set_x[0, 0, 0, :] = (17, 31, 56): features 0..2 of sample 0.
    expect([train.X.get(0, 0), train.X.get(1, 0), train.X.get(2, 0)]).toEqual([17 / 255, 31 / 255, 56 / 255]);
    expect(Array.from(train.Y.data.slice(0, 3))).toEqual([0, 0, 1]);
    expect(Array.from(train.Y.data).reduce((a, b) => a + b, 0)).toBe(72);
  });
});

describe.each(backendNames())('backend %s: the course L-layer model [12288, 20, 7, 5, 1]', (backend) => {
  it('costs at iterations 0, 100 and 200 equal numpy to 1e-9', () => {
    const net = new Network({ layerDims: [12288, 20, 7, 5, 1], backend });
    const costs = net.fit(train.X, train.Y, { learningRate: 0.0075, iterations: 201 });
    for (const i of [0, 100, 200] as const) expectClose(costs[i]!, NUMPY.deep[i], 1e-9, `cost at ${i}`);
  });
});

describe('the course models', () => {
  it('twoLayerModel [12288, 7, 1] (x0.01 init, seed 1): costs at 0 and 100', () => {
    const { allCosts, costs } = twoLayerModel(train.X, train.Y, [12288, 7, 1], { learningRate: 0.0075, numIterations: 101 });
    expectClose(allCosts[0]!, NUMPY.twoLayer[0], 1e-9, 'cost at 0');
    expectClose(allCosts[100]!, NUMPY.twoLayer[100], 1e-9, 'cost at 100');
    expect(costs).toEqual([allCosts[0], allCosts[100]]);
  });

  it.each(fullRunBackends)('lLayerModel on %s kernels: the whole 2500-iteration run, its accuracies 0.9856 and 0.8', (backend) => {
    const { parameters, costs, allCosts } = backend === 'auto' ? directRun() : withBackend(backend, () =>
      lLayerModel(train.X, train.Y, [12288, 20, 7, 5, 1], { learningRate: 0.0075, numIterations: 2500 }),
    );
    expect(costs).toHaveLength(25);
    expectClose(allCosts[2400]!, NUMPY.deep[2400], 1e-9, 'cost at 2400');
    const net = new Network({ layerDims: [12288, 20, 7, 5, 1] }, parameters);
    expect(net.evaluate(train.X, train.Y)).toBe(NUMPY.trainAccuracy);
    expect(net.evaluate(test.X, test.Y)).toBe(NUMPY.testAccuracy);
  });
});

describe('the first layer in Gram form on the cat run', () => {
  it('float64: every cost of the 2500 iterations equals the direct form\'s to 1e-12 relative, and the final W1 to 1e-12', () => {
    const gram = withBackend('auto', () => lLayerModel(train.X, train.Y, [12288, 20, 7, 5, 1], { learningRate: 0.0075, numIterations: 2500, gram: 'on' }));
    const direct = directRun();
    expect(gram.allCosts).toHaveLength(2500);
    let worst = 0;
    gram.allCosts.forEach((J, i) => (worst = Math.max(worst, Math.abs(J - direct.allCosts[i]!) / direct.allCosts[i]!)));
    expect(worst, 'worst relative difference of the costs').toBeLessThanOrEqual(1e-12);
    const W1 = direct.parameters.W1!;
    const scale = Array.from(W1.data).reduce((a, w) => Math.max(a, Math.abs(w)), 0);
    expectMatrixClose(gram.parameters.W1!, W1.toArray(), 1e-12, 1e-12 * scale, 'final W1');
    for (const k of ['b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4']) expectMatrixClose(gram.parameters[k]!, direct.parameters[k]!.toArray(), 1e-11, 1e-13, k);
  });

  it('float32: the Gram form still ends at the course\'s accuracies 0.9856 and 0.8', async () => {
    const f32 = await loadCat('float32');
    const { parameters } = withBackend('auto', () => lLayerModel(f32.train.X, f32.train.Y, [12288, 20, 7, 5, 1], { learningRate: 0.0075, numIterations: 2500, gram: 'on' }));
    const net = new Network({ layerDims: [12288, 20, 7, 5, 1], dtype: 'float32' }, parameters);
    expect(net.evaluate(f32.train.X, f32.train.Y)).toBe(NUMPY.trainAccuracy);
    expect(net.evaluate(f32.test.X, f32.test.Y)).toBe(NUMPY.testAccuracy);
  });
});
