import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendNames, resolveBackend, withBackend } from '../../src/backend/select.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { type Callback, earlyStopping } from '../../src/nn/callbacks.js';
import { chooseForm, GRAM_MAX_BYTES, type GramPlan } from '../../src/nn/gram.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { Network } from '../../src/nn/network.js';
import { cloneParameters, type Parameters } from '../../src/nn/parameters.js';
import { lLayerModel } from '../../src/nn/train.js';
import { firstLayerForm, trainLoop, trainLoopAsync } from '../../src/nn/trainLoop.js';
import type { TrainingOptions } from '../../src/nn/trainingOptions.js';
import { NumpyRandom } from '../../src/random.js';
import { expectClose, expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

// The first layer in Gram form (W[1] = s·W0 + U·Xᵀ) against the direct form and numpy: the same
// costs and parameters to rounding, whatever the options that keep the form.

/** Both forms from the same start; the worst relative difference of their costs and of every parameter. */
function bothForms(X: Matrix, Y: Matrix, start: Parameters, options: TrainingOptions, model = {}) {
  const pg = cloneParameters(start);
  const pd = cloneParameters(start);
  const gram = trainLoop(X, Y, pg, { ...options, gram: 'on' }, model);
  const direct = trainLoop(X, Y, pd, { ...options, gram: 'off' }, model);
  return { gram, direct, pg, pd };
}

function expectSameRun(r: ReturnType<typeof bothForms>, rtol: number): void {
  expect(r.gram.loss).toHaveLength(r.direct.loss.length);
  r.gram.loss.forEach((J, e) => expectClose(J, r.direct.loss[e]!, rtol, `cost of epoch ${e}`));
  for (const k of Object.keys(r.pd)) {
    const want = r.pd[k]!;
    // Parameters near 0 are compared against the matrix's scale.
    const scale = Array.from(want.data).reduce((a, w) => Math.max(a, Math.abs(w)), 0);
    expectMatrixClose(r.pg[k]!, want.toArray(), rtol, rtol * scale, k);
  }
}

function randn(rows: number, cols: number, seed: number): Matrix {
  const r = new NumpyRandom(seed);
  return new Matrix(rows, cols, Float64Array.from(r.randn(rows, cols)));
}

function labels(m: number, seed: number): Matrix {
  const r = new NumpyRandom(seed);
  return new Matrix(1, m, Float64Array.from(r.rand(1, m), (u) => (u < 0.5 ? 0 : 1)));
}

describe.each(backendNames())('backend %s: the fixtures with n[0] > m in both forms', (backend) => {
  it('mse_mlp (n[0] = 12 > m = 8): the fixture\'s cost curve (1e-9), and the direct form\'s costs and parameters (1e-12)', () => {
    const f = loadFixture('mse_mlp');
    const X = Matrix.from(f.X);
    const Y = Matrix.from(f.Y);
    expect(X.rows).toBeGreaterThan(X.cols);
    const start = Object.fromEntries(Object.entries<number[][]>(f.initialParameters).map(([k, v]) => [k, Matrix.from(v)]));
    const model = { activations: f.activations, cost: 'mse' as const };
    withBackend(backend, () => {
      const r = bothForms(X, Y, start, { learningRate: f.learningRate, iterations: f.training.iterations }, model);
      r.gram.loss.forEach((c, i) => expectClose(c, f.training.costs[i], 1e-9, `cost ${i}`));
      for (const k of Object.keys(f.training.finalParameters)) expectMatrixClose(r.pg[k]!, f.training.finalParameters[k], 1e-9, 1e-12, `final ${k}`);
      expectSameRun(r, 1e-12);
    });
  });
});

describe('the Gram form over random networks (properties)', () => {
  const optionSets = fc.record(
    {
      lambd: fc.constantFrom(0, 0.1, 0.7),
      optimizer: fc.constantFrom('gd' as const, 'momentum' as const),
      batchSize: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
      decayRate: fc.constantFrom(0, 0.3),
      keepProb: fc.constantFrom(1, 0.8),
      learningRate: fc.constantFrom(0.01, 0.05),
    },
    { requiredKeys: ['lambd', 'optimizer', 'learningRate'] },
  );
  const networks = fc.record({
    m: fc.integer({ min: 2, max: 12 }),
    extra: fc.integer({ min: 1, max: 20 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    seed: fc.nat(1000),
  });

  it('L2, momentum, mini-batches, decay and hidden dropout: every epoch\'s cost and the final parameters equal the direct form\'s (1e-10)', () => {
    fc.assert(
      fc.property(networks, optionSets, ({ m, extra, hidden, seed }, options) => {
        const n0 = m + extra;
        const X = randn(n0, m, seed);
        const Y = labels(m, seed + 1);
        const start = initializeParametersDeep([n0, ...hidden, 1], { seed });
        const batchSize = options.batchSize === undefined ? undefined : Math.min(options.batchSize, m);
        const r = bothForms(X, Y, start, { ...options, batchSize, epochs: 12 });
        expectSameRun(r, 1e-10);
      }),
      { numRuns: 60 },
    );
  });

  it('tanh and leaky ReLU hidden layers, a softmax output with CE, and logistic regression (L = 1)', () => {
    const X = randn(30, 9, 3);
    const Y3 = new Matrix(3, 9, Float64Array.from({ length: 27 }, (_, t) => (t % 3 === Math.floor(t / 9) ? 1 : 0)));
    const soft = bothForms(X, Y3, initializeParametersDeep([30, 4, 3], { seed: 2 }), { epochs: 30, learningRate: 0.1 }, { hidden: 'tanh', output: 'softmax', cost: 'ce' });
    expectSameRun(soft, 1e-11);
    const leaky = bothForms(X, labels(9, 4), initializeParametersDeep([30, 5, 1], { seed: 2 }), { epochs: 30, learningRate: 0.1, optimizer: 'momentum', lambd: 0.2 }, { hidden: 'leakyRelu' });
    expectSameRun(leaky, 1e-11);
    const logistic = bothForms(X, labels(9, 4), initializeParametersDeep([30, 1], { seed: 2 }), { epochs: 30, learningRate: 0.1, lambd: 0.5, batchSize: 4 });
    expectSameRun(logistic, 1e-11);
  });
});

describe.each(backendNames())('backend %s: W0 = 0 (the logistic unit\'s zeros init)', (backend) => {
  // X with negative entries and -0: each product 0·x is ±0, and every sum of them from +0 is +0.
  const X = randn(40, 9, 11);
  X.data[3] = -0;
  /** The W·X-shaped products (n[1] x n[0] times X) of a Gram run from `W1`, and its costs. */
  const run = (W1: Matrix) => {
    const b = resolveBackend(backend);
    const products: string[] = [];
    const spy = Object.create(b) as typeof b;
    spy.gemm = (tA, tB, alpha, A, B, beta, C) => {
      if (!tA && !tB && B.rows === X.rows && B.cols === X.cols) products.push(`${A.rows}x${A.cols}`);
      return b.gemm(tA, tB, alpha, A, B, beta, C);
    };
    const p = { ...initializeParametersDeep([40, 3, 1], { seed: 2 }), W1 };
    const h = withBackend(spy, () => trainLoop(X, labels(9, 4), p, { epochs: 5, learningRate: 0.1, gram: 'on' }));
    return { products, loss: h.loss, W1: Array.from(p.W1!.data) };
  };
  it('gemm gives C0 = +0 everywhere, so C0 is filled, not computed: the same costs as the direct form', () => {
    const C0 = Matrix.zeros(3, 9);
    withBackend(backend, () => resolveBackend(backend).gemm(false, false, 1, Matrix.zeros(3, 40), X, 0, C0));
    expect(Array.from(C0.data).every((v) => Object.is(v, 0))).toBe(true);
    const zeros = run(Matrix.zeros(3, 40));
    expect(zeros.products).toEqual([]);
    const direct = trainLoop(X, labels(9, 4), { ...initializeParametersDeep([40, 3, 1], { seed: 2 }), W1: Matrix.zeros(3, 40) }, { epochs: 5, learningRate: 0.1, gram: 'off' });
    zeros.loss.forEach((J, e) => expectClose(J, direct.loss[e]!, 1e-12, `cost of epoch ${e}`));
  });
  it('a W0 of values whose squares are 0 (1e-200) is not zero: C0 is computed', () => {
    const tiny = Matrix.zeros(3, 40);
    tiny.data[7] = 1e-200;
    expect(run(tiny).products).toEqual(['3x40']);
  });
});

describe('the Gram form on the wasm kernels', () => {
  it('K is packed once and read packed by every U·K: the bits of packing it per product (1 and 2 threads, float32 and float64)', async () => {
    // keepPacked a no-op: K packed per product, as any B.
    class PerProduct extends WasmBackend {
      override keepPacked(): void {}
    }
    for (const threads of [1, 2]) {
      const kept = new WasmBackend({ threads });
      const perProduct = new PerProduct({ threads });
      await Promise.all([kept.ready(), perProduct.ready()]);
      for (const dtype of ['float32', 'float64'] as const) {
        // m = 70: U·K (24 x 70 x 70) is large enough for the threads.
        const X = randn(300, 70, 5).astype(dtype);
        const Y = labels(70, 6).astype(dtype);
        const start = initializeParametersDeep([300, 24, 3, 1], { seed: 7, dtype });
        const held: number[] = [];
        const run = (b: WasmBackend) => {
          const p = cloneParameters(start);
          const h = withBackend(b, () => trainLoop(X, Y, p, { epochs: 15, learningRate: 0.05, gram: 'on', onIteration: () => void held.push(b.keptPackedBytes) }));
          return { loss: h.loss, W1: Array.from(p.W1!.data), W3: Array.from(p.W3!.data) };
        };
        const want = run(perProduct);
        held.length = 0;
        const got = run(kept);
        expect(got, `${dtype}, ${threads} threads`).toEqual(want);
        // K's form (70 rows in one k-block, 70 columns in strips of 8 or 4) is held from U·K's second product on, and given back at the end.
        expect(held.slice(2).every((bytes) => bytes >= 256 * 72 * (dtype === 'float32' ? 4 : 8))).toBe(true);
        expect(kept.keptPackedBytes).toBe(0);
      }
      kept.dispose();
      perProduct.dispose();
    }
  });
});

describe('W[1] when something reads it during training', () => {
  const X = randn(40, 10, 7);
  const Y = labels(10, 8);
  const start = () => initializeParametersDeep([40, 6, 3, 1], { seed: 5 });

  it('a callback sees the W[1] of the direct form at that epoch', () => {
    const seen: Record<string, number[][]> = {};
    const reader = (form: string): Callback => ({
      onEpochEnd(epoch, _logs, context) {
        if (epoch === 4) seen[form] = context.parameters.W1!.toArray();
      },
    });
    trainLoop(X, Y, start(), { epochs: 8, learningRate: 0.05, gram: 'on', callbacks: [reader('gram')] });
    trainLoop(X, Y, start(), { epochs: 8, learningRate: 0.05, gram: 'off', callbacks: [reader('direct')] });
    expectMatrixClose(Matrix.from(seen.gram!), seen.direct!, 1e-12, 1e-14, 'W1 at epoch 4');
  });

  it('a callback that writes W[1] mid-run: the run goes on from what it wrote, as the direct form does (gd, and momentum with L2)', () => {
    const halve: Callback = {
      onEpochEnd(epoch, _logs, context) {
        if (epoch === 3) for (const [t, w] of context.parameters.W1!.data.entries()) context.parameters.W1!.data[t] = w * 0.5;
      },
    };
    for (const options of [{ optimizer: 'gd' as const }, { optimizer: 'momentum' as const, lambd: 0.3 }, { optimizer: 'momentum' as const, batchSize: 4 }]) {
      const r = bothForms(X, Y, start(), { ...options, epochs: 10, learningRate: 0.05, callbacks: [halve] });
      expectSameRun(r, 1e-11);
    }
  });

  it("early stopping with restoreBest and validation: the direct form's history and best parameters", () => {
    const options = (): TrainingOptions => ({ epochs: 40, learningRate: 0.5, validationSplit: 0.3, callbacks: [earlyStopping({ monitor: 'valLoss', patience: 2, restoreBest: true })] });
    const Xw = randn(60, 20, 9);
    const Yw = labels(20, 10);
    const r = bothForms(Xw, Yw, initializeParametersDeep([60, 8, 1], { seed: 3 }), options());
    expect(r.gram.epoch).toEqual(r.direct.epoch);
    r.gram.valLoss!.forEach((v, e) => expectClose(v, r.direct.valLoss![e]!, 1e-12, `valLoss ${e}`));
    expectSameRun(r, 1e-12);
  });

  it('fitAsync with an async callback reading the parameters', async () => {
    const read: number[] = [];
    const net = new Network({ layerDims: [40, 6, 3, 1], seed: 5, gram: 'on' });
    await net.fitAsync(X, Y, {
      epochs: 6,
      learningRate: 0.05,
      callbacks: [{ onEpochEnd: async (_e, _l, context) => void read.push(context.parameters.W1!.data[0]!) }],
    });
    const direct = new Network({ layerDims: [40, 6, 3, 1], seed: 5, gram: 'off' });
    const readDirect: number[] = [];
    direct.fit(X, Y, { epochs: 6, learningRate: 0.05, callbacks: [{ onEpochEnd: (_e, _l, context) => void readDirect.push(context.parameters.W1!.data[0]!) }] });
    read.forEach((w, e) => expectClose(w, readDirect[e]!, 1e-12, `W1[0][0] after epoch ${e}`));
    expectMatrixClose(net.parameters.W1!, direct.parameters.W1!.toArray(), 1e-12, 1e-14, 'final W1');
  });

  it("onIteration reading the network's own parameters sees the direct form's W[1] at that iteration", () => {
    const seen: Record<string, number[][][]> = { on: [], off: [] };
    for (const gram of ['on', 'off'] as const) {
      const net = new Network({ layerDims: [40, 6, 3, 1], seed: 5, gram });
      net.fit(X, Y, { iterations: 12, learningRate: 0.05, onIteration: (i) => void (i % 4 === 3 && seen[gram]!.push(net.parameters.W1!.toArray())) });
      // Once training ends W1 is a plain property again, holding the trained values.
      expect(Object.getOwnPropertyDescriptor(net.parameters, 'W1')).toHaveProperty('value', net.parameters.W1);
    }
    expect(seen.on).toHaveLength(3);
    seen.on!.forEach((W1, k) => expectMatrixClose(Matrix.from(W1), seen.off![k]!, 1e-12, 1e-14, `W1 read at iteration ${4 * k + 3}`));
  });

  it('onIteration that writes W[1] (in place, or by assigning a matrix of its shape) goes on from it as the direct form does; another shape is a ShapeError', () => {
    const runs: Record<string, Parameters> = {};
    for (const gram of ['on', 'off'] as const) {
      for (const how of ['in place', 'assigned'] as const) {
        const net = new Network({ layerDims: [40, 6, 3, 1], seed: 5, gram });
        net.fit(X, Y, {
          iterations: 10,
          learningRate: 0.05,
          onIteration: (i) => {
            if (i !== 4) return;
            const W1 = net.parameters.W1!;
            if (how === 'in place') W1.data.forEach((w, t) => (W1.data[t] = w * 0.5));
            else net.parameters.W1 = new Matrix(W1.rows, W1.cols, W1.data.map((w) => w * 0.5));
          },
        });
        runs[`${gram} ${how}`] = net.parameters;
      }
    }
    for (const how of ['in place', 'assigned']) {
      for (const k of Object.keys(runs['off in place']!)) {
        expectMatrixClose(runs[`on ${how}`]![k]!, runs[`off ${how}`]![k]!.toArray(), 1e-12, 1e-14, `${k} (${how})`);
      }
    }
    // Halving W1 changed the run: the written value was used, not lost.
    expect(runs['on in place']!.W1!.toArray()).not.toEqual(new Network({ layerDims: [40, 6, 3, 1], seed: 5 }).parameters.W1!.toArray());
    const net = new Network({ layerDims: [40, 6, 3, 1], seed: 5, gram: 'on' });
    expect(() => net.fit(X, Y, { iterations: 3, learningRate: 0.05, onIteration: () => void (net.parameters.W1 = Matrix.zeros(6, 39)) })).toThrow(
      'fit: W1 is (6, 40) float64 during training; a callback assigned a (6, 39) float64 matrix',
    );
  });

  it('a run that a callback ends with an error leaves the W[1] of its last update in the parameters', () => {
    const boom: Callback = {
      onEpochEnd(epoch) {
        if (epoch === 5) throw new Error('stop here');
      },
    };
    const p = start();
    const pd = start();
    expect(() => trainLoop(X, Y, p, { epochs: 20, learningRate: 0.05, gram: 'on', callbacks: [boom] })).toThrow('stop here');
    expect(() => trainLoop(X, Y, pd, { epochs: 20, learningRate: 0.05, gram: 'off', callbacks: [boom] })).toThrow('stop here');
    expectMatrixClose(p.W1!, pd.W1!.toArray(), 1e-12, 1e-14, 'W1 after epoch 5');
    expect(p.W1!.toArray()).not.toEqual(start().W1!.toArray());
  });
});

describe('choosing the form', () => {
  const plan: GramPlan = { n0: 12288, n1: 20, m: 209, dtype: 'float64', optimizer: 'gd', epochs: 2500, batches: 1, lambd: 0, readsEveryEpoch: false };

  it("auto: the cat run in Gram form, saying how much it saves; the direct form where n[0] <= m or it would not save work", () => {
    expect(chooseForm('auto', plan)).toEqual({ gram: true, why: 'first layer in Gram form (K = Xᵀ·X, 209 x 209: 91.0x fewer multiply-adds in layer 1)' });
    expect(chooseForm('auto', { ...plan, n0: 2, m: 400 })).toEqual({ gram: false, why: 'first layer in direct form (n[0] = 2 is not larger than m = 400)' });
    expect(chooseForm('auto', { ...plan, epochs: 1 }).gram).toBe(false);
    expect(chooseForm('auto', { ...plan, epochs: 1 }).why).toBe('first layer in direct form (the Gram form would not save work over 1 epochs)');
    expect(chooseForm('off', plan)).toEqual({ gram: false, why: 'first layer in direct form (gram off)' });
    expect(chooseForm('on', { ...plan, n0: 2, m: 400 }).gram).toBe(true);
  });

  it("'on' where it cannot apply is a ConfigError saying why; auto falls back to the direct form", () => {
    expect(() => chooseForm('on', { ...plan, optimizer: 'adam' })).toThrow(ConfigError);
    expect(() => chooseForm('on', { ...plan, optimizer: 'adam' })).toThrow(
      "fit: gram 'on' cannot apply: the adam update is elementwise in W[1], so W[1] leaves the form s·W0 + U·Xᵀ (gd and momentum keep it)",
    );
    expect(chooseForm('auto', { ...plan, optimizer: 'rmsprop' }).gram).toBe(false);
    const m = Math.ceil(Math.sqrt(GRAM_MAX_BYTES / 8)) + 1;
    expect(() => chooseForm('on', { ...plan, n0: 100000, m }, 'train')).toThrow(`train: gram 'on' cannot apply: K = Xᵀ·X (${m} x ${m}, float64) would take 64 MB, more than the 64 MB allowed`);
    expect(chooseForm('auto', { ...plan, n0: 100000, m, dtype: 'float32' }).gram).toBe(true);
  });

  it('fit, lLayerModel and Network check the option and pass it through', () => {
    const X = randn(30, 5, 1);
    const Y = labels(5, 2);
    expect(() => trainLoop(X, Y, initializeParametersDeep([30, 2, 1]), { gram: 'yes' as never })).toThrow('fit: gram must be one of auto, on, off, got "yes"');
    expect(() => new Network({ layerDims: [30, 2, 1], gram: 'maybe' as never })).toThrow('gram must be one of auto, on, off, got "maybe"');
    expect(() => lLayerModel(X, Y, [30, 2, 1], { numIterations: 3, optimizer: 'adam', gram: 'on' })).toThrow(/lLayerModel: gram 'on' cannot apply: the adam update/);
    expect(firstLayerForm(X, [30, 2, 1], { iterations: 100 }).gram).toBe(true);
    expect(firstLayerForm(X, [30, 2, 1], { iterations: 100, gram: 'off' }).gram).toBe(false);
    const on = lLayerModel(X, Y, [30, 2, 1], { numIterations: 50, gram: 'on' });
    const off = lLayerModel(X, Y, [30, 2, 1], { numIterations: 50, gram: 'off' });
    on.allCosts.forEach((J, i) => expectClose(J, off.allCosts[i]!, 1e-12, `cost ${i}`));
  });
});
