import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Matrix } from '../../src/matrix.js';

/** The shared numpy fixtures sit beside the repository (../shared/fixtures). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFixture(name: string): any {
  const path = `${FIXTURES_DIR}${name}.json`;
  if (!existsSync(path)) throw new Error(`fixture ${path} is missing: the shared fixtures must sit beside the repository`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function M(values: number[][]): Matrix {
  return Matrix.from(values);
}

/** Every element within max(atol, rtol * |expected|) of the expected nested list. */
export function expectMatrixClose(actual: Matrix, expected: number[][], rtol = 1e-12, atol = 1e-12, what = 'matrix'): void {
  expect(actual.shape, `${what} shape`).toEqual([expected.length, expected[0]?.length ?? 0]);
  let worst = 0;
  let where = '';
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i]!.length; j++) {
      const e = expected[i]![j]!;
      const a = actual.get(i, j);
      const diff = Math.abs(a - e);
      const allowed = Math.max(atol, rtol * Math.abs(e));
      const ratio = diff === 0 ? 0 : allowed === 0 ? Number.POSITIVE_INFINITY : diff / allowed;
      if (!(ratio <= worst)) {
        worst = ratio;
        where = `(${i}, ${j}): got ${a}, expected ${e}`;
      }
    }
  }
  expect(worst, `${what}: worst error (in units of the tolerance) at ${where}`).toBeLessThanOrEqual(1);
}

export function expectClose(actual: number, expected: number, rtol = 1e-12, what = 'value'): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  expect(err, `${what}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(rtol);
}
