import { DataError } from '../errors.js';
import { assertDType, type DType, Matrix } from '../matrix.js';
import type { Dataset } from './dataset.js';

// The IDX format of MNIST and Fashion-MNIST: bytes 0-1 are 0, byte 2 the element type, byte 3 the
// number of dimensions d, then d big-endian uint32 sizes, then the values, big-endian, row-major.

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

export interface IdxArray {
  /** Element type: uint8, int8, int16, int32, float32 or float64. */
  type: string;
  dims: number[];
  /** The values as numbers, row-major. */
  values: ArrayLike<number>;
}

/** Reads an (uncompressed) IDX file; the header is checked against the byte count before anything is allocated. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`${source}: ${bytes.length} bytes is too short for an IDX header (4 bytes + 4 per dimension)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${source}: not an IDX file: the magic number must start with two zero bytes, got 0x${hex(bytes[0]!)}${hex(bytes[1]!)}`);
  }
  const type = TYPES[bytes[2]!];
  if (!type) throw new DataError(`${source}: unknown IDX element type 0x${hex(bytes[2]!)}; expected one of 08 (uint8), 09, 0B, 0C, 0D, 0E`);
  const d = bytes[3]!;
  if (d === 0) throw new DataError(`${source}: the IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * d;
  if (bytes.length < headerBytes) {
    throw new DataError(`${source}: the IDX header declares ${d} dimensions (${headerBytes} header bytes) but the file holds ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < d; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const payload = bytes.length - headerBytes;
  // Multiplying as doubles stays exact while the product fits the file, so stop once it cannot.
  let count = 1;
  for (const size of dims) {
    count *= size;
    if (count * type.size > payload) break;
  }
  if (count * type.size !== payload) {
    throw new DataError(
      `${source}: the IDX header declares ${type.name} dimensions (${dims.join(', ')}) = ${dims.reduce((a, b) => a * b, 1)} values (${
        dims.reduce((a, b) => a * b, 1) * type.size
      } bytes) but ${payload} bytes follow the header${count * type.size > payload ? ' (truncated file?)' : ''}`,
    );
  }
  return { type: type.name, dims, values: decode(view, headerBytes, count, type.name) };
}

function decode(view: DataView, offset: number, count: number, type: string): ArrayLike<number> {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count);
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count);
  }
  const out = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    const at = offset + t * (type === 'int16' ? 2 : type === 'float64' ? 8 : 4);
    out[t] =
      type === 'int16' ? view.getInt16(at, false) : type === 'int32' ? view.getInt32(at, false) : type === 'float32' ? view.getFloat32(at, false) : view.getFloat64(at, false);
  }
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}

/**
 * An image set and its labels in the course's layout: images (m, h, w) flattened to X (h·w, m),
 * uint8 pixels scaled by 1/255; labels (m,) to Y (1, m) class indices.
 */
export function idxDataset(images: IdxArray, labels: IdxArray, sources: { images: string; labels: string }, options: { dtype?: DType; classes?: string[] } = {}): Dataset {
  const dtype = options.dtype ?? 'float64';
  assertDType(dtype);
  if (images.dims.length < 2) throw new DataError(`${sources.images}: images must have dimensions (m, ...), got (${images.dims.join(', ')})`);
  if (labels.dims.length !== 1) throw new DataError(`${sources.labels}: labels must have dimensions (m), got (${labels.dims.join(', ')})`);
  const m = images.dims[0]!;
  if (labels.dims[0] !== m) {
    throw new DataError(`${sources.images} holds m = ${m} images but ${sources.labels} holds ${labels.dims[0]} labels`);
  }
  const n = images.dims.slice(1).reduce((a, b) => a * b, 1);
  // An empty set would train on nothing (a cost of 0/0): refused here, naming the file.
  if (m === 0) throw new DataError(`${sources.images}: holds 0 images (dimensions (${images.dims.join(', ')})); a data set needs at least one sample`);
  if (n === 0) throw new DataError(`${sources.images}: its images have 0 values (dimensions (${images.dims.join(', ')})); expected at least one pixel per image`);
  const scale = images.type === 'uint8' ? 1 / 255 : 1;
  const X = Matrix.zeros(n, m, dtype);
  const v = images.values;
  for (let s = 0; s < m; s++) {
    for (let f = 0; f < n; f++) {
      const x = v[s * n + f]!;
      if (!Number.isFinite(x)) throw new DataError(`${sources.images}: image ${s}, value ${f} is ${x}; expected finite numbers`);
      X.data[f * m + s] = scale === 1 ? x : x / 255;
    }
  }
  const Y = Matrix.zeros(1, m, dtype);
  for (let s = 0; s < m; s++) {
    const k = labels.values[s]!;
    if (!Number.isFinite(k)) throw new DataError(`${sources.labels}: label ${s} is ${k}; expected finite numbers`);
    Y.data[s] = k;
  }
  return { X, Y, classes: options.classes, source: sources.images };
}
