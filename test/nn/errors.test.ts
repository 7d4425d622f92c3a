import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError, TrainingError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { activation } from '../../src/nn/activations.js';
import { computeCost } from '../../src/nn/costs.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { linearActivationForward, linearBackward, linearForward } from '../../src/nn/layer.js';
import { lModelBackward, lModelForward, updateParameters } from '../../src/nn/model.js';
import { Network } from '../../src/nn/network.js';
import { gradientDescent } from '../../src/nn/train.js';

const zeros = (r: number, c: number) => Matrix.zeros(r, c);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('shape errors name the operation, the layer, both shapes and the rule', () => {
  it('linearForward with W(4,3) and A(5,10) at layer 2', () => {
    const e = thrown(() => linearForward(zeros(5, 10), zeros(4, 3), zeros(4, 1), 2));
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as ShapeError).code).toBe('E_SHAPE');
    expect(e.message).toContain('linearForward');
    expect(e.message).toContain('layer 2');
    expect(e.message).toContain('W[2] (4, 3)');
    expect(e.message).toContain('A[1] (5, 10)');
    expect(e.message).toContain("W[2]'s columns must equal A_prev's rows");
  });

  it('X given as (m, n_x) gets a hint about one sample per column', () => {
    const parameters = initializeParametersDeep([3, 2, 1]);
    const e = thrown(() => lModelForward(zeros(10, 3), parameters));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/layer 1.*W\[1\] \(2, 3\).*A\[0\] \(= X\) \(10, 3\)/);
    expect(e.message).toMatch(/one sample per COLUMN.*\(n_x, m\) = \(3, 10\).*transpose/);
  });

  it('b with the wrong shape', () => {
    expect(() => linearForward(zeros(3, 5), zeros(4, 3), zeros(1, 4), 3)).toThrow(
      /linearForward \(layer 3\): b\[3\] has shape \(1, 4\) but must be \(4, 1\)/,
    );
  });

  it('dtypes that differ', () => {
    expect(() => linearForward(Matrix.zeros(3, 5, 'float32'), zeros(4, 3), zeros(4, 1), 1)).toThrow(/W\[1\] is float64 but A\[0\] \(= X\) is float32/);
    expect(() => linearForward(zeros(3, 5), zeros(4, 3), Matrix.zeros(4, 1, 'float32'), 2)).toThrow(/linearForward \(layer 2\): W\[2\] is float64 but b is float32/);
  });

  it('linearBackward with dZ of the wrong shape', () => {
    const [, cache] = linearForward(zeros(3, 5), zeros(4, 3), zeros(4, 1), 2);
    expect(() => linearBackward(zeros(4, 6), cache, 2)).toThrow(/linearBackward \(layer 2\): dZ\[2\] has shape \(4, 6\) but must be \(4, 5\)/);
  });

  it('computeCost and lModelBackward with Y that does not match AL', () => {
    expect(() => computeCost(zeros(1, 5), zeros(1, 4))).toThrow(/computeCost: AL \(1, 5\) and Y \(1, 4\) must have the same shape/);
    const parameters = initializeParametersDeep([3, 1]);
    const [AL, caches] = lModelForward(zeros(3, 4), parameters);
    expect(() => lModelBackward(AL, zeros(4, 1), caches)).toThrow(ShapeError);
  });

  it('updateParameters with a gradient of the wrong shape', () => {
    const parameters = initializeParametersDeep([3, 2]);
    expect(() => updateParameters(parameters, { dW1: zeros(3, 2), db1: zeros(2, 1) }, 0.1)).toThrow(
      /updateParameters \(layer 1\): dW\[1\] \(3, 2\) must have the shape of W\[1\] \(2, 3\)/,
    );
  });

  it('training data whose X and Y disagree on m, or Y as a column', () => {
    const parameters = initializeParametersDeep([3, 1]);
    expect(() => gradientDescent(zeros(3, 5), zeros(1, 4), parameters, { iterations: 1 })).toThrow(
      /Y \(1, 4\) must be \(n\[L\], m\) = \(1, 5\)/,
    );
    expect(() => gradientDescent(zeros(3, 5), zeros(5, 1), parameters, { iterations: 1 })).toThrow(/Y holds one label per row; transpose it/);
  });
});

describe('configuration errors', () => {
  it('unknown activations and costs list the valid ones', () => {
    expect(() => activation('softplus')).toThrow(ConfigError);
    expect(() => activation('softplus')).toThrow(/unknown activation "softplus"; choose one of sigmoid, tanh, relu, leakyRelu, linear/);
    expect(() => linearActivationForward(zeros(3, 2), zeros(1, 3), zeros(1, 1), 'swish', 4)).toThrow(/layer 4.*unknown activation "swish"/);
    expect(() => computeCost(zeros(1, 2), zeros(1, 2), 'hinge' as never)).toThrow(/unknown cost "hinge"/);
  });

  it('Network rejects unknown options, bad layerDims and bce without a sigmoid output', () => {
    expect(() => new Network({ layerDims: [2, 1], learningRate: 0.1 } as never)).toThrow(/Network: unknown option "learningRate"/);
    expect(() => new Network({ layerDims: [2] })).toThrow(/at least the input and output sizes/);
    expect(() => new Network({ layerDims: [2, -3, 1] })).toThrow(/layerDims\[1\] \(n\[1\]\) must be a positive integer, got -3/);
    expect(() => new Network({ layerDims: [2, 1], output: 'relu' })).toThrow(/cost 'bce' needs a sigmoid output layer/);
    expect(() => new Network({ layerDims: [2, 1], dtype: 'float16' as never })).toThrow(/dtype must be 'float64' or 'float32'/);
    expect(() => new Network({ layerDims: [2, 3, 1], activations: ['relu'] })).toThrow(/activations lists 1 activations but the network has L = 2 layers/);
  });

  it('fit rejects a learning rate <= 0, fractional iterations and unknown options', () => {
    const net = new Network({ layerDims: [2, 1] });
    const X = zeros(2, 3);
    const Y = zeros(1, 3);
    expect(() => net.fit(X, Y, { learningRate: 0 })).toThrow(/learningRate must be a finite number > 0, got 0/);
    expect(() => net.fit(X, Y, { learningRate: Number.NaN })).toThrow(ConfigError);
    expect(() => net.fit(X, Y, { iterations: 1.5 })).toThrow(/iterations must be a non-negative integer, got 1.5/);
    expect(() => net.fit(X, Y, { epoch: 3 } as never)).toThrow(/fit: unknown option "epoch"; known options: learningRate, epochs/);
  });
});

describe('a non-finite cost stops training', () => {
  it('names the iteration and the last finite cost', () => {
    // A linear regression with a far too large learning rate overflows to Infinity, then NaN.
    const net = new Network({ layerDims: [1, 1], output: 'linear', cost: 'mse', seed: 3 });
    const X = Matrix.from([[1, 2, 3, 4]]);
    const Y = Matrix.from([[2, 4, 6, 8]]);
    const e = thrown(() => net.fit(X, Y, { learningRate: 1e6, iterations: 500 }));
    expect(e).toBeInstanceOf(TrainingError);
    expect(e.message).toMatch(/training diverged: the cost is (Infinity|NaN) at iteration \d+; the last finite cost was [\d.e+]+ at iteration \d+/);
    const [, at, lastAt] = /at iteration (\d+); the last finite cost was [\d.e+]+ at iteration (\d+)/.exec(e.message)!;
    expect(Number(lastAt)).toBe(Number(at) - 1);
  });
});
