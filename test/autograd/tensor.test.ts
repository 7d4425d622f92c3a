import { describe, expect, it } from 'vitest';
import { noGrad, Tensor } from '../../src/autograd/tensor.js';
import { AutogradError, ShapeError } from '../../src/errors.js';

describe('Tensor: the seeds\' examples', () => {
  it('y = x^2 at x = 3 gives x.grad = 6', () => {
    const x = Tensor.from(3, { requiresGrad: true });
    const y = x.pow(2);
    y.backward();
    expect(y.item()).toBe(9);
    expect(x.grad!.toArray()).toEqual([[6]]);
  });

  it('Y = X^2 + X with gradient ones gives 2X + 1', () => {
    const X = Tensor.from([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const Y = X.pow(2).add(X);
    Y.backward(Tensor.ones(2, 3));
    expect(X.grad!.toArray()).toEqual([[3, 5, 7], [9, 11, 13]]);
  });
});

describe('Tensor: the graph', () => {
  it('accumulates gradients into .grad across backward calls, as PyTorch does, until zeroGrad', () => {
    const x = Tensor.from(3, { requiresGrad: true });
    x.pow(2).backward();
    x.pow(2).backward();
    expect(x.grad!.toArray()).toEqual([[12]]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(5).backward();
    expect(x.grad!.toArray()).toEqual([[5]]);
  });

  it('sums the gradients of a tensor used twice (x * x)', () => {
    const x = Tensor.from([[2, -3]], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([[4, -6]]);
  });

  it('refuses a second backward through the same graph unless retainGraph was set', () => {
    const x = Tensor.from(2, { requiresGrad: true });
    const y = x.exp().mul(3);
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/second time.*retainGraph: true/);

    const z = x.exp().mul(3);
    x.zeroGrad();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(x.grad!.get(0, 0)).toBeCloseTo(6 * Math.exp(2), 12);
  });

  it('asks for a gradient of the output\'s shape when the output is not a scalar', () => {
    const X = Tensor.from([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const Y = X.mul(2);
    expect(() => Y.backward()).toThrow(AutogradError);
    expect(() => Y.backward()).toThrow(/shape \(2, 3\), not a scalar.*gradient of the output's shape \(2, 3\)/);
    expect(() => Y.backward(Tensor.ones(3, 2))).toThrow(ShapeError);
  });

  it('marks leaves, and records no graph inside noGrad or from tensors that do not require grad', () => {
    const w = Tensor.from([[1, 2]], { requiresGrad: true });
    const c = Tensor.from([[3, 4]]);
    const y = w.mul(c);
    expect(w.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.requiresGrad).toBe(true);
    expect(c.mul(2).requiresGrad).toBe(false);
    const z = noGrad(() => w.mul(c));
    expect(z.requiresGrad).toBe(false);
    expect(z.isLeaf).toBe(true);
    expect(() => z.sum().backward()).toThrow(/does not require grad/);
  });

  it('detach shares the storage but stops the graph', () => {
    const w = Tensor.from([[1, 2]], { requiresGrad: true });
    const d = w.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = w.mul(d).sum();
    y.backward();
    expect(w.grad!.toArray()).toEqual([[2, 4]]);
  });

  it('broadcasts a column (n, 1) over m columns and sums its gradient back', () => {
    const Z = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    const b = Tensor.from([[10], [20]], { requiresGrad: true });
    const out = Z.add(b);
    expect(out.toArray()).toEqual([[11, 12, 13], [24, 25, 26]]);
    out.backward(Tensor.from([[1, 1, 1], [1, 2, 3]]));
    expect(b.grad!.toArray()).toEqual([[3], [6]]);
  });

  it('treats numbers as scalars on either side', () => {
    const x = Tensor.from([[2, 4]], { requiresGrad: true });
    const y = x.div(2).sub(1).mul(-1);
    expect(y.toArray()).toEqual([[-0, -1]]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([[-0.5, -0.5]]);
  });

  it('throws the core ShapeError, naming the op and both shapes, on a mismatch', () => {
    const a = Tensor.from([[1, 2, 3]]);
    const b = Tensor.from([[1, 2]]);
    expect(() => a.add(b)).toThrow(ShapeError);
    expect(() => a.add(b)).toThrow(/add: cannot broadcast a \(1, 3\) with b \(1, 2\)/);
    expect(() => a.mm(b)).toThrow(/matmul: cannot multiply a \(1, 3\) by b \(1, 2\)/);
    expect(() => Tensor.from([[1, 2], [3, 4]]).mul(Tensor.from([[1], [2], [3]]))).toThrow(/mul: cannot broadcast a \(2, 2\) with b \(3, 1\)/);
    // numpy's rule, not only the course's case: a row (1, 2) and a column (3, 1) make (3, 2).
    expect(Tensor.from([[1, 2]]).mul(Tensor.from([[1], [2], [3]])).shape).toEqual([3, 2]);
  });

  it('sums along an axis with and without keepdims', () => {
    const X = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(X.sum().toArray()).toEqual([[21]]);
    expect(X.sum({ axis: 0 }).toArray()).toEqual([[5, 7, 9]]);
    expect(X.sum({ axis: 1, keepdims: true }).toArray()).toEqual([[6], [15]]);
    expect(X.sum({ axis: 1 }).toArray()).toEqual([[6, 15]]);
    expect(X.mean({ axis: 1, keepdims: true }).toArray()).toEqual([[2], [5]]);
    expect(X.mean().item()).toBe(3.5);
  });
});
