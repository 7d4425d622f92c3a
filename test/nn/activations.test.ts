import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activation, leakyRelu, relu, sigmoid, tanh } from '../../src/nn/activations.js';

describe('activations: g and g\' agree', () => {
  it.each(ACTIVATIONS)("%s: g'(z) equals the centred difference of g away from kinks", (name) => {
    const act = activation(name);
    for (const z of [-3.1, -0.7, -0.05, 0.05, 0.4, 2.9]) {
      const h = 1e-6;
      const numeric = (act.g(z + h) - act.g(z - h)) / (2 * h);
      expect(act.dg(z, act.g(z))).toBeCloseTo(numeric, 8);
    }
  });

  it("relu'(0) = 0 as in the course, and relu(0) = 0", () => {
    expect(relu.g(0)).toBe(0);
    expect(relu.dg(0, 0)).toBe(0);
    expect(relu.dg(1e-300, 1e-300)).toBe(1);
  });

  it('values the course uses', () => {
    expect(sigmoid.g(0)).toBe(0.5);
    expect(sigmoid.dg(0, 0.5)).toBe(0.25);
    expect(tanh.dg(0, 0)).toBe(1);
    expect(leakyRelu(0.2).g(-5)).toBe(-1);
    expect(leakyRelu().dg(-5, -0.05)).toBe(0.01);
  });

  it('leaky slope must be in [0, 1)', () => {
    expect(() => leakyRelu(1)).toThrow(/slope must be a finite number in \[0, 1\), got 1/);
    expect(() => leakyRelu(Number.NaN)).toThrow(/got NaN/);
  });
});
