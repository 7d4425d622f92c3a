import { existsSync } from 'node:fs';
import type H5Module from 'h5wasm/node';
import { DataError } from '../errors.js';
import { assertDType, type DType, Matrix } from '../matrix.js';
import { assertFinite, type Dataset, samplesToColumns } from './dataset.js';

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
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  // h5wasm (a 4 MB WebAssembly HDF5) loads with the first HDF5 file, not with the package.
  const { default: h5wasm } = await import('h5wasm/node');
  const module = await h5wasm.ready;
  // HDF5's errors become exceptions instead of diagnostics printed on stderr.
  module.activate_throwing_error_handler();
  let file: InstanceType<(typeof H5Module)['File']>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (e) {
    throw new DataError(`${path}: not a readable HDF5 file (${hdf5Reason(e)})`);
  }
  try {
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
    const yCount = yShape.reduce((a, b) => a * b, 1);
    const yIsVector = yShape.length === 1 || (yShape.length === 2 && (yShape[0] === 1 || yShape[1] === 1));
    if (!yIsVector || yCount !== m) {
      throw new DataError(
        `${path}: ${xKey} has m = ${m} samples (shape (${xShape.join(', ')})) but ${yKey} has shape (${yShape.join(', ')}); expected (${m},), (1, ${m}) or (${m}, 1)`,
      );
    }
    const xValues = x.value as unknown;
    const isUint8 = xValues instanceof Uint8Array;
    if (!isNumericArray(xValues)) throw new DataError(`${path}: ${xKey} holds ${x.dtype} values; expected numbers`);
    const X = Matrix.zeros(n, m, dtype);
    // uint8 images are pixels: the course scales them by 1/255.
    samplesToColumns(xValues as ArrayLike<number>, m, n, X.data, isUint8 ? 255 : 1);
    const Y = Matrix.zeros(1, m, dtype);
    const yValues = y.value as unknown;
    if (!isNumericArray(yValues)) throw new DataError(`${path}: ${yKey} holds ${y.dtype} values; expected numeric labels`);
    for (let s = 0; s < m; s++) Y.data[s] = Number((yValues as ArrayLike<number | bigint>)[s]);
    assertFinite(X, xKey, path);
    assertFinite(Y, yKey, path);
    let classes: string[] | undefined;
    if (keys.includes('list_classes')) {
      const c = file.get('list_classes');
      if (c instanceof h5wasm.Dataset && Array.isArray(c.value)) classes = (c.value as unknown[]).map(String);
    }
    return { X, Y, classes, source: path };
  } finally {
    file.close();
  }
}

function isNumericArray(v: unknown): boolean {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** The innermost reason of an HDF5 error stack, e.g. "file signature not found". */
function hdf5Reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const reasons = [...message.matchAll(/in \w+\(\): (.*)/g)].map((m) => m[1]!.trim());
  return reasons[reasons.length - 1] ?? message.split('\n')[0]!;
}
