import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import type { Parameters } from '../../src/nn/parameters.js';

/** test/fixtures/course_weeks.json, made by test/fixtures/make_course_weeks.py from the notebooks' code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COURSE: { cases: Record<string, any>; lessons: Record<string, string[]> } = JSON.parse(
  readFileSync(new URL('../fixtures/course_weeks.json', import.meta.url), 'utf8'),
);

export function matrices(values: Record<string, number[][]>): Parameters {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Matrix.from(v)]));
}

const NUMBER = /-?\d+(?:\.\d*)?(?:e[-+]\d+)?/g;

/** The unit of the last digit a printed number shows: "0.693147" -> 1e-6, "1.5e-05" -> 1e-6. */
function lastDigit(token: string): number {
  const [mantissa, exp] = token.split('e');
  const frac = mantissa!.includes('.') ? mantissa!.split('.')[1]!.length : 0;
  return 10 ** (-frac + Number(exp ?? 0));
}

/**
 * Printed lines against numpy's: the text between numbers is equal, and each number within
 * max(rtol |expected|, one unit of its last printed digit), so a digit rounded the other way by
 * a sum taken in another order passes and anything else fails.
 */
export function expectLines(got: readonly string[], expected: readonly string[], rtolOf: (line: string) => number = () => 1e-9): void {
  expect(got.length, `${got.length} lines printed, numpy's notebook prints ${expected.length}`).toBe(expected.length);
  expected.forEach((e, i) => {
    const g = got[i]!;
    expect(g.replace(NUMBER, '#').replace(/ +/g, ' '), `line ${i}: ${g}`).toBe(e.replace(NUMBER, '#').replace(/ +/g, ' '));
    const gn = g.match(NUMBER) ?? [];
    const en = e.match(NUMBER) ?? [];
    en.forEach((t, k) => {
      const want = Number(t);
      const have = Number(gn[k]);
      const allowed = Math.max(rtolOf(e) * Math.abs(want), lastDigit(t) * 1.0000001);
      expect(Math.abs(have - want), `line ${i}, number ${k}: printed ${gn[k]}, numpy ${t}`).toBeLessThanOrEqual(allowed);
    });
  });
}
