import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { pythonWith } from '../helpers/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { decodeImage, inputSide, loadImageColumn, resizeBicubic, type RgbImage } from '../../src/io/image.js';
import { NumpyRandom } from '../../src/random.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A smooth picture with noise: gradients make resampling errors visible, noise makes them specific. */
function picture(width: number, height: number, seed: number): RgbImage {
  const rng = new NumpyRandom(seed);
  const noise = rng.rand(width * height * 3);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        data[i] = Math.min(255, Math.floor((x / width) * 120 + (y / height) * 80 * c + noise[i]! * 55));
      }
    }
  }
  return { width, height, data };
}

function pngBytes(img: RgbImage, alpha = 255): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let p = 0; p < img.width * img.height; p++) {
    png.data.set(img.data.subarray(p * 3, p * 3 + 3), p * 4);
    png.data[p * 4 + 3] = alpha;
  }
  return PNG.sync.write(png);
}

describe('images', () => {
  it('decodes PNG exactly, drops alpha, and resizing to the same size changes nothing', () => {
    const img = picture(17, 9, 1);
    const back = decodeImage(pngBytes(img, 128), 'x.png');
    expect([back.width, back.height]).toEqual([17, 9]);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
    expect(resizeBicubic(back, 17, 9).data).toEqual(img.data);
  });

  it('a constant image stays constant at any size', () => {
    const img = { width: 40, height: 23, data: new Uint8Array(40 * 23 * 3).fill(77) };
    for (const [w, h] of [[64, 64], [7, 5], [40, 100]] as const) {
      const out = resizeBicubic(img, w, h);
      expect(out.data.length).toBe(w * h * 3);
      expect(new Set(out.data)).toEqual(new Set([77]));
    }
  });

  it('decodes JPEG (within a few levels of the original)', () => {
    const img = picture(32, 32, 2);
    const rgba = Buffer.alloc(32 * 32 * 4, 255);
    for (let p = 0; p < 32 * 32; p++) img.data.subarray(p * 3, p * 3 + 3).forEach((v, c) => (rgba[p * 4 + c] = v));
    const jpg = encodeJpeg({ width: 32, height: 32, data: rgba }, 100).data;
    const back = decodeImage(jpg, 'x.jpg');
    let worst = 0;
    back.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - img.data[i]!))));
    expect(worst).toBeLessThan(40);
    expect(back.data.reduce((a, v, i) => a + Math.abs(v - img.data[i]!), 0) / back.data.length).toBeLessThan(4);
  });

  it('names what it cannot read', () => {
    expect(() => decodeImage(new Uint8Array([1, 2, 3, 4]), 'a.gif')).toThrow(new DataError('a.gif: not a PNG or JPEG image (deepnet reads those two)'));
    expect(() => decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'b.png')).toThrow(/^b\.png: cannot decode the image/);
    expect(() => inputSide(100, 'model.safetensors')).toThrow('model.safetensors: the model takes n_x = 100 inputs, which is not a square RGB image');
    expect(inputSide(12288, 'm')).toBe(64);
  });

  it("the course's column: num_px x num_px x 3 values / 255, row by row, channel fastest", () => {
    const img = picture(5, 5, 3);
    const file = join(dir, 'five.png');
    writeFileSync(file, pngBytes(img));
    const col = loadImageColumn(file, 75);
    expect(Array.from(col)).toEqual(Array.from(img.data, (v) => v / 255));
  });
});

// Pillow is the notebook's resizer: where a Python with Pillow is at hand (DEEPNET_PIL_PYTHON, else
// python3, else Debian's), the resize must match it byte for byte.
const pillowPython = pythonWith(['PIL'], process.env.DEEPNET_PIL_PYTHON);
const python = pillowPython ?? 'python3';
const hasPil = pillowPython !== undefined;

describe.skipIf(!hasPil)("Pillow's Image.resize", () => {
  for (const [w, h, seed] of [[97, 73, 4], [300, 200, 5], [20, 31, 6], [64, 64, 7]] as const) {
    it(`${w}x${h} -> 64x64 equals Pillow's, byte for byte`, () => {
      const img = picture(w, h, seed);
      const file = join(dir, `p${w}x${h}.png`);
      writeFileSync(file, pngBytes(img));
      const r = spawnSync(python, ['-c', 'import sys; from PIL import Image; sys.stdout.buffer.write(Image.open(sys.argv[1]).convert("RGB").resize((64, 64)).tobytes())', file], { maxBuffer: 1 << 24 });
      expect(r.stderr.toString()).toBe('');
      const ours = resizeBicubic(decodeImage(readFileSync(file), file), 64, 64);
      expect(Buffer.from(ours.data).equals(r.stdout)).toBe(true);
    });
  }
});

