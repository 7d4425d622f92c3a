import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBackend } from '../../src/backend/select.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { loadCat } from '../../src/data/cat.js';
import type { Dataset } from '../../src/data/dataset.js';
import { accuracy, predict } from '../../src/nn/model.js';
import { lLayerModel } from '../../src/nn/train.js';

// The course's cat run [12288, 20, 7, 5, 1] on the wasm backend: numpy's costs in float64, the
// course's accuracies in float32, and the same bits whatever the thread count.
const DIMS = [12288, 20, 7, 5, 1];
const NUMPY_COSTS: Record<number, number> = { 0: 0.7717493284237688, 100: 0.6720534400822913, 200: 0.6482632048575212 };

let data: Record<'float32' | 'float64', { train: Dataset; test: Dataset }>;
const backends = new Map<number, WasmBackend>();
const wasm = (threads: number) => backends.get(threads) ?? backends.set(threads, new WasmBackend({ threads })).get(threads)!;

beforeAll(async () => {
  data = { float64: await loadCat('float64'), float32: await loadCat('float32') };
  // Workers start in the background; wait for them so the thread counts are real.
  await Promise.all([1, 2, 4].map((threads) => wasm(threads).ready()));
});
afterAll(() => {
  for (const b of backends.values()) b.dispose();
});

describe('the cat run on the wasm backend', () => {
  it('float64: costs at iterations 0, 100 and 200 equal numpy to 1e-9', () => {
    const { train } = data.float64;
    const { allCosts } = withBackend(wasm(2), () => lLayerModel(train.X, train.Y, DIMS, { numIterations: 201 }));
    for (const [i, want] of Object.entries(NUMPY_COSTS)) expect(Math.abs(allCosts[Number(i)]! - want)).toBeLessThan(1e-9);
  });

  it('1, 2 and 4 threads give bit-identical cost histories (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { train } = data[dtype];
      const histories = [1, 2, 4].map(
        (threads) => withBackend(wasm(threads), () => lLayerModel(train.X, train.Y, DIMS, { numIterations: 25 })).allCosts,
      );
      expect(histories[1]).toEqual(histories[0]);
      expect(histories[2]).toEqual(histories[0]);
    }
  });

  it('the heap has a bound: training again does not grow it, and a run gives back all it allocated', () => {
    const { train } = data.float32;
    const b = new WasmBackend({ threads: 2 });
    const staged = () => b.heap.allocatedBytes;
    withBackend(b, () => lLayerModel(train.X, train.Y, DIMS, { numIterations: 3, gram: 'on' }));
    const size = b.heap.memory.buffer.byteLength;
    const left = staged();
    withBackend(b, () => lLayerModel(train.X, train.Y, DIMS, { numIterations: 30, gram: 'on' }));
    expect(b.heap.memory.buffer.byteLength).toBe(size);
    // What stays allocated between runs is the staging block and the threads' control block.
    expect(staged()).toBe(left);
    // The staging block is the largest call's: about 1.2 MB (Xᵀ·X packed all of Xᵀ, 10 MB in
    // float32, before it read Xᵀ where X lies).
    expect(left).toBeLessThan(2 << 20);
    // X (12288 x 209 float32 = 10 MB) is the largest resident block; all of it fits in 16 MB (13.4).
    expect(size).toBeLessThan(16 << 20);
    b.dispose();
  });

  it('float32: the whole 2500-iteration run reaches train accuracy 0.9856 and test 0.80', () => {
    const { train, test } = data.float32;
    const b = wasm(2);
    const { parameters, allCosts } = withBackend(b, () => lLayerModel(train.X, train.Y, DIMS, { numIterations: 2500 }));
    expect(allCosts).toHaveLength(2500);
    const trainAcc = accuracy(withBackend(b, () => predict(train.X, parameters)), train.Y);
    const testAcc = accuracy(withBackend(b, () => predict(test.X, parameters)), test.Y);
    expect(trainAcc).toBeCloseTo(0.9856, 4);
    expect(testAcc).toBeCloseTo(0.8, 4);
  });
});
