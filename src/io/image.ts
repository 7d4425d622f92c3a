import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors.js';
import { readUserFile } from './paths.js';

// "Test with your own image", as the course's notebook does it:
//   image = np.array(Image.open(fname).resize((num_px, num_px)))
//   image = image / 255.
//   image = image.reshape((1, num_px * num_px * 3)).T
// Pillow's resize defaults to its bicubic filter; resizeBicubic below follows Pillow's resampler
// (the filter widened by the scale when shrinking, 8-bit fixed-point weights, a horizontal pass then
// a vertical one, each rounded to uint8). PNGs decode exactly; JPEG decoders differ by a level or two.

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** The most pixels an image may have (Pillow's MAX_IMAGE_PIXELS): checked in the header, before decoding. */
export const MAX_IMAGE_PIXELS = 89_478_485;

/** Width and height as the file's header states them (PNG's IHDR, JPEG's SOF), or null when it is not found. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG_MAGIC)) {
    // Signature (8 bytes), then the IHDR chunk: length, "IHDR", width, height (big-endian).
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (startsWith(bytes, JPEG_MAGIC)) {
    // Segments FF xx with a 2-byte length, up to a start-of-frame (C0-CF but C4, C8, CC): precision, height, width.
    let at = 2;
    while (at + 9 <= bytes.length) {
      if (bytes[at] !== 0xff) return null;
      const marker = bytes[at + 1]!;
      if (marker === 0xff) {
        at++;
        continue;
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        at += 2;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
      }
      if (marker === 0xda || marker === 0xd9) return null;
      at += 2 + view.getUint16(at + 2);
    }
  }
  return null;
}

/** Refuses, before any decoding, an image whose header claims no pixels or more than MAX_IMAGE_PIXELS. */
function checkSize(bytes: Uint8Array, source: string): void {
  const size = imageSize(bytes);
  if (!size) throw new DataError(`${source}: cannot decode the image (no readable size in its header: truncated or corrupt)`);
  const { width, height } = size;
  if (width === 0 || height === 0) throw new DataError(`${source}: the image is ${width} x ${height} pixels: empty`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DataError(`${source}: the image claims ${width} x ${height} = ${width * height} pixels, more than the ${MAX_IMAGE_PIXELS} deepnet decodes (a decompression bomb, or resize it first)`);
  }
}

/** Decodes a PNG or JPEG (told apart by their first bytes), dropping any alpha channel. */
export function decodeImage(bytes: Uint8Array, source: string): RgbImage {
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    const png = startsWith(bytes, PNG_MAGIC);
    if (!png && !startsWith(bytes, JPEG_MAGIC)) throw new DataError(`${source}: not a PNG or JPEG image (deepnet reads those two)`);
    checkSize(bytes, source);
    if (png) rgba = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    else rgba = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${source}: cannot decode the image (${(e as Error).message})`, { cause: e });
  }
  const { width, height } = rgba;
  if (!(width > 0 && height > 0) || rgba.data.length < width * height * 4) throw new DataError(`${source}: cannot decode the image (its pixel data is incomplete)`);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[p * 3] = rgba.data[p * 4]!;
    data[p * 3 + 1] = rgba.data[p * 4 + 1]!;
    data[p * 3 + 2] = rgba.data[p * 4 + 2]!;
  }
  return { width, height, data };
}

/** Pillow's bicubic kernel (a = -0.5). */
function bicubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's precompute_coeffs for one axis, as fixed-point integer weights. */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; weights: Int32Array[] } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 2 * filterscale;
  const bounds = new Int32Array(outSize * 2);
  const weights: Int32Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(xmax);
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    const fixed = new Int32Array(xmax);
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      fixed[x] = Math.trunc(w * (1 << PRECISION_BITS) + (w < 0 ? -0.5 : 0.5));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
    weights.push(fixed);
  }
  return { bounds, weights };
}

function clip8(v: number): number {
  const x = Math.floor(v / (1 << PRECISION_BITS));
  return x < 0 ? 0 : x > 255 ? 255 : x;
}

/** Resizes as Pillow's Image.resize((width, height)) with its default bicubic filter. */
export function resizeBicubic(img: RgbImage, width: number, height: number): RgbImage {
  let cur = img;
  if (width !== cur.width) {
    const { bounds, weights } = coefficients(cur.width, width);
    const out = new Uint8Array(width * cur.height * 3);
    for (let y = 0; y < cur.height; y++) {
      for (let xx = 0; xx < width; xx++) {
        const xmin = bounds[xx * 2]!;
        const k = weights[xx]!;
        for (let c = 0; c < 3; c++) {
          let ss = 1 << (PRECISION_BITS - 1);
          for (let x = 0; x < k.length; x++) ss += cur.data[(y * cur.width + x + xmin) * 3 + c]! * k[x]!;
          out[(y * width + xx) * 3 + c] = clip8(ss);
        }
      }
    }
    cur = { width, height: cur.height, data: out };
  }
  if (height !== cur.height) {
    const { bounds, weights } = coefficients(cur.height, height);
    const out = new Uint8Array(cur.width * height * 3);
    for (let yy = 0; yy < height; yy++) {
      const ymin = bounds[yy * 2]!;
      const k = weights[yy]!;
      for (let x = 0; x < cur.width; x++) {
        for (let c = 0; c < 3; c++) {
          let ss = 1 << (PRECISION_BITS - 1);
          for (let y = 0; y < k.length; y++) ss += cur.data[((y + ymin) * cur.width + x) * 3 + c]! * k[y]!;
          out[(yy * cur.width + x) * 3 + c] = clip8(ss);
        }
      }
    }
    cur = { width: cur.width, height, data: out };
  }
  return cur;
}

/** The side num_px of a square RGB input of n_x = num_px * num_px * 3 values, or an error naming both. */
export function inputSide(nx: number, source: string): number {
  const side = Math.round(Math.sqrt(nx / 3));
  if (side * side * 3 !== nx) {
    throw new DataError(`${source}: the model takes n_x = ${nx} inputs, which is not a square RGB image (num_px * num_px * 3); it cannot take an image`);
  }
  return side;
}

/** An image file as the course's column: resized to num_px x num_px, / 255, flattened (row, column, channel). */
export function loadImageColumn(path: string, nx: number): Float64Array {
  const side = inputSide(nx, path);
  const img = resizeBicubic(decodeImage(readUserFile(path, '--image'), path), side, side);
  const col = new Float64Array(nx);
  for (let i = 0; i < nx; i++) col[i] = img.data[i]! / 255;
  return col;
}
