import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { initializeParameters, initializeParametersDeep } from '../../src/nn/init.js';
import { NumpyRandom } from '../../src/random.js';
import { expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

describe('initializeParametersDeep', () => {
  it("reproduces the course's deep init (seed 1, randn / sqrt(n[l-1])) of the fixtures", () => {
    const f = loadFixture('deep_small');
    const p = initializeParametersDeep(f.layerDims);
    for (const [k, v] of Object.entries(f.initialParameters)) expectMatrixClose(p[k]!, v as number[][], 1e-15, 0, k);
  });

  it('draws layer by layer from one seeded stream, row-major', () => {
    const p = initializeParametersDeep([3, 2, 1], { seed: 5 });
    const z = new NumpyRandom(5).randn(2 * 3 + 1 * 2);
    expect(p.W1!.get(1, 2)).toBe(z[5]! / Math.sqrt(3));
    expect(p.W2!.get(0, 1)).toBe(z[7]! / Math.sqrt(2));
    expect(p.b1!.shape).toEqual([2, 1]);
    expect(Array.from(p.b2!.data)).toEqual([0]);
  });

  it('he, small and zeros scale the same draws', () => {
    const z = new NumpyRandom(1).randn(4 * 3);
    const he = initializeParametersDeep([3, 4], { init: 'he' });
    const small = initializeParametersDeep([3, 4], { init: 'small' });
    expect(he.W1!.get(0, 0)).toBe(z[0]! * Math.sqrt(2 / 3));
    expect(small.W1!.get(2, 1)).toBe(z[7]! * 0.01);
    expect(Array.from(initializeParametersDeep([3, 4], { init: 'zeros' }).W1!.data)).toEqual(new Array(12).fill(0));
  });

  it('is deterministic and follows the dtype', () => {
    const a = initializeParametersDeep([5, 3, 1], { seed: 7, dtype: 'float32' });
    const b = initializeParametersDeep([5, 3, 1], { seed: 7, dtype: 'float32' });
    expect(a.W1!.dtype).toBe('float32');
    expect(a.W1!.data).toEqual(b.W1!.data);
  });

  it('rejects bad layerDims and unknown inits', () => {
    expect(() => initializeParametersDeep([5])).toThrow(ConfigError);
    expect(() => initializeParametersDeep([5, 0, 1])).toThrow(/layerDims\[1\] \(n\[1\]\) must be a positive integer, got 0/);
    expect(() => initializeParametersDeep([5, 2.5, 1])).toThrow(/got 2.5/);
    expect(() => initializeParametersDeep([5, 1], { init: 'glorot' as never })).toThrow(/unknown init "glorot"/);
  });
});

describe('initializeParameters', () => {
  it("reproduces the week-3 notebook's init (seed 2, randn x 0.01)", () => {
    const f = loadFixture('week3_planar_shallow');
    const p = initializeParameters(2, 4, 1, { seed: 2 });
    for (const [k, v] of Object.entries(f.initialParameters)) expectMatrixClose(p[k]!, v as number[][], 1e-15, 0, k);
  });

  it('has the two-layer shapes', () => {
    const p = initializeParameters(12288, 7, 1);
    expect(p.W1!.shape).toEqual([7, 12288]);
    expect(p.b1!.shape).toEqual([7, 1]);
    expect(p.W2!.shape).toEqual([1, 7]);
    expect(p.b2!.shape).toEqual([1, 1]);
  });
});
