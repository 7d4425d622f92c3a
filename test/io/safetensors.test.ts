import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { decodeModel, encodeModel, type ModelConfig } from '../../src/io/modelfile.js';
import { parseSafetensors, readFloatTensor, serializeSafetensors } from '../../src/io/safetensors.js';
import { DEEPNET_VERSION } from '../../src/io/version.js';

const SRC = 'bad.safetensors';

/** A file from a header (object or raw text), data bytes, and optionally a forged header length. */
function file(header: unknown, data: Uint8Array | number = 0, length?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function rawFile(headerBytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  return out;
}

const t = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

const config: ModelConfig = {
  layerDims: [3, 2, 1],
  activations: ['relu', 'sigmoid'],
  leakySlope: 0.01,
  cost: 'bce',
  dtype: 'float64',
  init: 'xavier',
  seed: 1,
  normalization: null,
  classes: ['non-cat', 'cat'],
};

function params(dims: number[], dtype: 'float64' | 'float32' = 'float64'): Record<string, Matrix> {
  const p: Record<string, Matrix> = {};
  for (let l = 1; l < dims.length; l++) {
    p[`W${l}`] = Matrix.zeros(dims[l]!, dims[l - 1]!, dtype);
    p[`W${l}`]!.data.forEach((_, i, a) => (a[i] = (i + 1) * 0.125 * l));
    p[`b${l}`] = Matrix.full(dims[l]!, 1, -0.5 * l, dtype);
  }
  return p;
}

/** A deepnet file with the given config fields changed and the given tensors (default: the right ones). */
function deepnetFile(change: Partial<Record<string, unknown>>, meta: Record<string, string> = {}, tensors?: { name: string; shape: number[]; data: Float64Array | Float32Array }[]): Uint8Array {
  const cfg = { ...config, ...change };
  const ts =
    tensors ??
    Object.entries(params(cfg.layerDims as number[])).map(([name, M]) => ({ name, shape: [M.rows, M.cols], data: M.data }));
  return serializeSafetensors(ts, { format: 'deepnet', format_version: '1', deepnet_version: DEEPNET_VERSION, config: JSON.stringify(cfg), ...meta });
}

function expectModelFileError(bytes: Uint8Array, fragment: string | RegExp): void {
  let caught: unknown;
  try {
    Network.fromBytes(bytes, SRC);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'should throw').toBeInstanceOf(ModelFileError);
  const msg = (caught as Error).message;
  expect(msg.startsWith(`${SRC}: `), msg).toBe(true);
  if (typeof fragment === 'string') expect(msg).toContain(fragment);
  else expect(msg).toMatch(fragment);
}

describe('safetensors format', () => {
  it('writes the documented layout: u64 header length, space-padded JSON, little-endian data', () => {
    const bytes = serializeSafetensors([{ name: 'W1', shape: [1, 2], data: new Float64Array([1.5, -2]) }], { a: 'b' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { a: 'b' }, W1: { dtype: 'F64', shape: [1, 2], data_offsets: [0, 16] } });
    expect(bytes.length).toBe(8 + n + 16);
    const dv = new DataView(bytes.buffer, 8 + n);
    expect([dv.getFloat64(0, true), dv.getFloat64(8, true)]).toEqual([1.5, -2]);
    const parsed = parseSafetensors(bytes);
    expect(Array.from(readFloatTensor(parsed, parsed.tensors[0]!))).toEqual([1.5, -2]);
  });

  it('accepts tensors listed in any order and zero-size tensors', () => {
    const bytes = file({ b: t('F32', [1], [4, 8]), a: t('F32', [1], [0, 4]), z: t('F64', [0, 3], [8, 8]) }, 8);
    expect(parseSafetensors(bytes).tensors.map((x) => x.name)).toEqual(['a', 'b', 'z']);
  });
});

// Network.fromBytes runs the format checks, then the deepnet ones: every failure is a ModelFileError.
describe('malformed files: each a ModelFileError naming the file and the tensor or field', () => {
  const good = deepnetFile({});
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const cases: [string, () => Uint8Array, string | RegExp][] = [
    ['empty file', () => new Uint8Array(0), 'is 0 bytes long, too short'],
    ['truncated in the header length', () => good.slice(0, 5), 'is 5 bytes long, too short'],
    ['truncated in the header', () => good.slice(0, 8 + Math.floor(n / 2)), 'runs past the end of the file'],
    ['truncated right after the header', () => good.slice(0, 8 + n), /tensor "W1": data_offsets \[0, 48\] run past the end/],
    ['truncated in the last tensor', () => good.slice(0, good.length - 3), /tensor "b2": .* run past the end/],
    ['header length 2^53', () => file({}, 0, 2n ** 53n), 'header length 9007199254740992 exceeds the limit'],
    ['header length 2^64 - 1', () => file({}, 0, 2n ** 64n - 1n), 'header length 18446744073709551615 exceeds the limit'],
    ['header length just over 100 MB', () => file({}, 0, 100_000_001n), 'exceeds the limit of 100000000'],
    ['header length past the end of the file', () => file({}, 0, 64n), 'header length 64 runs past the end of the file (10 bytes)'],
    ['header not UTF-8', () => rawFile(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'not valid UTF-8'],
    ['header with a byte-order mark', () => rawFile(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), 'starting with "{"'],
    ['header a JSON array', () => file('[1, 2]'), 'must be a JSON object starting with "{"'],
    ['header not JSON', () => file('{"W1": '), 'header is not valid JSON'],
    ['duplicate tensor names', () => file(`{"W1": ${JSON.stringify(t('F32', [1], [0, 4]))}, "W1": ${JSON.stringify(t('F32', [1], [4, 8]))}}`, 8), 'names "W1" twice'],
    ['overlapping offsets', () => file({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }, 12), 'tensor "b": data_offsets overlap'],
    ['reused offsets', () => file({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [0, 8]) }, 8), /tensor "[ab]": data_offsets overlap/],
    ['a hole between tensors', () => file({ a: t('F32', [1], [0, 4]), b: t('F32', [1], [8, 12]) }, 12), 'tensor "b": a hole of 4 bytes'],
    ['bytes after the last tensor', () => file({ a: t('F32', [1], [0, 4]) }, 9), '(5 unaccounted for)'],
    ['shape product overflows 64 bits', () => file({ a: t('F32', [2 ** 40, 2 ** 40], [0, 4]) }, 4), 'tensor "a": shape [1099511627776,1099511627776] has more elements than fit in 64 bits'],
    ['byte size overflows 64 bits', () => file({ a: t('F64', [2 ** 31, 2 ** 31, 2], [0, 4]) }, 4), 'tensor "a": byte size of shape [2147483648,2147483648,2] x F64 overflows'],
    ['huge shape that fits 64 bits but not the file', () => file({ a: t('F64', [2 ** 25, 2 ** 20], [0, 2 ** 48]) }, 4), 'run past the end of the file'],
    ['negative dimension', () => file({ a: t('F32', [-1, 2], [0, 0]) }), 'tensor "a": shape[0] must be a non-negative integer, got -1'],
    ['fractional dimension', () => file({ a: t('F32', [1.5], [0, 6]) }, 6), 'tensor "a": shape[0] must be a non-negative integer, got 1.5'],
    ['unknown dtype', () => file({ a: t('F128', [1], [0, 16]) }, 16), 'tensor "a": unknown dtype "F128"'],
    ['offsets that disagree with the shape', () => file({ a: t('F32', [2, 2], [0, 8]) }, 8), 'tensor "a": data_offsets [0, 8] hold 8 bytes but shape [2,2] x F32 needs 16'],
    ['offsets that end before they begin', () => file({ a: t('F32', [0], [8, 4]) }, 8), 'end before they begin'],
    ['offsets not a pair', () => file({ a: t('F32', [1], [0]) }, 4), 'data_offsets must be [begin, end]'],
    ['metadata value not a string', () => file({ __metadata__: { format: 1 } }), '__metadata__.format must be a string'],
    ['not a deepnet file (no metadata)', () => file({ a: t('F32', [1], [0, 4]) }, 4), 'not a deepnet model file'],
    ['missing W2', () => deepnetFile({}, {}, Object.entries(params([3, 2, 1])).filter(([k]) => k !== 'W2').map(([name, M]) => ({ name, shape: [M.rows, M.cols], data: M.data }))), 'tensor W2 is missing'],
    ['missing W3 of a 3-layer network', () => deepnetFile({ layerDims: [3, 2, 2, 1], activations: ['relu', 'relu', 'sigmoid'] }, {}, Object.entries(params([3, 2, 2, 1])).filter(([k]) => k !== 'W3').map(([name, M]) => ({ name, shape: [M.rows, M.cols], data: M.data }))), 'tensor W3 is missing'],
    ['shapes that disagree with layerDims', () => deepnetFile({ layerDims: [4, 2, 1] }, {}, Object.entries(params([3, 2, 1])).map(([name, M]) => ({ name, shape: [M.rows, M.cols], data: M.data }))), 'tensor W1 has shape [2,3] but layerDims [4,2,1] imply [2, 4]'],
    ['an extra tensor', () => deepnetFile({}, {}, [...Object.entries(params([3, 2, 1])).map(([name, M]) => ({ name, shape: [M.rows, M.cols], data: M.data })), { name: 'W9', shape: [1], data: new Float64Array(1) }]), 'unexpected tensor W9'],
    ['dtype that disagrees with the config', () => deepnetFile({ dtype: 'float32' }), 'tensor W1 is F64 but config.dtype float32 needs F32'],
    ['a newer format version', () => deepnetFile({}, { format_version: '2', deepnet_version: '9.0.0' }), 'written by a newer deepnet (9.0.0, format version 2)'],
    ['a malformed format version', () => deepnetFile({}, { format_version: '1.5' }), 'format_version must be a positive integer'],
    ['unknown activation', () => deepnetFile({ activations: ['swish', 'sigmoid'] }), 'config.activations[0] must be one of sigmoid'],
    ['unknown cost', () => deepnetFile({ cost: 'hinge' }), 'config.cost must be one of'],
    ['softmax in a hidden layer', () => deepnetFile({ activations: ['softmax', 'sigmoid'] }), 'config.activations[0] must be one of sigmoid, tanh, relu, leakyRelu, linear, got "softmax"'],
    ['activations of the wrong length', () => deepnetFile({ activations: ['sigmoid'] }), 'config.activations must be a list of 2 activations'],
    ['bce without a sigmoid output', () => deepnetFile({ activations: ['relu', 'relu'] }), "cost 'bce' needs a sigmoid output"],
    ['layerDims with a zero', () => deepnetFile({ layerDims: [3, 0, 1] }), 'config.layerDims must be a list of at least 2 positive integers'],
    ['normalization of the wrong size', () => deepnetFile({ normalization: { mean: [0], std: [1] } }), 'config.normalization must be null or { mean, std }, each 3'],
    ['config not JSON', () => deepnetFile({}, { config: '{oops' }), '__metadata__.config is not valid JSON'],
  ];

  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  for (const [name, make, fragment] of cases) {
    it(name, () => {
      expectModelFileError(make(), fragment);
    });
  }
});

describe('fuzz: only ModelFileError, never a hang or another error', () => {
  const valid = encodeModel(config, params([3, 2, 1]));

  function onlyModelFileErrors(bytes: Uint8Array): boolean {
    try {
      decodeModel(bytes, SRC);
    } catch (e) {
      if (!(e instanceof ModelFileError)) throw e;
    }
    return true;
  }

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), onlyModelFileErrors), { numRuns: 1000 });
  });

  it('random bytes behind a plausible header length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(310), (body, n) => {
        const bytes = new Uint8Array(8 + body.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
        bytes.set(body, 8);
        return onlyModelFileErrors(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutations of a valid file (overwrites, truncation, insertions)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(valid.length - 1), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(valid.length), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(valid.length), byte: fc.integer({ min: 0, max: 255 }) }),
      // Digits and JSON punctuation inside the header make the interesting mutations (shapes, offsets).
      fc.record({ kind: fc.constant('set' as const), at: fc.integer({ min: 8, max: 200 }), byte: fc.constantFrom(...'0123456789-.,[]{}":e'.split('').map((c) => c.charCodeAt(0))) }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let bytes: Uint8Array = valid.slice();
        for (const m of ms) {
          const at = Math.min(m.at, bytes.length);
          if (m.kind === 'set' && at < bytes.length) bytes[at] = m.byte;
          else if (m.kind === 'cut') bytes = bytes.slice(0, at);
          else if (m.kind === 'insert') bytes = new Uint8Array([...bytes.subarray(0, at), m.byte, ...bytes.subarray(at)]);
        }
        return onlyModelFileErrors(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
