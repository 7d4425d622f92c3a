import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../src/errors.js';
import { assertMultiplies, Matrix } from '../src/matrix.js';

describe('Matrix', () => {
  it('stores rows in row-major order and round-trips nested arrays', () => {
    const A = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(A.shape).toEqual([2, 3]);
    expect(A.rows).toBe(2);
    expect(A.cols).toBe(3);
    expect(A.dtype).toBe('float64');
    expect(Array.from(A.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(A.get(1, 0)).toBe(4);
    expect(A.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(A.T.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it('keeps float32 storage and rounds on conversion', () => {
    const A = Matrix.from([[0.1]], 'float32');
    expect(A.dtype).toBe('float32');
    expect(A.data).toBeInstanceOf(Float32Array);
    expect(A.get(0, 0)).toBe(Math.fround(0.1));
    expect(A.astype('float64').get(0, 0)).toBe(Math.fround(0.1));
  });

  it('zeros and fromTypedArray give the requested shapes', () => {
    expect(Matrix.zeros(3, 4, 'float32').data).toEqual(new Float32Array(12));
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const M = Matrix.fromTypedArray(data, 3, 2);
    expect(M.data).toBe(data);
    expect(M.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('sliceColumns takes a batch of samples', () => {
    const X = Matrix.from([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(X.sliceColumns(1, 3).toArray()).toEqual([
      [2, 3],
      [6, 7],
    ]);
  });

  it('rejects ragged rows, wrong storage sizes and unknown dtypes', () => {
    expect(() => Matrix.from([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => Matrix.from([[1, 2], [3]])).toThrow(/row 1 has 1 values but row 0 has 2/);
    expect(() => Matrix.fromTypedArray(new Float64Array(5), 2, 3)).toThrow(/storage holds 5 values but shape \(2, 3\) needs 6/);
    expect(() => Matrix.zeros(2, 2, 'int8' as never)).toThrow(ConfigError);
    expect(() => Matrix.from([[1, 'a' as never]])).toThrow(/element \(0, 1\) is string/);
  });

  it('assertMultiplies names both shapes and hints at samples-as-rows', () => {
    const W = Matrix.zeros(4, 3);
    const A = Matrix.zeros(10, 3);
    expect(() => assertMultiplies('linearForward', W, 'W[1]', A, 'X', 1)).toThrow(
      /linearForward \(layer 1\): cannot multiply W\[1\] \(4, 3\) by X \(10, 3\).*one sample per COLUMN.*transpose/,
    );
  });
});
