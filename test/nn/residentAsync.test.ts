import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { withBackend } from '../../src/backend/select.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { Matrix } from '../../src/matrix.js';
import type { Callback } from '../../src/nn/callbacks.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { type Parameters } from '../../src/nn/parameters.js';
import { trainLoop, trainLoopAsync } from '../../src/nn/trainLoop.js';
import type { TrainingOptions } from '../../src/nn/trainingOptions.js';
import { NumpyRandom } from '../../src/random.js';

// trainLoopAsync keeps X, Y and the parameters in the wasm backend's memory for the whole run, as
// the synchronous loop does: same bits, no copy of X per product. 64 x 600 inputs and 32 first-layer
// units make W1·X 1.2 M multiply-adds, enough to be split across threads.

const rng = new NumpyRandom(3);
const X = Matrix.fromTypedArray(rng.randn(64, 600), 64, 600);
const Y = Matrix.zeros(1, 600);
for (let j = 0; j < 600; j++) Y.data[j] = X.data[j]! + X.data[600 + j]! > 0 ? 1 : 0;
const layerDims = [64, 32, 8, 1];
const initial = (): Parameters => initializeParametersDeep(layerDims, { seed: 1 });
const options: TrainingOptions = { learningRate: 0.01, epochs: 12, optimizer: 'adam' };

const wasm = new WasmBackend({ threads: 2 });
beforeAll(() => wasm.ready());
afterAll(() => wasm.dispose());

/** An async callback (as the playground's) that records whether the live parameters are in wasm memory. */
function watcher(seen: boolean[]): Callback {
  return {
    onEpochEnd: async (_epoch, _logs, context) => {
      seen.push(wasm.isResident(context.parameters.W1!) && wasm.isResident(context.parameters.b3!));
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

describe('trainLoopAsync holds its data in wasm memory', () => {
  it('gives the synchronous loop\'s costs bit for bit, and the reference\'s to 1e-12, with X, Y and the parameters resident', async () => {
    const syncParameters = initial();
    const syncLoss = withBackend(wasm, () => trainLoop(X, Y, syncParameters, options)).loss;

    const before = wasm.heap.allocatedBytes;
    const allocate = vi.spyOn(wasm, 'allocate');
    const release = vi.spyOn(wasm, 'release');
    const seen: boolean[] = [];
    const asyncParameters = initial();
    const originals = { ...asyncParameters };
    const history = await trainLoopAsync(X, Y, asyncParameters, { ...options, callbacks: [watcher(seen)] }, {}, 'fitAsync', (fn) => withBackend(wasm, fn));
    const allocated = allocate.mock.calls.map(([rows, cols]) => `${rows}x${cols}`);
    const released = release.mock.calls.length;
    allocate.mockRestore();
    release.mockRestore();

    expect(history.loss).toHaveLength(12);
    expect(history.loss).toEqual(syncLoss);
    for (const k of Object.keys(syncParameters)) expect([...asyncParameters[k]!.data], k).toEqual([...syncParameters[k]!.data]);
    // X, Y and the 6 parameters were allocated once each, live in wasm memory at every epoch's end,
    // given back after: the caller's matrices hold the trained values, and the heap is as before.
    // The rest are the first step's Z, A, dZ, dW, ... (7 forward, 11 backward), reused by the others.
    expect(allocated.slice(0, 8)).toEqual(['64x600', '1x600', '32x64', '32x1', '8x32', '8x1', '1x8', '1x1']);
    expect(allocated).toHaveLength(8 + 18);
    expect(released).toBe(allocated.length);
    expect(seen).toEqual(Array(12).fill(true));
    for (const k of Object.keys(originals)) {
      expect(asyncParameters[k]).toBe(originals[k]);
      expect(wasm.isResident(asyncParameters[k]!)).toBe(false);
    }
    expect(wasm.heap.allocatedBytes).toBe(before);

    const refParameters = initial();
    const refLoss = (await trainLoopAsync(X, Y, refParameters, options, {}, 'fitAsync', (fn) => withBackend(new ReferenceBackend(), fn))).loss;
    refLoss.forEach((c, e) => expect(Math.abs(history.loss[e]! - c) / c, `epoch ${e}`).toBeLessThanOrEqual(1e-12));
  });

  it('gives the same bits as a run that copies every operand (a plain memory, one thread)', async () => {
    const plain = new WasmBackend({ sharedMemory: false });
    const a = initial();
    const b = initial();
    const copied = await trainLoopAsync(X, Y, a, options, {}, 'fitAsync', (fn) => withBackend(plain, fn));
    const resident = await trainLoopAsync(X, Y, b, options, {}, 'fitAsync', (fn) => withBackend(wasm, fn));
    expect(resident.loss).toEqual(copied.loss);
    for (const k of Object.keys(a)) expect([...b[k]!.data], k).toEqual([...a[k]!.data]);
    plain.dispose();
  });

  it('reads an X already in wasm memory in place: not copied, unchanged, its packed forms given back, the same bits', () => {
    // gd: the direct form keeps X packed (W1·X and dZ1·Xᵀ read it packed from the second iteration).
    const gd: TrainingOptions = { learningRate: 0.01, epochs: 6 };
    const want = initial();
    const wantLoss = withBackend(wasm, () => trainLoop(X, Y, want, gd)).loss;
    const Xr = wasm.allocate(X.rows, X.cols, 'float64');
    Xr.data.set(X.data);
    const before = wasm.heap.allocatedBytes;
    const allocate = vi.spyOn(wasm, 'allocate');
    const packed: number[] = [];
    const got = initial();
    const loss = withBackend(wasm, () => trainLoop(Xr, Y, got, { ...gd, onIteration: () => void packed.push(wasm.keptPackedBytes) })).loss;
    const allocated = allocate.mock.calls.map(([rows, cols]) => `${rows}x${cols}`);
    allocate.mockRestore();
    expect(loss).toEqual(wantLoss);
    for (const k of Object.keys(want)) expect([...got[k]!.data], k).toEqual([...want[k]!.data]);
    expect(allocated).not.toContain('64x600');
    expect(Math.max(...packed)).toBeGreaterThan(0);
    // X stays the caller's, as it was, resident; nothing of the run is left in the memory.
    expect(wasm.isResident(Xr)).toBe(true);
    expect([...Xr.data]).toEqual([...X.data]);
    expect(wasm.keptPackedBytes).toBe(0);
    expect(wasm.heap.allocatedBytes).toBe(before);
    wasm.release(Xr);
  });

  it('gives the parameters back when a callback throws mid-run', async () => {
    const before = wasm.heap.allocatedBytes;
    const parameters = initial();
    const originals = { ...parameters };
    const failing: Callback = {
      onEpochEnd: async (epoch) => {
        await Promise.resolve();
        if (epoch === 2) throw new Error('stop here');
      },
    };
    await expect(trainLoopAsync(X, Y, parameters, { ...options, callbacks: [failing] }, {}, 'fitAsync', (fn) => withBackend(wasm, fn))).rejects.toThrow('stop here');
    for (const k of Object.keys(originals)) expect(parameters[k]).toBe(originals[k]);
    // Three epochs of training are in the caller's matrices.
    expect([...parameters.W1!.data]).not.toEqual([...initial().W1!.data]);
    expect(wasm.heap.allocatedBytes).toBe(before);
  });
});
