import { readFileSync } from 'node:fs';
import { Matrix } from '../../src/matrix.js';
import type { Parameters } from '../../src/nn/parameters.js';

/** test/fixtures/training_options.json, written by test/fixtures/make_training_options.py (numpy). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx: any = JSON.parse(readFileSync(new URL('../fixtures/training_options.json', import.meta.url), 'utf8'));

export function matrices(record: Record<string, number[][]>): Record<string, Matrix> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Matrix.from(v)]));
}

export function initialParameters(): Parameters {
  return matrices(fx.initialParameters);
}

export const X = (): Matrix => Matrix.from(fx.X);
export const Y = (): Matrix => Matrix.from(fx.Y);
