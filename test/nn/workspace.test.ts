import { afterAll, describe, expect, it, vi } from 'vitest';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { withBackend } from '../../src/backend/select.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { Matrix } from '../../src/matrix.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { lModelForward } from '../../src/nn/model.js';
import { gradientDescent } from '../../src/nn/train.js';
import { trainLoop } from '../../src/nn/trainLoop.js';
import { outputMatrix, Workspace } from '../../src/nn/workspace.js';
import { NumpyRandom } from '../../src/random.js';

// The training loops take every per-iteration matrix from a Workspace: after the first iteration
// nothing is allocated, and what callbacks create stays theirs.

const rng = new NumpyRandom(5);
const X = Matrix.fromTypedArray(rng.randn(40, 300), 40, 300);
const Y = Matrix.zeros(1, 300);
for (let j = 0; j < 300; j++) Y.data[j] = X.data[j]! - X.data[300 + j]! > 0 ? 1 : 0;
const layerDims = [40, 16, 4, 1];

const wasm = new WasmBackend({ threads: 2 });
afterAll(() => wasm.dispose());

describe('Workspace', () => {
  it('hands out the same matrices in the same order every iteration, two shapes per slot', () => {
    const ws = new Workspace(new ReferenceBackend());
    const first = ws.run(() => [outputMatrix(2, 3, 'float64'), outputMatrix(4, 1, 'float32')]);
    ws.nextIteration();
    const second = ws.run(() => [outputMatrix(2, 3, 'float64'), outputMatrix(4, 1, 'float32')]);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[1]!.dtype).toBe('float32');
    // A smaller last mini-batch: slot 0 gets a second shape, and both stay.
    ws.nextIteration();
    const small = ws.run(() => outputMatrix(2, 1, 'float64'));
    expect(small).not.toBe(first[0]);
    ws.nextIteration();
    expect(ws.run(() => outputMatrix(2, 3, 'float64'))).toBe(first[0]);
    ws.nextIteration();
    expect(ws.run(() => outputMatrix(2, 1, 'float64'))).toBe(small);
  });

  it('is used only inside run(); outside, every call gets a new zeroed matrix', () => {
    const ws = new Workspace(new ReferenceBackend());
    ws.run(() => outputMatrix(2, 2, 'float64')).data.fill(7);
    const a = outputMatrix(2, 2, 'float64');
    const b = outputMatrix(2, 2, 'float64');
    expect(a).not.toBe(b);
    expect(Array.from(a.data)).toEqual([0, 0, 0, 0]);
    ws.dispose();
    // A disposed workspace hands out nothing more.
    expect(ws.run(() => outputMatrix(2, 2, 'float64')).data[0]).toBe(0);
  });

  it('gives its wasm matrices back on dispose(), and evicts the oldest of three shapes', () => {
    const b = new WasmBackend({ threads: 1 });
    const before = b.heap.allocatedBytes;
    const ws = new Workspace(b);
    const shapes: [number, number][] = [[3, 5], [3, 4], [3, 3]];
    const got = shapes.map(([r, c]) => {
      ws.nextIteration();
      return ws.run(() => outputMatrix(r, c, 'float64'));
    });
    // One slot, three shapes in turn: the first was given back to make room for the third.
    expect(got.map((M) => b.isResident(M))).toEqual([false, true, true]);
    ws.dispose();
    expect(b.heap.allocatedBytes).toBe(before);
    b.dispose();
  });
});

describe('training loops allocate nothing after their first iteration', () => {
  it('gradientDescent: 3 and 40 iterations allocate the same matrices, and the heap is as before', () => {
    // A first run leaves the backend's own blocks (staging, the threads' control block) in place.
    withBackend(wasm, () => gradientDescent(X, Y, initializeParametersDeep(layerDims, { seed: 2 }), { iterations: 1 }));
    const counts = [3, 40].map((iterations) => {
      const before = wasm.heap.allocatedBytes;
      const allocate = vi.spyOn(wasm, 'allocate');
      const release = vi.spyOn(wasm, 'release');
      withBackend(wasm, () => gradientDescent(X, Y, initializeParametersDeep(layerDims, { seed: 2 }), { iterations, learningRate: 0.05 }));
      const n = [allocate.mock.calls.length, release.mock.calls.length];
      allocate.mockRestore();
      release.mockRestore();
      expect(wasm.heap.allocatedBytes).toBe(before);
      return n;
    });
    // X, Y, 6 parameters, then one iteration's 7 forward and 11 backward matrices; all given back.
    expect(counts[0]).toEqual([8 + 18, 8 + 18]);
    expect(counts[1]).toEqual(counts[0]);
  });

  it('gives the costs of the reference backend (which reuses plain matrices) to 1e-12', () => {
    const run = (backend: WasmBackend | ReferenceBackend) =>
      withBackend(backend, () => gradientDescent(X, Y, initializeParametersDeep(layerDims, { seed: 2 }), { iterations: 30, learningRate: 0.05 }));
    const want = run(new ReferenceBackend());
    const got = run(wasm);
    got.forEach((J, i) => expect(Math.abs(J - want[i]!) / want[i]!, `iteration ${i}`).toBeLessThanOrEqual(1e-12));
  });

  it('what a callback computes is its own: the next iteration does not overwrite it', () => {
    const kept: { AL: Matrix; copy: number[] }[] = [];
    const parameters = initializeParametersDeep(layerDims, { seed: 2 });
    withBackend(wasm, () =>
      trainLoop(X, Y, parameters, {
        epochs: 5,
        learningRate: 0.05,
        onIteration: () => {
          const [AL] = lModelForward(X, parameters);
          kept.push({ AL, copy: Array.from(AL.data) });
        },
      }),
    );
    expect(kept).toHaveLength(5);
    expect(kept[4]!.copy).not.toEqual(kept[0]!.copy);
    for (const { AL, copy } of kept) expect(Array.from(AL.data)).toEqual(copy);
  });
});
