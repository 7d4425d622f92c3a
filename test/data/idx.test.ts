import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnistFiles, idxFiles, loadIdx, readIdx } from '../../src/data/files.js';
import { parseIdx } from '../../src/data/idx.js';
import { DataError, FileError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-idx-'));

/** An IDX file: header (0, 0, type, d, sizes big-endian) then the values big-endian. */
function idx(type: number, dims: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const bytes = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  const at = 4 + 4 * dims.length;
  values.forEach((v, t) => {
    const o = at + t * size;
    if (type === 8) view.setUint8(o, v);
    else if (type === 9) view.setInt8(o, v);
    else if (type === 11) view.setInt16(o, v, false);
    else if (type === 12) view.setInt32(o, v, false);
    else if (type === 13) view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return bytes;
}

function expectDataError(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('IDX loader', () => {
  it('round trip: 3 images of 2 x 2 (plain and gzip) become X (4, 3) / 255 and Y (1, 3)', () => {
    const images = idx(8, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 10, 20, 30, 40]);
    const labels = idx(8, [3], [7, 0, 9]);
    writeFileSync(join(dir, 'a-images-idx3-ubyte'), images);
    writeFileSync(join(dir, 'a-labels-idx1-ubyte'), labels);
    writeFileSync(join(dir, 'b-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(join(dir, 'b-labels-idx1-ubyte.gz'), gzipSync(labels));
    for (const name of ['a-images-idx3-ubyte', 'b-images-idx3-ubyte.gz']) {
      const d = loadIdx(idxFiles(join(dir, name), 'train'));
      expect(d.X.shape).toEqual([4, 3]);
      expect(d.X.get(1, 0)).toBe(1);
      expect(d.X.get(2, 0)).toBe(51 / 255);
      expect(d.X.get(3, 2)).toBe(40 / 255);
      expect(d.Y.toArray()).toEqual([[7, 0, 9]]);
    }
  });

  it('every element type is read big-endian', () => {
    expect(Array.from(parseIdx(idx(9, [2], [-3, 4]), 's').values)).toEqual([-3, 4]);
    expect(Array.from(parseIdx(idx(11, [2], [-300, 4]), 's').values)).toEqual([-300, 4]);
    expect(Array.from(parseIdx(idx(12, [1], [-70000]), 's').values)).toEqual([-70000]);
    expect(Array.from(parseIdx(idx(13, [1], [0.5]), 's').values)).toEqual([0.5]);
    expect(parseIdx(idx(14, [2, 1], [0.1, -2]), 's')).toMatchObject({ type: 'float64', dims: [2, 1] });
  });

  it('the header is checked against the size before anything is allocated', () => {
    expectDataError(() => parseIdx(new Uint8Array([0, 0]), 'x'), /x: 2 bytes is too short/);
    expectDataError(() => parseIdx(new Uint8Array([1, 0, 8, 1]), 'x'), /not an IDX file: the magic number must start with two zero bytes, got 0x0100/);
    expectDataError(() => parseIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x'), /unknown IDX element type 0x42/);
    expectDataError(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'x'), /declares 0 dimensions/);
    expectDataError(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 'x'), /declares 3 dimensions \(16 header bytes\) but the file holds 8 bytes/);
    // 60000 x 28 x 28 declared, 5 bytes present: refused without allocating 47 MB.
    const big = idx(8, [60000, 28, 28], [1, 2, 3, 4, 5]);
    expectDataError(() => parseIdx(big, 'x'), /\(60000, 28, 28\) = 47040000 values \(47040000 bytes\) but 5 bytes follow the header \(truncated file\?\)/);
    // 2^32-1 in each of 4 dimensions: the product is far beyond any file.
    expectDataError(() => parseIdx(idx(14, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], []), 'x'), /but 0 bytes follow/);
    expectDataError(() => parseIdx(idx(8, [2], [1, 2, 3]).subarray(0, 11), 'x'), /but 3 bytes follow/);
  });

  it('images and labels must agree; bad files name themselves', () => {
    writeFileSync(join(dir, 'c-images-idx3-ubyte'), idx(8, [2, 1, 1], [1, 2]));
    writeFileSync(join(dir, 'c-labels-idx1-ubyte'), idx(8, [3], [1, 2, 3]));
    expectDataError(() => loadIdx(idxFiles(join(dir, 'c-images-idx3-ubyte'), 'train')), /holds m = 2 images but .*c-labels-idx1-ubyte holds 3 labels/);
    writeFileSync(join(dir, 'bad.gz'), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    expectDataError(() => readIdx(join(dir, 'bad.gz')), /bad.gz: gzip data that does not decompress/);
    writeFileSync(join(dir, 'whatever.bin'), idx(8, [1, 1], [1]));
    expectDataError(() => idxFiles(join(dir, 'whatever.bin'), 'train'), /cannot tell its labels file/);
    expect(() => readIdx(join(dir, 'nope'))).toThrow(FileError);
    expect(() => readIdx(join(dir, 'nope'))).toThrow(/nope: no such file/);
    expectDataError(() => idxFiles(join(dir, 'no-such-folder'), 'train'), /no-such-folder: no such file or folder/);
    // Zero images would train on nothing: refused naming the file, before any "diverged".
    writeFileSync(join(dir, 'z-images-idx3-ubyte'), idx(8, [0, 2, 2], []));
    writeFileSync(join(dir, 'z-labels-idx1-ubyte'), idx(8, [0], []));
    expectDataError(() => loadIdx(idxFiles(join(dir, 'z-images-idx3-ubyte'), 'train')), /z-images-idx3-ubyte: holds 0 images \(dimensions \(0, 2, 2\)\)/);
    mkdirSync(join(dir, 'empty'));
    expectDataError(() => idxFiles(join(dir, 'empty'), 'test'), /no t10k-images-idx3-ubyte\[.gz\]/);
  });

  it('property: random bytes give an IdxArray or a DataError, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, plausible) => {
        // Half the cases get a plausible header so the size checks are exercised too.
        if (plausible && bytes.length >= 4) {
          bytes[0] = 0;
          bytes[1] = 0;
          bytes[2] = [8, 9, 11, 12, 13, 14][bytes[2]! % 6]!;
          bytes[3] = bytes[3]! % 4;
        }
        try {
          const a = parseIdx(bytes, 'r');
          expect(a.values.length).toBe(a.dims.reduce((p, d) => p * d, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('built-in fashion-mnist subset', () => {
  it('4000 training and 1000 test images of 28 x 28, 10 classes', () => {
    const train = loadIdx(fashionMnistFiles('train'), { classes: FASHION_MNIST_CLASSES });
    const test = loadIdx(fashionMnistFiles('test'));
    expect(train.X.shape).toEqual([784, 4000]);
    expect(test.X.shape).toEqual([784, 1000]);
    expect(new Set(train.Y.data).size).toBe(10);
    expect(Array.from(train.X.data).reduce((a, b) => Math.max(a, b), 0)).toBe(1);
    expect(train.classes![9]).toBe('Ankle boot');
  });
});
