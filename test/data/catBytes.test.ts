import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { catFiles } from '../../src/data/cat.js';
import { loadCatBytes } from '../../src/data/catBytes.js';
import { loadH5 } from '../../src/data/h5.js';
import { ROOT } from '../helpers/cli.js';

// builtin:cat from the raw bytes the build writes (dist/cat-bytes/) is the HDF5 file's data, bit for
// bit; bytes that are not from that file, or not whole, are never used.
const BUILT = join(ROOT, 'dist', 'cat-bytes') + '/';

describe('the cat data from the build\'s raw bytes', () => {
  it.each([
    ['train', 'float64'],
    ['test', 'float64'],
    ['train', 'float32'],
  ] as const)('%s in %s: X, Y and the classes equal the HDF5 reader\'s, bit for bit', async (role, dtype) => {
    const path = catFiles()[role];
    const bytes = loadCatBytes(path, role, dtype, BUILT);
    expect(bytes, `${BUILT} holds the bytes (npm run build writes them)`).toBeDefined();
    const h5 = await loadH5(path, { dtype });
    expect(bytes!.X.shape).toEqual(h5.X.shape);
    expect(bytes!.X.dtype).toBe(dtype);
    expect(Buffer.from(bytes!.X.data.buffer).equals(Buffer.from(h5.X.data.buffer))).toBe(true);
    expect(Array.from(bytes!.Y.data)).toEqual(Array.from(h5.Y.data));
    expect(bytes!.classes).toEqual(h5.classes);
    expect(bytes!.classes).toEqual(['non-cat', 'cat']);
  });

  it("with allocate, X is made there (a backend's memory): the same bits, and resident", async () => {
    const wasm = new WasmBackend({ threads: 1 });
    const path = catFiles().train;
    const plain = loadCatBytes(path, 'train', 'float64', BUILT)!;
    const made = loadCatBytes(path, 'train', 'float64', BUILT, (rows, cols, dtype) => wasm.allocate(rows, cols, dtype))!;
    expect(wasm.isResident(made.X)).toBe(true);
    expect(wasm.isResident(plain.X)).toBe(false);
    expect(Buffer.from(made.X.data.buffer, made.X.data.byteOffset, made.X.data.byteLength).equals(Buffer.from(plain.X.data.buffer))).toBe(true);
    wasm.dispose();
  });

  it('an HDF5 file other than the one the bytes came from (one byte changed) reads nothing from them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deepnet-cat-'));
    const other = join(dir, 'train_catvnoncat.h5');
    const h5 = readFileSync(catFiles().train);
    h5[h5.length - 1] ^= 1;
    writeFileSync(other, h5);
    expect(loadCatBytes(other, 'train', 'float64', BUILT)).toBeUndefined();
  });

  it('bytes cut short, a missing manifest or another format are not used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deepnet-cat-')) + '/';
    for (const f of ['cat.json', 'cat_train_x.u8', 'cat_train_y.u8']) copyFileSync(`${BUILT}${f}`, `${dir}${f}`);
    expect(loadCatBytes(catFiles().train, 'train', 'float64', dir)).toBeDefined();
    writeFileSync(`${dir}cat_train_x.u8`, readFileSync(`${BUILT}cat_train_x.u8`).subarray(1));
    expect(loadCatBytes(catFiles().train, 'train', 'float64', dir)).toBeUndefined();
    copyFileSync(`${BUILT}cat_train_x.u8`, `${dir}cat_train_x.u8`);
    const manifest = JSON.parse(readFileSync(`${dir}cat.json`, 'utf8'));
    writeFileSync(`${dir}cat.json`, JSON.stringify({ ...manifest, format: 'deepnet cat bytes 1' }));
    expect(loadCatBytes(catFiles().train, 'train', 'float64', dir)).toBeUndefined();
    expect(loadCatBytes(catFiles().train, 'train', 'float64', `${dir}none/`)).toBeUndefined();
  });
});
