import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { linearActivationBackward, linearActivationForward, type LayerCache } from '../../src/nn/layer.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { NumpyRandom } from '../../src/random.js';
import { expectMatrixClose } from '../helpers/fixtures.js';

function randn(rng: NumpyRandom, r: number, c: number): Matrix {
  return Matrix.fromTypedArray(rng.randn(r, c), r, c);
}

/** The course's ((A_prev, W, b), Z) from deepnet's cache. */
function courseForm(c: LayerCache) {
  return [[c.linearCache.APrev, c.linearCache.W, c.linearCache.b], c.activationCache.Z] as const;
}

describe("the course's caches ((A_prev, W, b), Z) in both backward functions", () => {
  const rng = new NumpyRandom(4);
  const X = randn(rng, 3, 5);
  const Y = Matrix.from([[1, 0, 1, 1, 0]]);
  const parameters = initializeParametersDeep([3, 4, 2, 1]);

  it.each(['relu', 'sigmoid', 'tanh', 'leakyRelu'])('linearActivationBackward (%s): the same grads as from deepnet caches', (act) => {
    const [, cache] = linearActivationForward(X, parameters.W1!, parameters.b1!, act);
    const dA = randn(rng, 4, 5);
    const ours = linearActivationBackward(dA, cache, act);
    const theirs = linearActivationBackward(dA, courseForm(cache), act);
    // Also { linearCache, activationCache: Z } (the course's activation cache is Z alone).
    const mixed = linearActivationBackward(dA, { linearCache: cache.linearCache, activationCache: cache.activationCache.Z } as never, act);
    for (let k = 0; k < 3; k++) {
      expect(theirs[k]!.toArray()).toEqual(ours[k]!.toArray());
      expect(mixed[k]!.toArray()).toEqual(ours[k]!.toArray());
    }
  });

  it('lModelBackward: the same grads from the course-style caches, mixed with deepnet ones', () => {
    const [AL, caches] = lModelForward(X, parameters);
    const ours = lModelBackward(AL, Y, caches);
    const theirs = lModelBackward(AL, Y, [courseForm(caches[0]!), caches[1]!, courseForm(caches[2]!)]);
    for (const k of Object.keys(ours)) expectMatrixClose(theirs[k]!, ours[k]!.toArray(), 0, 0, k);
  });

  const bad: [string, unknown, RegExp][] = [
    ['a Matrix alone', Matrix.zeros(4, 5), /cache must be the course's \(\(A_prev, W, b\), Z\), written \[\[APrev, W, b\], Z\], or the \{ linearCache, activationCache \}.*; got a Matrix \(4, 5\)/],
    ['three items', [1, 2, 3], /got an array of 3 items/],
    ['nested arrays', [[[[1]], [[1]], [[1]]], [[1]]], /the cache's A_prev must be a Matrix, got an array of 1 item \(a nested array becomes one with Matrix\.from/],
    ['null', null, /got null/],
    ['undefined', undefined, /got undefined/],
    ['Z missing', { linearCache: { APrev: X, W: parameters.W1, b: parameters.b1 }, activationCache: {} }, /the activation cache must be Z \(a Matrix\) or \{ Z, A \}, got an empty object/],
  ];
  it.each(bad)('linearActivationBackward: %s is a ShapeError that teaches', (_what, cache, message) => {
    expect(() => linearActivationBackward(Matrix.zeros(4, 5), cache as never, 'relu', 2)).toThrow(ShapeError);
    expect(() => linearActivationBackward(Matrix.zeros(4, 5), cache as never, 'relu', 2)).toThrow(message);
  });

  it('lModelBackward names the layer whose cache is wrong, and refuses a caches that is no list', () => {
    const [AL, caches] = lModelForward(X, parameters);
    expect(() => lModelBackward(AL, Y, [caches[0]!, 'cache' as never, caches[2]!])).toThrow(/^lModelBackward \(layer 2\): cache must be/);
    expect(() => lModelBackward(AL, Y, {} as never)).toThrow(/lModelBackward: caches must list the cache of each layer 1\.\.L/);
  });

  it('anything at all in place of a cache: a ShapeError or a result, never a TypeError', () => {
    const leaf = fc.oneof(fc.constant(Matrix.zeros(4, 5)), fc.constant(X), fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('linearCache', 'activationCache', 'Z', 'A', 'APrev', 'W', 'b'), tie('node'))),
    })).node;
    fc.assert(
      fc.property(value, (cache) => {
        try {
          linearActivationBackward(Matrix.zeros(4, 5), cache as never, 'relu', 1);
        } catch (e) {
          expect(e).toBeInstanceOf(ShapeError);
        }
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
