import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dataset, samplesToColumns, scaledInto } from '../../src/data/dataset.js';
import { applyNormalization, fitMinMax, fitStandardization } from '../../src/data/normalize.js';
import { classCount, oneHot } from '../../src/data/onehot.js';
import { shuffle, takeColumns, trainTestSplit } from '../../src/data/split.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { argmaxColumns } from '../../src/nn/softmax.js';
import { expectClose } from '../helpers/fixtures.js';

// numpy's permutation split and training statistics (test/fixtures/make_split.py).
const fx = JSON.parse(readFileSync(new URL('../fixtures/split.json', import.meta.url), 'utf8'));

function dataset(X: number[][]): Dataset {
  const m = X[0]!.length;
  return { X: Matrix.from(X), Y: Matrix.from([Array.from({ length: m }, (_, j) => j)]), source: 'mem' };
}

describe('train/test split and shuffle (np.random.permutation)', () => {
  for (const c of fx.cases) {
    it(`seed ${c.seed}, m = ${c.m}, test fraction ${c.testFraction}`, () => {
      const data = dataset(c.X);
      const { train, test } = trainTestSplit(data, { seed: c.seed, testFraction: c.testFraction });
      // Y holds each sample's original index, so it shows which samples went where.
      expect(Array.from(test.Y.data)).toEqual(c.test);
      expect(Array.from(train.Y.data)).toEqual(c.train);
      expect(train.X.get(0, 0)).toBe(c.X[0][c.train[0]]);
      expect(Array.from(shuffle(data, c.seed).Y.data)).toEqual(c.perm);
      const stats = fitStandardization(train.X);
      c.trainMean.forEach((mu: number, i: number) => expectClose(stats.mean[i]!, mu, 1e-12, `mean ${i}`));
      expectClose(stats.std[0]!, c.trainStd[0], 1e-12, 'std 0');
      expect(c.trainStd[2]).toBe(0);
    });
  }

  it('bad fractions are ConfigErrors; a split that leaves no training sample is a DataError', () => {
    const data = dataset([[1, 2, 3]]);
    expect(() => trainTestSplit(data, { testFraction: 1 })).toThrow(ConfigError);
    expect(() => trainTestSplit(data, { testFraction: 0.9 })).toThrow(/leaves none to train on/);
    expect(() => trainTestSplit({ ...data, Y: Matrix.zeros(1, 2) })).toThrow(DataError);
  });

  it('property: a split partitions the samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.nat(1000), (m, f, seed) => {
        const data = dataset([Array.from({ length: m }, (_, j) => j)]);
        if (Math.ceil(f * m) >= m) return;
        const { train, test } = trainTestSplit(data, { testFraction: f, seed });
        const all = [...train.Y.data, ...test.Y.data].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: m }, (_, j) => j));
        expect(test.Y.cols).toBe(Math.ceil(f * m));
      }),
    );
  });
});

describe('normalisation on training statistics', () => {
  const X = Matrix.from([
    [1, 2, 3, 4],
    [5, 5, 5, 5],
    [-2, 0, 2, 4],
  ]);

  it('standardisation: mean 0, std 1 per feature; a constant feature becomes 0 (std kept as 1)', () => {
    const stats = fitStandardization(X);
    expect(stats.mean).toEqual([2.5, 5, 1]);
    expect(stats.std[1]).toBe(1);
    const Z = applyNormalization(X, stats);
    expect(Array.from(Z.data.slice(4, 8))).toEqual([0, 0, 0, 0]);
    const row0 = Array.from(Z.data.slice(0, 4));
    expect(row0.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 15);
    expect(row0.reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 15);
  });

  it('min-max scales the training set to [0, 1]; the test set uses the training statistics', () => {
    const stats = fitMinMax(X);
    expect(stats).toEqual({ mean: [1, 5, -2], std: [3, 1, 6] });
    expect(Array.from(applyNormalization(X, stats).data.slice(8))).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(applyNormalization(Matrix.from([[7], [5], [10]]), stats).toArray()).toEqual([[2], [0], [2]]);
  });

  it('mismatched statistics and empty training sets are DataErrors', () => {
    expect(() => applyNormalization(X, { mean: [0], std: [1] })).toThrow(/statistics are for 1 features but X has 3 rows/);
    expect(() => fitStandardization(Matrix.zeros(3, 0))).toThrow(DataError);
    expect(() => fitMinMax(Matrix.zeros(3, 0))).toThrow(/no samples/);
  });
});

describe('one-hot labels', () => {
  it('class indices (1, m) to (K, m)', () => {
    expect(oneHot(Matrix.from([[2, 0, 1, 2]]), 3).toArray()).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [1, 0, 0, 1],
    ]);
    expect(classCount(Matrix.from([[2, 0, 1, 2]]))).toBe(3);
    expect(classCount(Matrix.from([[0, 1]]), ['a', 'b', 'c'])).toBe(3);
    expect(classCount(Matrix.from([[0.5, 1]]))).toBe(0);
  });
  it('a label out of range names the sample', () => {
    expect(() => oneHot(Matrix.from([[0, 3]]), 3, 'y.csv')).toThrow(/y.csv: sample 1 has label 3; expected a class index 0..2/);
    expect(() => oneHot(Matrix.from([[0.5]]), 3)).toThrow(DataError);
    expect(() => oneHot(Matrix.zeros(2, 2), 3)).toThrow(/shape \(1, m\)/);
  });
  it('property: argmax of the one-hot columns gives the labels back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }).chain((K) => fc.tuple(fc.constant(K), fc.array(fc.nat(K - 1), { minLength: 1, maxLength: 50 }))), ([K, labels]) => {
        const Y = oneHot(Matrix.from([labels]), K);
        expect(Array.from(argmaxColumns(Y).data)).toEqual(labels);
        expect(Array.from(Y.data).reduce((a, b) => a + b, 0)).toBe(labels.length);
      }),
    );
  });

  it('takeColumns reorders samples', () => {
    expect(takeColumns(Matrix.from([[1, 2, 3], [4, 5, 6]]), [2, 0]).toArray()).toEqual([[3, 1], [6, 4]]);
  });
});

describe('samplesToColumns', () => {
  it('pixels (Uint8Array) give the same bits as the course formula x.reshape(m, -1).T / 255', () => {
    const m = 67;
    const n = 130; // over two 64-wide blocks each way, with a remainder
    const pixels = Uint8Array.from({ length: m * n }, (_, t) => (t * 37 + (t >> 3)) % 256);
    for (const out of [new Float64Array(m * n), new Float32Array(m * n)]) {
      samplesToColumns(pixels, m, n, out, 255);
      const generic = out instanceof Float64Array ? new Float64Array(m * n) : new Float32Array(m * n);
      samplesToColumns(Array.from(pixels), m, n, generic, 255);
      expect(Array.from(out)).toEqual(Array.from(generic));
      for (const [s, f] of [[0, 0], [66, 129], [5, 64], [64, 5]] as const) {
        expect(out[f * m + s]).toBe(out instanceof Float64Array ? pixels[s * n + f]! / 255 : Math.fround(pixels[s * n + f]! / 255));
      }
    }
  });
});

describe('scaledInto', () => {
  it('values already (n, m): out = values / scale, element by element, in the dtype of out (rounded once)', () => {
    const pixels = Uint8Array.from({ length: 300 }, (_, t) => (t * 37) % 256);
    const f64 = new Float64Array(300);
    const f32 = new Float32Array(300);
    scaledInto(pixels, f64, 255);
    scaledInto(pixels, f32, 255);
    pixels.forEach((p, t) => {
      expect(f64[t]).toBe(p / 255);
      expect(f32[t]).toBe(Math.fround(p / 255));
    });
    expect(() => scaledInto(pixels, new Float64Array(299), 255)).toThrow(new RangeError('scaledInto: 300 values for 299 elements'));
  });

  it('bytes (a Buffer too) and other values give the quotient of each value, by any scale', () => {
    const bytes = Buffer.from(Uint8Array.from({ length: 512 }, (_, t) => (t * 101) % 256));
    const other = Float32Array.from({ length: 512 }, (_, t) => (t * 101) % 256);
    for (const scale of [255, 7, 0.3]) {
      const fromBytes = new Float64Array(512);
      const fromOther = new Float32Array(512);
      scaledInto(bytes, fromBytes, scale);
      scaledInto(other, fromOther, scale);
      bytes.forEach((p, t) => {
        expect(fromBytes[t]).toBe(p / scale);
        expect(fromOther[t]).toBe(Math.fround(other[t]! / scale));
      });
    }
  });
});
