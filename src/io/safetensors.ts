import { ModelFileError } from '../errors.js';

// The safetensors format: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON (the header: per
// tensor { dtype, shape, data_offsets: [begin, end] } relative to the data section, plus an optional
// "__metadata__" map of strings), then the tensors' bytes, contiguous, little-endian.
// The reader makes the checks of the reference reader, and allocates nothing for a tensor before
// its size has been checked against the file.

/** The reference reader's limit on the header (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** Tensors a file may hold unless the caller says otherwise: the cap is checked before the header is parsed. */
export const DEFAULT_MAX_TENSORS = 100_000;

export interface ParseOptions {
  /** Refuse a header of more tensors than this, before parsing it (default DEFAULT_MAX_TENSORS). */
  maxTensors?: number;
}

/** Bytes per element of the dtypes safetensors knows. */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** Where one tensor sits in the file; `begin`/`end` are absolute byte offsets in `bytes`. */
export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** The "__metadata__" map, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Tensors in the order of their offsets in the file. */
  tensors: TensorInfo[];
  bytes: Uint8Array;
}

/** A float tensor to write. */
export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

const U64_MAX = (1n << 64n) - 1n;

function fail(source: string, what: string): never {
  throw new ModelFileError(`${source}: ${what}`);
}

/** Names of the top-level object's keys as they appear in the text, to catch duplicates JSON.parse hides. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (/\s/.test(text[k] ?? '')) k++;
        if (text[k] === ':') keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      }
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/**
 * The number of keys of the top-level object, counted in one pass over the text and given up as
 * soon as it passes `limit` (so a header of a million entries is refused before JSON.parse builds
 * them). Malformed text is left to JSON.parse.
 */
function countTopLevelKeys(text: string, limit: number): number {
  let keys = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (k < text.length && (text.charCodeAt(k) <= 0x20)) k++;
        if (text.charCodeAt(k) === 0x3a && ++keys > limit) return keys;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return keys;
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates a safetensors file; `source` (a path) names it in every error. */
export function parseSafetensors(bytes: Uint8Array, source = 'model file', options: ParseOptions = {}): SafetensorsFile {
  const maxTensors = options.maxTensors ?? DEFAULT_MAX_TENSORS;
  if (!(bytes instanceof Uint8Array)) fail(source, 'expected the file as bytes (a Uint8Array or Buffer)');
  if (bytes.length < 8) fail(source, `is ${bytes.length} bytes long, too short for the 8-byte header length of a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) fail(source, `header length ${n64} exceeds the limit of ${MAX_HEADER_SIZE} bytes (not a safetensors file, or corrupt)`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(source, `header length ${n} runs past the end of the file (${bytes.length} bytes): the file is truncated`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(source, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(source, `header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  // The metadata is one more key.
  const keyCount = countTopLevelKeys(text, maxTensors + 1);
  if (keyCount > maxTensors + 1) fail(source, `header lists more than ${maxTensors} tensors, more than this reader takes (not a model file, or corrupt)`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(source, 'header must be a JSON object');
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) fail(source, `header names ${JSON.stringify(key)} twice`);
    seen.add(key);
  }

  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  const dataStart = 8 + n;
  const dataLength = BigInt(bytes.length - dataStart);
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') fail(source, `__metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, `${where}: expected { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_SIZES)) {
      fail(source, `${where}: unknown dtype ${JSON.stringify(dtype)}; safetensors dtypes are ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')}`);
    }
    if (!Array.isArray(shape)) fail(source, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    let count = 1n;
    shape.forEach((d, i) => {
      if (!isNonNegativeInteger(d)) fail(source, `${where}: shape[${i}] must be a non-negative integer, got ${JSON.stringify(d)}`);
      count *= BigInt(d);
      if (count > U64_MAX) fail(source, `${where}: shape ${JSON.stringify(shape)} has more elements than fit in 64 bits (overflow)`);
    });
    const byteSize = count * BigInt(SAFETENSORS_DTYPE_SIZES[dtype]!);
    if (byteSize > U64_MAX) fail(source, `${where}: byte size of shape ${JSON.stringify(shape)} x ${dtype} overflows 64 bits`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      fail(source, `${where}: data_offsets must be [begin, end], two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(source, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (BigInt(end - begin) !== byteSize) {
      fail(source, `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${JSON.stringify(shape)} x ${dtype} needs ${byteSize}`);
    }
    if (BigInt(end) > dataLength) fail(source, `${where}: data_offsets [${begin}, ${end}] run past the end of the file (data section is ${dataLength} bytes): truncated?`);
    tensors.push({ name, dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end });
  }

  // Contiguous, no holes or overlaps, the last one ending at the end of the file.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = dataStart;
  for (const t of tensors) {
    if (t.begin < at) fail(source, `tensor ${JSON.stringify(t.name)}: data_offsets overlap the previous tensor's bytes`);
    if (t.begin > at) fail(source, `tensor ${JSON.stringify(t.name)}: a hole of ${t.begin - at} bytes before its data (tensors must be contiguous)`);
    at = t.end;
  }
  if (at !== bytes.length) fail(source, `the tensors end at byte ${at} but the file has ${bytes.length} bytes (${bytes.length - at} unaccounted for)`);
  return { metadata, tensors, bytes };
}

/** A tensor's values in row-major order, in its own float dtype (F32 or F64). */
export function readFloatTensor(file: SafetensorsFile, t: TensorInfo): Float32Array | Float64Array {
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + t.begin, t.end - t.begin);
  if (t.dtype === 'F32') {
    const out = new Float32Array((t.end - t.begin) / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (t.dtype === 'F64') {
    const out = new Float64Array((t.end - t.begin) / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
    return out;
  }
  throw new ModelFileError(`tensor ${JSON.stringify(t.name)}: dtype ${t.dtype} is not a float dtype deepnet reads (F32, F64)`);
}

/**
 * Serialises float tensors in the order given, with the metadata first. The header is padded with
 * spaces to a multiple of 8 bytes (as the reference writer does), so the data section is aligned.
 * The output depends only on the inputs: the same tensors give the same bytes.
 */
export function serializeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new ModelFileError(`serializeSafetensors: tensor name ${JSON.stringify(t.name)} is reserved or repeated`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new ModelFileError(`serializeSafetensors: tensor ${t.name} has ${t.data.length} values but shape ${JSON.stringify(t.shape)}`);
    const size = t.data.BYTES_PER_ELEMENT * count;
    header[t.name] = { dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    const f64 = t.data instanceof Float64Array;
    for (let i = 0; i < t.data.length; i++) {
      if (f64) view.setFloat64(at + i * 8, t.data[i]!, true);
      else view.setFloat32(at + i * 4, t.data[i]!, true);
    }
    at += t.data.length * t.data.BYTES_PER_ELEMENT;
  }
  return out;
}
