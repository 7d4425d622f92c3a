import fc from 'fast-check';
import h5wasm from 'h5wasm/node';
import { encode as encodeJpeg } from 'jpeg-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { loadH5 } from '../../src/data/h5.js';
import { idxDataset, parseIdx } from '../../src/data/idx.js';
import { DeepnetError } from '../../src/errors.js';
import { decodeImage } from '../../src/io/image.js';
import { Network } from '../../src/nn/network.js';

// Every reader, fed mutations of a valid file (cut short, bits flipped, bytes overwritten, length
// and dimension fields set to huge values), ends in a DeepnetError or a valid result: never another
// exception, a hang, or a diagnostic on stderr. The counts are in RUNS; the inputs are small so the
// whole file runs in well under a minute.

export const RUNS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'deepnet-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Mutation = { kind: 'truncate'; at: number } | { kind: 'flip'; at: number; bit: number } | { kind: 'set'; at: number; value: number } | { kind: 'u32'; at: number; value: number };

/** One or a few mutations of a file of `length` bytes, weighted towards its first `headerBytes` (length fields, dimensions). */
function mutations(length: number, headerBytes: number): fc.Arbitrary<Mutation[]> {
  const position = fc.oneof({ weight: 3, arbitrary: fc.nat(Math.max(0, Math.min(headerBytes, length) - 1)) }, { weight: 1, arbitrary: fc.nat(Math.max(0, length - 1)) });
  const huge = fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 30000, 65535, 1 << 24);
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(length) }),
    fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x30, 0x22, 0x7b, 0x2c, 0x0a) }),
    fc.record({ kind: fc.constant('u32' as const), at: position, value: huge }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

function apply(bytes: Uint8Array, ms: readonly Mutation[], bigEndian = false): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of ms) {
    if (m.kind === 'truncate') out = out.subarray(0, Math.min(m.at, out.length));
    else if (m.at < out.length && m.kind === 'flip') out[m.at]! ^= 1 << m.bit;
    else if (m.at < out.length && m.kind === 'set') out[m.at] = m.value;
    else if (m.kind === 'u32' && m.at + 4 <= out.length) new DataView(out.buffer, out.byteOffset).setUint32(m.at, m.value, !bigEndian);
  }
  return out;
}

/** Runs `read` on RUNS mutations: each must return (valid) or throw a DeepnetError; prints nothing on stderr. */
async function fuzz(name: string, valid: Uint8Array, headerBytes: number, read: (bytes: Uint8Array) => unknown, bigEndian = false): Promise<{ rejected: number; read: number }> {
  const counts = { rejected: 0, read: 0 };
  const stderr = vi.spyOn(process.stderr, 'write');
  const consoleError = vi.spyOn(console, 'error');
  const consoleWarn = vi.spyOn(console, 'warn');
  try {
    await fc.assert(
      fc.asyncProperty(mutations(valid.length, headerBytes), async (ms) => {
        const bytes = apply(valid, ms, bigEndian);
        try {
          await read(bytes);
          counts.read++;
        } catch (e) {
          if (!(e instanceof DeepnetError)) throw new Error(`${name}: ${JSON.stringify(ms)} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
          expect(e.message.split('\n')).toHaveLength(1);
          counts.rejected++;
        }
      }),
      { numRuns: RUNS, seed: 13 },
    );
    expect(stderr).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
    expect(consoleWarn).not.toHaveBeenCalled();
  } finally {
    stderr.mockRestore();
    consoleError.mockRestore();
    consoleWarn.mockRestore();
  }
  expect(counts.rejected + counts.read).toBe(RUNS);
  return counts;
}

describe(`mutated files, ${RUNS} per reader: a DeepnetError or a valid result`, () => {
  it('safetensors model files', async () => {
    const net = new Network({ layerDims: [3, 2, 1], seed: 1 });
    const valid = net.toBytes();
    const { rejected } = await fuzz('safetensors', valid, valid.length - 9 * 8, (b) => {
      const loaded = Network.fromBytes(b, 'm.safetensors');
      // A file that still reads is a network with finite weights of the shapes it states.
      for (const M of Object.values(loaded.parameters)) expect(Array.from(M.data).every(Number.isFinite)).toBe(true);
    });
    expect(rejected).toBeGreaterThan(RUNS / 2);
  });

  it('CSV files', async () => {
    const rows = ['a,b,label', '0.5,1,0', '2,-3.25,1', '1e-3,4,0', '7,8,1'];
    const valid = new TextEncoder().encode(rows.join('\n') + '\n');
    await fuzz('csv', valid, valid.length, (b) => {
      const d = parseCsv(new TextDecoder().decode(b), 'd.csv');
      expect(d.X.cols).toBe(d.Y.cols);
      expect(Array.from(d.X.data).every(Number.isFinite)).toBe(true);
    });
  });

  it('IDX image and label files', async () => {
    // 3 images of 2 x 2 (magic 0x00000803, dims big-endian) and their 3 labels (0x00000801).
    const images = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, ...Array.from({ length: 12 }, (_, i) => i * 20)]);
    const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 0]);
    const sources = { images: 'i-idx3-ubyte', labels: 'l-idx1-ubyte' };
    await fuzz('idx images', images, 16, (b) => idxDataset(parseIdx(b, sources.images), parseIdx(labels, sources.labels), sources), true);
    await fuzz('idx labels', labels, 8, (b) => idxDataset(parseIdx(images, sources.images), parseIdx(b, sources.labels), sources), true);
  });

  it('PNG images', async () => {
    const png = new PNG({ width: 4, height: 3 });
    png.data.forEach((_, i) => (png.data[i] = (i * 37) % 256));
    const valid = new Uint8Array(PNG.sync.write(png));
    await fuzz('png', valid, 33, (b) => decodeImage(b, 'i.png'), true);
  });

  it('JPEG images', async () => {
    const data = Buffer.alloc(8 * 8 * 4, 0).map((_, i) => (i * 53) % 256);
    const valid = new Uint8Array(encodeJpeg({ width: 8, height: 8, data }, 80).data);
    await fuzz('jpeg', valid, 200, (b) => decodeImage(b, 'i.jpg'), true);
  });

  describe('HDF5 files', () => {
    let valid: Uint8Array;
    beforeAll(async () => {
      await h5wasm.ready;
      const path = join(dir, 'valid.h5');
      const f = new h5wasm.File(path, 'w');
      f.create_dataset({ name: 'train_x', data: Uint8Array.from({ length: 4 * 2 * 2 * 3 }, (_, i) => i * 5), shape: [4, 2, 2, 3], dtype: '<B' });
      f.create_dataset({ name: 'train_y', data: Uint8Array.from([0, 1, 1, 0]), shape: [4], dtype: '<B' });
      f.close();
      valid = new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(path)));
    });

    it('through h5wasm', async () => {
      let i = 0;
      await fuzz('hdf5', valid, valid.length, async (b) => {
        const path = join(dir, `m${i++ % 8}.h5`);
        writeFileSync(path, b);
        const d = await loadH5(path);
        expect(d.X.cols).toBe(d.Y.cols);
      });
    });
  });
});
