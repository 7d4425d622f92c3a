import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import { binaryCrossEntropy, CLAMPED_LOSS } from '../../src/nn/costs.js';

// The course's formula, term by term, as compute_cost writes it (with the saturation clamp).
function courseBce(a: number[], y: number[]): number {
  const edge = 2 ** -53;
  let s = 0;
  for (let t = 0; t < a.length; t++) {
    const at = a[t] === 0 ? edge : a[t] === 1 ? 1 - edge : a[t]!;
    s += y[t]! * Math.log(at) + (1 - y[t]!) * Math.log(1 - at);
  }
  return -(1 / a.length) * s;
}

describe('binary cross-entropy', () => {
  const outputs = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 2 ** -60, 1 - 2 ** -53)), { minLength: 1, maxLength: 40 });

  it('with 0/1 labels (one log a sample): the bits of the whole formula', () => {
    fc.assert(
      fc.property(outputs, fc.infiniteStream(fc.constantFrom(0, 1)), (a, ys) => {
        const y = a.map(() => ys.next().value as number);
        expect(Object.is(binaryCrossEntropy.cost(Matrix.from([a]), Matrix.from([y])), courseBce(a, y))).toBe(true);
      }),
    );
  });

  it('with soft labels: the whole formula', () => {
    fc.assert(
      fc.property(outputs, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (a, ys) => {
        const y = a.map(() => ys.next().value as number);
        expect(Object.is(binaryCrossEntropy.cost(Matrix.from([a]), Matrix.from([y])), courseBce(a, y))).toBe(true);
      }),
    );
    expect(binaryCrossEntropy.cost(Matrix.from([[0.25, 0.5]]), Matrix.from([[0.5, 0.5]]))).toBe(-(0.5 * Math.log(0.25) + 0.5 * Math.log(0.75) + Math.log(0.5)) / 2);
  });

  it('a saturated wrong output costs -log(2^-53), never Infinity', () => {
    expect(binaryCrossEntropy.cost(Matrix.from([[1, 0]]), Matrix.from([[0, 1]]))).toBe(CLAMPED_LOSS);
  });
});
