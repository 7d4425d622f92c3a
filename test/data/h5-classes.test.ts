import h5wasm from 'h5wasm/node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadH5 } from '../../src/data/h5.js';
import { DataError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-h5-classes-'));

describe('loadH5: labels (1, m) and list_classes', () => {
  it('reads labels of shape (1, m) and the class names of list_classes', async () => {
    await h5wasm.ready;
    const path = join(dir, 'named.h5');
    const f = new h5wasm.File(path, 'w');
    f.create_dataset({ name: 'set_x', data: new Float64Array([0.5, -1, 2, 3]), shape: [2, 2] });
    f.create_dataset({ name: 'set_y', data: new Float64Array([1, 0]), shape: [1, 2] });
    f.create_dataset({ name: 'list_classes', data: ['non-cat', 'cat'] });
    f.close();
    const d = await loadH5(path);
    expect(d.X.toArray()).toEqual([
      [0.5, 2],
      [-1, 3],
    ]);
    expect(d.Y.toArray()).toEqual([[1, 0]]);
    expect(d.classes).toEqual(['non-cat', 'cat']);
  });

  it('integer labels that float32 cannot tell apart are an error naming both; float64 keeps them', async () => {
    await h5wasm.ready;
    const path = join(dir, 'big-labels.h5');
    const f = new h5wasm.File(path, 'w');
    f.create_dataset({ name: 'set_x', data: new Float64Array([0.5, -1, 2]), shape: [3, 1] });
    f.create_dataset({ name: 'set_y', data: new Float64Array([16777216, 3, 16777217]), shape: [3] });
    f.close();
    await expect(loadH5(path, { dtype: 'float32' })).rejects.toThrow(
      new DataError(`${path}: set_y[2] is 16777217 and set_y[0] is 16777216: both are 16777216 in float32, so two classes would become one; read the labels as float64 (--dtype float64), exact to 2^53`),
    );
    expect(Array.from((await loadH5(path)).Y.data)).toEqual([16777216, 3, 16777217]);
  });

  it('the shipped cat files carry their class names', async () => {
    const d = await loadH5('data/test_catvnoncat.h5');
    expect(d.classes).toEqual(['non-cat', 'cat']);
  });

  it('property: random bytes in an .h5 file give a DataError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (bytes, signed) => {
        // Half the files start with the HDF5 signature so the parser gets past the first check.
        const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
        const content = signed ? new Uint8Array([...sig, ...bytes]) : bytes;
        const path = join(dir, 'random.h5');
        writeFileSync(path, content);
        await expect(loadH5(path)).rejects.toBeInstanceOf(DataError);
      }),
      { numRuns: 60 },
    );
  });
});
