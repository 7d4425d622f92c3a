import { DataError } from '../errors.js';
import { checkInputFile } from '../io/paths.js';
import { assertDType, type DType, Matrix } from '../matrix.js';
import { MAX_ELEMENTS } from '../nn/memory.js';
import { assertFinite, type Dataset, mergedLabels, mergedLabelsError, samplesToColumns } from './dataset.js';

export interface H5Options {
  /** The dataset holding the samples (default: the one key ending in _x, or named x). */
  xKey?: string;
  /** The dataset holding the labels (default: the one key ending in _y, or named y). */
  yKey?: string;
  dtype?: DType;
}

function findKey(keys: string[], suffix: 'x' | 'y', given: string | undefined, path: string): string {
  const found = `keys found: ${keys.length ? keys.join(', ') : '(none)'}`;
  if (given !== undefined) {
    if (!keys.includes(given)) throw new DataError(`${path}: no dataset named ${JSON.stringify(given)} (--${suffix}-key); ${found}`);
    return given;
  }
  const matches = keys.filter((k) => k === suffix || k.toLowerCase().endsWith(`_${suffix}`));
  if (matches.length === 1) return matches[0]!;
  const why = matches.length === 0 ? `no dataset named ${suffix} or *_${suffix}` : `several datasets match *_${suffix} (${matches.join(', ')})`;
  throw new DataError(`${path}: ${why}; ${found}. Name it with --${suffix}-key`);
}

/** Reads the course's HDF5 layout: x (m, ...) uint8 images or floats, y (m,), (1, m) or (m, 1), list_classes. */
export async function loadH5(path: string, options: H5Options = {}): Promise<Dataset> {
  const dtype = options.dtype ?? 'float64';
  assertDType(dtype);
  checkInputFile(path);
  // h5wasm (a few MB of wasm) loads only when an HDF5 file is read.
  const h5wasm = (await import('h5wasm/node')).default;
  const module = await h5wasm.ready;
  // HDF5's errors become exceptions instead of diagnostics printed on stderr.
  module.activate_throwing_error_handler();
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (e) {
    throw new DataError(`${path}: not a readable HDF5 file (${hdf5Reason(e)})`);
  }
  try {
    return read(h5wasm, module, file, path, options, dtype);
  } catch (e) {
    // What h5wasm throws on a corrupt file (its own errors, a wasm trap, an allocation) is one line naming the file.
    if (e instanceof DataError) throw e;
    throw new DataError(`${path}: a corrupt or unreadable HDF5 file (${hdf5Reason(e)})`, { cause: e });
  } finally {
    try {
      file.close();
    } catch {
      // Closing a file whose structures are corrupt can fail too; nothing is left to release.
    }
  }
}

type H5 = typeof import('h5wasm/node').default;
type H5Module = Awaited<H5['ready']>;

function read(h5wasm: H5, module: H5Module, file: InstanceType<H5['File']>, path: string, options: H5Options, dtype: DType): Dataset {
  {
    const keys = file.keys();
    const xKey = findKey(keys, 'x', options.xKey, path);
    const yKey = findKey(keys, 'y', options.yKey, path);
    const x = file.get(xKey);
    const y = file.get(yKey);
    if (!(x instanceof h5wasm.Dataset) || !(y instanceof h5wasm.Dataset)) {
      throw new DataError(`${path}: ${xKey} and ${yKey} must be datasets; keys found: ${keys.join(', ')}`);
    }
    const xShape = (x.shape ?? []).map(Number);
    const yShape = (y.shape ?? []).map(Number);
    const m = xShape[0] ?? 0;
    if (xShape.length < 2 || m === 0) {
      throw new DataError(`${path}: ${xKey} has shape (${xShape.join(', ')}); expected (m, ...) with at least one sample and one feature`);
    }
    const n = xShape.slice(1).reduce((a, b) => a * b, 1);
    if (n * m > MAX_ELEMENTS) throw new DataError(`${path}: ${xKey} has shape (${xShape.join(', ')}): ${n * m} values, more than the ${MAX_ELEMENTS} an array can hold`);
    const yCount = yShape.reduce((a, b) => a * b, 1);
    const yIsVector = yShape.length === 1 || (yShape.length === 2 && (yShape[0] === 1 || yShape[1] === 1));
    if (!yIsVector || yCount !== m) {
      throw new DataError(
        `${path}: ${xKey} has m = ${m} samples (shape (${xShape.join(', ')})) but ${yKey} has shape (${yShape.join(', ')}); expected (${m},), (1, ${m}) or (${m}, 1)`,
      );
    }
    const xValues = numbers(module, x, xKey, path, 'numbers');
    const isUint8 = xValues instanceof Uint8Array;
    const X = Matrix.zeros(n, m, dtype);
    // uint8 images are pixels: the course scales them by 1/255.
    samplesToColumns(xValues, m, n, X.data, isUint8 ? 255 : 1);
    const Y = Matrix.zeros(1, m, dtype);
    const yValues = numbers(module, y, yKey, path, 'numeric labels');
    for (let s = 0; s < m; s++) Y.data[s] = yValues[s]!;
    const merged = mergedLabels(yValues, Y);
    if (merged) throw mergedLabelsError(`${path}: ${yKey}[${merged[0]}] is ${yValues[merged[0]]}`, `${yKey}[${merged[1]}] is ${yValues[merged[1]]}`, Y.data[merged[0]]!);
    // Integers (the cat files' uint8 pixels) are finite by type; floats are checked.
    if (xValues instanceof Float32Array || xValues instanceof Float64Array || !ArrayBuffer.isView(xValues)) assertFinite(X, xKey, path);
    assertFinite(Y, yKey, path);
    let classes: string[] | undefined;
    if (keys.includes('list_classes')) {
      const c = file.get('list_classes');
      if (c instanceof h5wasm.Dataset && Array.isArray(c.value)) classes = (c.value as unknown[]).map(String);
    }
    return { X, Y, classes, source: path };
  }
}

/** IEEE 754 half precision (binary16) to a number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A numeric dataset's values as numbers: every integer width (int64 too, as exact as a double
 * holds it) and float16, 32, 64; anything else (strings, compounds) is a DataError naming it.
 */
function numbers(module: H5Module, d: InstanceType<H5['Dataset']>, key: string, path: string, what: string): ArrayLike<number> {
  const meta = d.metadata as { type: number; size: number; total_size: number; littleEndian: boolean; vlen: boolean };
  const numeric = (meta.type === 0 || meta.type === 1) && !meta.vlen;
  if (!numeric) throw new DataError(`${path}: ${key} holds ${d.dtype} values; expected ${what}`);
  if (meta.type === 1 && meta.size === 2) {
    // h5wasm has no float16 array: the raw bytes, decoded here.
    const nbytes = meta.size * meta.total_size;
    const ptr = module._malloc(nbytes);
    if (ptr === 0) throw new DataError(`${path}: ${key} needs ${nbytes} bytes, more than the HDF5 reader can allocate`);
    try {
      module.get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
      const view = new DataView(module.HEAPU8.buffer, ptr, nbytes);
      return Float64Array.from({ length: meta.total_size }, (_, i) => halfToNumber(view.getUint16(i * 2, meta.littleEndian)));
    } finally {
      module._free(ptr);
    }
  }
  const v = d.value as unknown;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (b) => Number(b));
  if (!ArrayBuffer.isView(v) || v instanceof DataView) throw new DataError(`${path}: ${key} holds ${d.dtype} values; expected ${what}`);
  return v as unknown as ArrayLike<number>;
}

/** The innermost reason of an HDF5 error stack, e.g. "file signature not found". */
function hdf5Reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const reasons = [...message.matchAll(/in \w+\(\): (.*)/g)].map((m) => m[1]!.trim());
  return reasons[reasons.length - 1] ?? message.split('\n')[0]!;
}
