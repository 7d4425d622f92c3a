import { describe, expect, it } from 'vitest';
import { generatePlanar, linspace, planarDataset } from '../../src/data/planar.js';
import { ConfigError } from '../../src/errors.js';
import { expectMatrixClose, loadFixture } from '../helpers/fixtures.js';

describe('planar (the course week-3 flower)', () => {
  it('equals numpy load_planar_dataset() bit for bit in float64', () => {
    const fx = loadFixture('planar');
    const { X, Y } = planarDataset();
    expect(X.shape).toEqual([2, 400]);
    let differ = 0;
    let first = '';
    for (let i = 0; i < 2; i++) {
      for (let s = 0; s < 400; s++) {
        if (!Object.is(X.get(i, s), fx.X[i][s])) {
          if (!first) first = `(${i}, ${s}): ${X.get(i, s)} vs ${fx.X[i][s]}`;
          differ++;
        }
      }
    }
    expect(differ, `first difference ${first}`).toBe(0);
    expect(Array.from(Y.data)).toEqual(fx.Y[0]);
  });

  it('generatePlanar (JavaScript sin/cos) agrees with numpy to a few ulp', () => {
    const fx = loadFixture('planar');
    const { X, Y } = generatePlanar();
    // r * sin(t) near a petal's tip cancels, so compare with an absolute floor.
    expectMatrixClose(X, fx.X, 1e-13, 1e-14, 'planar X');
    expect(Array.from(Y.data)).toEqual(fx.Y[0]);
  });

  it('rejects an odd m', () => {
    expect(() => generatePlanar({ m: 7 })).toThrow(ConfigError);
    expect(() => generatePlanar({ m: 7 })).toThrow(/even integer/);
  });

  it('linspace sets the last value to stop, as numpy does', () => {
    const v = linspace(3.12, 6.24, 200);
    expect(v[0]).toBe(3.12);
    expect(v[199]).toBe(6.24);
    expect(v[1]).toBe(1 * (3.12 / 199) + 3.12);
    expect(Array.from(linspace(2, 5, 1))).toEqual([2]);
  });
});
