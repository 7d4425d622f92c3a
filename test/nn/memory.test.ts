import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { backendDataOptions, checkMemory, estimateTraining, estimateTrainingBytes, evaluationBytes, formatBytes, MAX_ELEMENTS, parameterCount, processMemoryLimit } from '../../src/nn/memory.js';
import { Network } from '../../src/nn/network.js';

describe('the memory of a network and its training, before anything is allocated', () => {
  it('counts parameters, gradients, caches, optimiser state and data from the shapes', () => {
    // [4, 3, 1]: W1 12 + b1 3 + W2 3 + b2 1 = 19 parameters.
    expect(parameterCount([4, 3, 1])).toBe(19);
    const e = estimateTraining([4, 3, 1], 10, 'float64');
    expect(e.parameters).toBe(19 * 8);
    expect(e.gradients).toBe(19 * 8);
    expect(e.optimizer).toBe(0);
    // Z, A, dZ, dA of 3 + 1 units and dA0 (4 rows), over 10 samples.
    expect(e.caches).toBe((4 * 4 + 4) * 10 * 8);
    expect(e.data).toBe((4 + 1) * 10 * 8);
    expect(e.total).toBe(e.parameters + e.gradients + e.caches + e.data);
    // Adam keeps two copies of the parameters; float32 halves everything.
    expect(estimateTraining([4, 3, 1], 10, 'float32', { optimizer: 'adam' }).optimizer).toBe(2 * 19 * 4);
    expect(estimateTrainingBytes([4, 3, 1], 10, 'float32')).toBe(e.total / 2);
    // Mini-batches of 2: caches for two batch shapes, and the shuffled copy of the data.
    const mb = estimateTraining([4, 3, 1], 10, 'float64', { batchSize: 2, includeData: false });
    expect(mb.caches).toBe((4 * 4 + 4) * 2 * 2 * 8);
    expect(mb.data).toBe(0);
  });

  it('counts the Gram form\'s matrices wherever it may run', () => {
    // The cat network on 209 samples: K (209 x 209), W0 (20 x 12288), C0, U and U·K (20 x 209).
    const cat = [12288, 20, 7, 5, 1];
    const gram = (209 * 209 + 20 * 12288 + 3 * 20 * 209) * 8;
    expect(estimateTraining(cat, 209, 'float64').gram).toBe(gram);
    expect(estimateTraining(cat, 209, 'float64', { gram: 'auto' }).total).toBe(estimateTraining(cat, 209, 'float64', { gram: 'off' }).total + gram);
    // Momentum's velocity V (20 x 209) too; Adam leaves the form; n[0] <= m only when asked 'on'.
    expect(estimateTraining(cat, 209, 'float64', { optimizer: 'momentum' }).gram).toBe(gram + 20 * 209 * 8);
    expect(estimateTraining(cat, 209, 'float64', { optimizer: 'adam' }).gram).toBe(0);
    expect(estimateTraining(cat, 209, 'float64', { gram: 'off' }).gram).toBe(0);
    expect(estimateTraining([4, 3, 1], 10, 'float64').gram).toBe(0);
    expect(estimateTraining([4, 3, 1], 10, 'float64', { gram: 'on' }).gram).toBe((100 + 12 + 3 * 30) * 8);
    // K over its 64 MB bound: the form cannot run, so nothing is counted.
    expect(estimateTraining([1e5, 2, 1], 3000, 'float64').gram).toBe(0);
  });

  it('counts every copy of the data a run holds: the caller\'s, the backend\'s, X kept packed', () => {
    // [4, 3, 1] on 10 samples: X (4, 10) and Y (1, 10) are 50 elements.
    const once = estimateTraining([4, 3, 1], 10, 'float64');
    expect(estimateTraining([4, 3, 1], 10, 'float64', { dataCopies: 2 }).data).toBe(2 * 50 * 8);
    // X kept packed: two forms of X (W1·X and dZ1·Xᵀ), at most the backend's bound.
    expect(estimateTraining([4, 3, 1], 10, 'float64', { dataCopies: 2, keptPackedMaxBytes: 1 << 26 }).data).toBe(2 * 50 * 8 + 2 * 40 * 8);
    expect(estimateTraining([4, 3, 1], 10, 'float64', { keptPackedMaxBytes: 100 }).data).toBe(50 * 8 + 100);
    // Mini-batches add one shuffled copy; no data counted, none of it.
    expect(estimateTraining([4, 3, 1], 10, 'float64', { dataCopies: 2, batchSize: 2 }).data).toBe(3 * 50 * 8);
    expect(estimateTraining([4, 3, 1], 10, 'float64', { includeData: false, keptPackedMaxBytes: 1 << 26, batchSize: 2 }).data).toBe(0);
    expect(estimateTraining([4, 3, 1], 10, 'float64', { otherBytes: 1000 }).total).toBe(once.total + 1000);

    // A backend computing in its own memory (wasm) holds a copy of the data beside the caller's,
    // and up to 64 MB of X packed; the reference backend computes in the caller's arrays.
    const wasm = new WasmBackend();
    expect(backendDataOptions(wasm, 'backend')).toEqual({ dataCopies: 1, keptPackedMaxBytes: 64 << 20 });
    expect(backendDataOptions(wasm, 'process')).toEqual({ dataCopies: 2, keptPackedMaxBytes: 64 << 20 });
    expect(backendDataOptions(new ReferenceBackend(), 'backend')).toEqual({ includeData: false });
    expect(backendDataOptions(new ReferenceBackend(), 'process')).toEqual({ dataCopies: 1, keptPackedMaxBytes: undefined });
    // The cat run on wasm, as a whole process: X (12288, 209) twice, Y twice, 41 MB of X packed.
    const cat = estimateTraining([12288, 20, 7, 5, 1], 209, 'float64', backendDataOptions(wasm, 'process'));
    expect(cat.data).toBe(2 * (12288 + 1) * 209 * 8 + 2 * 12288 * 209 * 8);
    // ... and K (209 x 209) kept packed beside the Gram form's matrices, padded to whole k-blocks and strips.
    expect(cat.gram).toBe((209 * 209 + 20 * 12288 + 3 * 20 * 209) * 8 + (209 + 255) * (209 + 7) * 8);
    expect(estimateTraining([12288, 20, 7, 5, 1], 209, 'float64', { ...backendDataOptions(wasm, 'process'), keptPackedMaxBytes: 1000 }).gram).toBe(
      (209 * 209 + 20 * 12288 + 3 * 20 * 209) * 8 + 1000,
    );
    wasm.dispose();

    // A test set of 50 samples: its data (each copy) and a pass's matrices, never Gram or packed forms.
    const test = evaluationBytes([12288, 20, 7, 5, 1], 50, 'float64', { dataCopies: 2, keptPackedMaxBytes: 64 << 20, gram: 'on' });
    expect(test).toBe(2 * (12288 + 1) * 50 * 8 + (4 * 33 + 12288) * 50 * 8);
  });

  it('formats bytes as a person reads them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(16e9)).toBe('16 GB');
    expect(formatBytes(1.26e13)).toBe('13 TB');
  });

  it('refuses with "needs about X" a network no array can hold, or over a given limit', () => {
    expect(() => checkMemory([2, 1e9, 1], 400, 'float64')).toThrow(ConfigError);
    expect(() => checkMemory([2, 1e9, 1], 400, 'float64')).toThrow(/needs about 13 TB, with a matrix of 400000000000 elements, more than the 4294967295/);
    expect(() => checkMemory([100, 100, 1], 1000, 'float64', { limitBytes: 1e5, what: 'train' })).toThrow(/^train needs about 5 MB of memory, more than the 100 kB available/);
    expect(() => checkMemory([100, 100, 1], 1000, 'float64', { limitBytes: 1e7 })).not.toThrow();
    expect(MAX_ELEMENTS).toBe(2 ** 32 - 1);
  });

  it('a Network larger than the machine is refused before its W are allocated and filled', () => {
    const limit = processMemoryLimit()!;
    expect(limit).toBeGreaterThanOrEqual(process.memoryUsage().rss);
    // Hidden layers of 60000 units: each W (60000 x 60000) is within an array's limit (3.6e9
    // elements, 29 GB), and enough of them exceed the machine's memory, parameters alone.
    const hidden = Math.ceil((1.2 * limit) / (60000 * 60000 * 8));
    const layerDims = [60000, ...Array<number>(hidden).fill(60000), 1];
    expect(() => new Network({ layerDims })).toThrow(ConfigError);
    expect(() => new Network({ layerDims })).toThrow(/^Network \[60000, 60000, .*\] needs about .* of memory, more than the .* available; use smaller layers$/);
  });

  // Z1 (65000, 65000) is within an array's limit; Z, A, dZ, dA of the layer take 135 GB.
  it.skipIf((processMemoryLimit() ?? Infinity) > 1.2e11)('fit checks the whole run against the machine, on a backend with no bound of its own too', () => {
    const net = new Network({ layerDims: [2, 65_000, 1], backend: 'reference' });
    const X = Matrix.zeros(2, 65_000);
    const Y = Matrix.zeros(1, 65_000);
    expect(() => net.fit(X, Y, { iterations: 1 })).toThrow(ConfigError);
    expect(() => net.fit(X, Y, { iterations: 1 })).toThrow(/^training \[2, 65000, 1\] on m = 65000 needs about 140 GB of memory, more than the .* available/);
    // In mini-batches of 64 it fits.
    expect(() => net.checkTrainingMemory(65_000, { batchSize: 64 })).not.toThrow();
  });

  it('Network and fit check before allocating (a ConfigError, never a RangeError)', () => {
    expect(() => new Network({ layerDims: [2, 3_000_000_000, 1] })).toThrow(/Network \[2, 3000000000, 1\] needs about/);
    const net = new Network({ layerDims: [2, 70_000, 1], backend: 'reference' });
    // Z1 (70000, m = 70000) is 4.9e9 elements.
    const X = Matrix.zeros(2, 70_000);
    const Y = Matrix.zeros(1, 70_000);
    expect(() => net.fit(X, Y, { iterations: 1 })).toThrow(/training \[2, 70000, 1\] on m = 70000 needs about/);
    expect(() => net.checkTrainingMemory(70_000, { batchSize: 64 })).not.toThrow();
  });
});
