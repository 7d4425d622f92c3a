import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { circlesDataset, gaussianDataset, moonsDataset, spiralDataset, xorDataset } from '../../src/data/synthetic.js';
import { ConfigError } from '../../src/errors.js';
import { expectMatrixClose } from '../helpers/fixtures.js';

// numpy's output for the same recipes (test/fixtures/make_synthetic.py).
const fx = JSON.parse(readFileSync(new URL('../fixtures/synthetic.json', import.meta.url), 'utf8'));

describe('built-in 2-D data sets match their numpy recipes (seed 1)', () => {
  const cases = [
    ['xor', xorDataset],
    ['circles', circlesDataset],
    ['moons', moonsDataset],
    ['spiral', spiralDataset],
    ['gaussian', gaussianDataset],
  ] as const;
  for (const [name, make] of cases) {
    it(name, () => {
      const d = make();
      // Only sin/cos rounding (a few ulp) separates the two.
      expectMatrixClose(d.X, fx[name].X, 1e-13, 1e-14, `${name} X`);
      expect(Array.from(d.Y.data), `${name} Y`).toEqual(fx[name].Y[0]);
      expect(d.source).toBe(`builtin:${name}`);
      expect(d.classes!.length).toBe(Math.max(...fx[name].Y[0]) + 1);
    });
  }

  it('xor is bit-exact (no sin/cos in it)', () => {
    const d = xorDataset();
    expect(Array.from(d.X.data)).toEqual([...fx.xor.X[0], ...fx.xor.X[1]]);
  });

  it('xor takes noise: the labels are the clean points\', the points move by noise * randn', () => {
    const clean = xorDataset();
    const noisy = xorDataset({ noise: 0.1 });
    expect(Array.from(noisy.Y.data)).toEqual(Array.from(clean.Y.data));
    const moved = Array.from(noisy.X.data, (x, t) => x - clean.X.data[t]!);
    const sd = Math.sqrt(moved.reduce((a, d) => a + d * d, 0) / moved.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
    expect(() => xorDataset({ noise: -0.1 })).toThrow(/xor: noise must be/);
  });

  it('a different seed gives different points, the same seed the same', () => {
    expect(Array.from(spiralDataset({ seed: 2 }).X.data)).not.toEqual(Array.from(spiralDataset().X.data));
    expect(Array.from(spiralDataset({ seed: 2 }).X.data)).toEqual(Array.from(spiralDataset({ seed: 2 }).X.data));
  });

  it('spiral and gaussian take K classes; float32 on request', () => {
    const d = spiralDataset({ K: 5, m: 500, dtype: 'float32' });
    expect(d.X.shape).toEqual([2, 500]);
    expect(d.X.dtype).toBe('float32');
    expect(new Set(d.Y.data).size).toBe(5);
    expect(gaussianDataset({ K: 4, m: 40 }).classes).toEqual(['0', '1', '2', '3']);
  });

  it('bad options are ConfigErrors naming the option', () => {
    expect(() => spiralDataset({ m: 100, K: 3 })).toThrow(/multiple of the 3 classes/);
    expect(() => gaussianDataset({ K: 1 })).toThrow(ConfigError);
    expect(() => moonsDataset({ noise: -1 })).toThrow(/noise must be/);
    expect(() => circlesDataset({ m: 3 })).toThrow(ConfigError);
    expect(() => xorDataset({ m: 0 })).toThrow(/xor: m must be/);
  });
});
