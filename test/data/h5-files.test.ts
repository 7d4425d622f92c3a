import h5wasm from 'h5wasm/node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadH5 } from '../../src/data/h5.js';
import { DataError } from '../../src/errors.js';

// HDF5 files written here with h5wasm, in the layouts the loader must accept or refuse.
const dir = mkdtempSync(join(tmpdir(), 'deepnet-h5-'));

async function write(name: string, datasets: Record<string, { data: number[] | bigint[] | Uint8Array | Float64Array; shape: number[]; dtype?: string }>): Promise<string> {
  await h5wasm.ready;
  const path = join(dir, name);
  const f = new h5wasm.File(path, 'w');
  for (const [k, v] of Object.entries(datasets)) f.create_dataset({ name: k, data: v.data as never, shape: v.shape, dtype: v.dtype });
  f.close();
  return path;
}

let floats: string;
beforeAll(async () => {
  floats = await write('floats.h5', {
    train_x: { data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] },
    train_y: { data: new Float64Array([0, 1, 1]), shape: [3, 1] },
  });
});

describe('loadH5', () => {
  it('transposes float samples (m, n) to X (n, m) without scaling, labels (m, 1) to Y (1, m)', async () => {
    const { X, Y, classes } = await loadH5(floats);
    expect(X.toArray()).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(Y.toArray()).toEqual([[0, 1, 1]]);
    expect(classes).toBeUndefined();
  });

  it('scales uint8 images by 1/255 and flattens (m, h, w, c) row-major', async () => {
    const path = await write('images.h5', {
      set_x: { data: Uint8Array.from([0, 51, 102, 153, 204, 255, 1, 2]), shape: [2, 2, 2, 1], dtype: '<B' },
      set_y: { data: [1, 0], shape: [1, 2], dtype: '<i' },
    });
    const { X, Y } = await loadH5(path, { dtype: 'float32' });
    expect(X.dtype).toBe('float32');
    expect(X.shape).toEqual([4, 2]);
    expect(X.get(1, 0)).toBe(Math.fround(51 / 255));
    expect(X.get(3, 1)).toBe(Math.fround(2 / 255));
    expect(Y.toArray()).toEqual([[1, 0]]);
  });

  it('--x-key/--y-key pick datasets by name', async () => {
    const path = await write('named.h5', {
      features: { data: new Float64Array([1, 2]), shape: [2, 1] },
      labels: { data: new Float64Array([1, 0]), shape: [2] },
    });
    await expect(loadH5(path)).rejects.toThrow(/no dataset named x or \*_x; keys found: features, labels. Name it with --x-key/);
    const { X } = await loadH5(path, { xKey: 'features', yKey: 'labels' });
    expect(X.toArray()).toEqual([[1, 2]]);
    await expect(loadH5(path, { xKey: 'nope' })).rejects.toThrow(/no dataset named "nope" \(--x-key\); keys found: features, labels/);
  });

  it('x and y that disagree on m: a DataError with both shapes', async () => {
    const path = await write('mismatch.h5', {
      a_x: { data: new Float64Array([1, 2, 3]), shape: [3, 1] },
      a_y: { data: new Float64Array([1, 0]), shape: [2] },
    });
    await expect(loadH5(path)).rejects.toThrow(DataError);
    await expect(loadH5(path)).rejects.toThrow(/a_x has m = 3 samples.*a_y has shape \(2\); expected \(3,\), \(1, 3\) or \(3, 1\)/);
  });

  it('NaN in X names the feature and the sample', async () => {
    const path = await write('nan.h5', {
      a_x: { data: new Float64Array([1, 2, 3, Number.NaN]), shape: [2, 2] },
      a_y: { data: new Float64Array([1, 0]), shape: [2] },
    });
    await expect(loadH5(path)).rejects.toThrow(/a_x holds NaN at feature 1, sample 1/);
  });

  it('a missing file, a text file and a truncated file are DataErrors', async () => {
    await expect(loadH5(join(dir, 'none.h5'))).rejects.toThrow(/none.h5: no such file/);
    const text = join(dir, 'text.h5');
    writeFileSync(text, 'not hdf5 at all');
    await expect(loadH5(text)).rejects.toThrow(/not a readable HDF5 file \(file signature not found\)/);
  });
});

describe('loadH5 on samples h5wasm cannot write (made by test/fixtures/make_h5_dtypes.py with h5py)', () => {
  const file = join(import.meta.dirname, '..', 'fixtures', 'h5_dtypes.h5');
  it('reads float16 samples exactly, subnormals and the largest half included', async () => {
    const d = await loadH5(file, { xKey: 'half_x', yKey: 'half_y' });
    expect(d.X.shape).toEqual([2, 3]);
    expect(d.X.toArray()).toEqual([[0.5, 1.5, 2 ** -24], [-2, 65504, 0]]);
    expect(d.Y.toArray()).toEqual([[0, 1, 1]]);
  });
  it('reads int64 samples and labels, beyond int32', async () => {
    const d = await loadH5(file, { xKey: 'long_x', yKey: 'long_y' });
    expect(d.X.toArray()).toEqual([[1, 2 ** 40, 0], [-3, 7, 5]]);
    expect(d.Y.toArray()).toEqual([[1, 0, 1]]);
  });
});
