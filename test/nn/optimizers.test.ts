import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import {
  createOptimizer,
  initializeAdam,
  initializeVelocity,
  updateParametersWithAdam,
  updateParametersWithMomentum,
  updateParametersWithRmsprop,
} from '../../src/nn/optimizers.js';
import { expectMatrixClose } from '../helpers/fixtures.js';
import { fx, initialParameters, matrices } from './trainingFixture.js';

const step = fx.optimizerStep;

function expectAllClose(actual: Record<string, { toArray(): number[][] } & object>, expected: Record<string, number[][]>, what: string): void {
  for (const [k, v] of Object.entries(expected)) expectMatrixClose(actual[k] as never, v, 1e-13, 1e-16, `${what} ${k}`);
}

describe('one step of each optimiser matches numpy (the course\'s formulas)', () => {
  it('momentum', () => {
    const [p, v] = updateParametersWithMomentum(initialParameters(), matrices(step.grads), matrices(step.v), step.momentum.beta, step.learningRate);
    expectAllClose(p, step.momentum.parameters, 'W, b');
    expectAllClose(v, step.momentum.v, 'v');
  });

  it('RMSprop', () => {
    const [p, s] = updateParametersWithRmsprop(initialParameters(), matrices(step.grads), matrices(step.s), step.rmsprop.beta2, step.learningRate, step.rmsprop.epsilon);
    expectAllClose(p, step.rmsprop.parameters, 'W, b');
    expectAllClose(s, step.rmsprop.s, 's');
  });

  it('Adam at t = 3, with bias correction', () => {
    const a = step.adam;
    const [p, v, s, vc, sc] = updateParametersWithAdam(
      initialParameters(),
      matrices(step.grads),
      matrices(step.v),
      matrices(step.s),
      a.t,
      step.learningRate,
      a.beta1,
      a.beta2,
      a.epsilon,
    );
    expectAllClose(p, a.parameters, 'W, b');
    expectAllClose(v, a.v, 'v');
    expectAllClose(s, a.s, 's');
    expectAllClose(vc, a.vCorrected, 'v corrected');
    expectAllClose(sc, a.sCorrected, 's corrected');
  });

  it('initialize_velocity and initialize_adam give zeros shaped like the parameters', () => {
    const v = initializeVelocity(initialParameters());
    expect(Object.keys(v).sort()).toEqual(['dW1', 'dW2', 'dW3', 'db1', 'db2', 'db3']);
    expect(v.dW2!.shape).toEqual([3, 4]);
    expect([...v.dW2!.data].every((x) => x === 0)).toBe(true);
    const [va, sa] = initializeAdam(initialParameters());
    expect(va.db1!.shape).toEqual([4, 1]);
    expect(sa).not.toBe(va);
  });

  it('Adam\'s first step moves every weight by about α (v̂ / √ŝ = ±1)', () => {
    const p = initialParameters();
    const before = p.W1!.clone();
    const opt = createOptimizer('adam', p, { beta: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    opt.update(p, matrices(step.grads), 0.01, 1);
    for (let t = 0; t < before.data.length; t++) expect(Math.abs(before.data[t]! - p.W1!.data[t]!)).toBeCloseTo(0.01, 4);
  });

  it('names a gradient whose shape does not fit its parameter', () => {
    const grads = matrices(step.grads);
    grads.dW2 = grads.dW1!;
    expect(() => updateParametersWithMomentum(initialParameters(), grads, matrices(step.v), 0.9, 0.01)).toThrow(ShapeError);
    expect(() => updateParametersWithMomentum(initialParameters(), grads, matrices(step.v), 0.9, 0.01)).toThrow(/dW2 \(4, 5\) must have the shape of W2 \(3, 4\)/);
  });
});
