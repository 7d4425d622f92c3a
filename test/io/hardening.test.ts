import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ModelFileError, DataError } from '../../src/errors.js';
import { decodeImage, imageSize, MAX_IMAGE_PIXELS } from '../../src/io/image.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { relu } from '../../src/nn/activations.js';
import { Network } from '../../src/nn/network.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { Matrix } from '../../src/matrix.js';

/** A safetensors file of a header's text (no tensor data). */
function headerText(text: string): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** A PNG whose IHDR claims width x height, with a tiny IDAT (a decompression bomb's header). */
function pngClaiming(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    return out; // CRC left 0: the size is refused before any check of it
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(new Uint8Array(1 << 20))), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

describe('model files with NaN or infinite weights', () => {
  it('are never written', () => {
    const net = new Network({ layerDims: [3, 2, 1] });
    net.parameters.W1!.data[4] = NaN;
    expect(() => net.toBytes()).toThrow(new ModelFileError('encodeModel: parameter W1[1, 1] is NaN: a model with NaN or infinite weights is not saved (the training diverged)'));
  });

  it('are refused on load, naming the file and the tensor', () => {
    const bytes = new Network({ layerDims: [3, 2, 1] }).toBytes();
    const file = parseSafetensors(bytes);
    const b2 = file.tensors.find((t) => t.name === 'b2')!;
    new DataView(bytes.buffer, bytes.byteOffset).setFloat64(b2.begin, -Infinity, true);
    expect(() => Network.fromBytes(bytes, 'nan.safetensors')).toThrow(new ModelFileError('nan.safetensors: tensor b2[0, 0] is -Infinity: a model with NaN or infinite weights cannot be used'));
  });
});

describe('a header of a million tensors', () => {
  it('is refused before JSON.parse builds it', () => {
    const parts: string[] = [];
    for (let i = 0; i < 1_000_000; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const bytes = headerText(`{${parts.join(',')}}`);
    expect(() => Network.fromBytes(bytes, 'many.safetensors')).toThrow(new ModelFileError('many.safetensors: header lists more than 2000 tensors, more than this reader takes (not a model file, or corrupt)'));
    expect(() => parseSafetensors(bytes, 'many.safetensors')).toThrow(/more than 100000 tensors/);
  });
});

describe('images: the pixel limit is checked in the header, before decoding', () => {
  it('a PNG that claims 30000 x 30000 is refused at once', () => {
    const bomb = pngClaiming(30000, 30000);
    expect(imageSize(bomb)).toEqual({ width: 30000, height: 30000 });
    expect(() => decodeImage(bomb, 'bomb.png')).toThrow(
      new DataError(`bomb.png: the image claims 30000 x 30000 = 900000000 pixels, more than the ${MAX_IMAGE_PIXELS} deepnet decodes (a decompression bomb, or resize it first)`),
    );
    expect(() => decodeImage(pngClaiming(0, 5), 'empty.png')).toThrow('empty.png: the image is 0 x 5 pixels: empty');
  });

  it('a JPEG whose frame claims 60000 x 60000 is refused the same way', () => {
    // SOI, then a baseline frame header: FF C0, length 17, precision 8, height, width, 3 components.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0xea, 0x60, 0xea, 0x60, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
    expect(imageSize(jpeg)).toEqual({ width: 60000, height: 60000 });
    expect(() => decodeImage(jpeg, 'big.jpg')).toThrow(/^big\.jpg: the image claims 60000 x 60000 = 3600000000 pixels/);
  });
});

describe('relu(NaN) is NaN, as numpy\'s maximum(0, z)', () => {
  it('in the activation and the reference backend; relu\'(NaN) keeps dA as the course\'s relu_backward', () => {
    expect(relu.g(NaN)).toBeNaN();
    expect(relu.g(-1)).toBe(0);
    expect(Object.is(relu.g(-0), 0)).toBe(true);
    expect(relu.g(2)).toBe(2);
    expect(relu.dg(NaN, NaN)).toBe(1);
    expect(relu.dg(0, 0)).toBe(0);
    const Z = Matrix.from([[NaN, -1, 3]]);
    const A = Matrix.zeros(1, 3);
    new ReferenceBackend().activationForward(relu, Z, A);
    expect(Array.from(A.data)).toEqual([NaN, 0, 3]);
  });
});
