import { describe, expect, it } from 'vitest';
import { bceLoss, bceWithLogitsLoss, crossEntropyLoss, mseLoss } from '../../src/autograd/losses.js';
import { noGrad, Tensor } from '../../src/autograd/tensor.js';
import { Matrix } from '../../src/matrix.js';
import { NumpyRandom } from '../../src/random.js';

// Every op's VJP against central finite differences in a random direction v: for L = Σ f(x) * R
// with R random, autograd gives ∇L; (L(x + h v) - L(x - h v)) / 2h must equal Σ ∇L · v.

const rng = new NumpyRandom(2026);

function random(rows: number, cols: number, map: (u: number) => number = (u) => u): Matrix {
  const values = rng.randn(rows, cols);
  const M = Matrix.zeros(rows, cols);
  for (let t = 0; t < values.length; t++) M.data[t] = map(values[t]!);
  return M;
}

const positive = (u: number) => 0.5 + Math.abs(u);
const probability = (u: number) => 1 / (1 + Math.exp(-u));
const awayFromZero = (u: number) => (u >= 0 ? u + 0.1 : u - 0.1);

function checkVJP(f: (...xs: Tensor[]) => Tensor, inputs: Matrix[]): void {
  const xs = inputs.map((M) => new Tensor(M.clone(), { requiresGrad: true }));
  const out = f(...xs);
  const R = random(out.rows, out.cols);
  out.backward(R);
  const v = inputs.map((M) => random(M.rows, M.cols));
  let analytic = 0;
  xs.forEach((x, i) => {
    for (let t = 0; t < x.data.data.length; t++) analytic += x.grad!.data[t]! * v[i]!.data[t]!;
  });
  const h = 1e-6;
  const L = (sign: number) =>
    noGrad(() => {
      const shifted = inputs.map((M, i) => {
        const S = M.clone();
        for (let t = 0; t < S.data.length; t++) S.data[t] = S.data[t]! + sign * h * v[i]!.data[t]!;
        return new Tensor(S);
      });
      const y = f(...shifted).data;
      let s = 0;
      for (let t = 0; t < y.data.length; t++) s += y.data[t]! * R.data[t]!;
      return s;
    });
  const numeric = (L(1) - L(-1)) / (2 * h);
  const rel = Math.abs(numeric - analytic) / Math.max(1, Math.abs(analytic));
  expect(rel, `numeric ${numeric}, autograd ${analytic}`).toBeLessThan(1e-7);
}

describe('every op\'s VJP matches finite differences (float64)', () => {
  const cases: [string, (...xs: Tensor[]) => Tensor, Matrix[]][] = [
    ['add', (a, b) => a.add(b), [random(3, 4), random(3, 4)]],
    ['add with a column (n, 1) broadcast over m columns', (a, b) => a.add(b), [random(3, 4), random(3, 1)]],
    ['add with a row (1, m)', (a, b) => a.add(b), [random(1, 4), random(3, 4)]],
    ['sub with a scalar (1, 1)', (a, b) => a.sub(b), [random(1, 1), random(3, 4)]],
    ['mul', (a, b) => a.mul(b), [random(3, 4), random(3, 4)]],
    ['mul by a column', (a, b) => a.mul(b), [random(3, 4), random(3, 1)]],
    ['div', (a, b) => a.div(b), [random(3, 4), random(3, 4, positive)]],
    ['div by a column', (a, b) => a.div(b), [random(3, 4), random(3, 1, positive)]],
    ['matmul', (a, b) => a.matmul(b), [random(3, 5), random(5, 2)]],
    ['t', (a) => a.t(), [random(3, 5)]],
    ['pow 2', (a) => a.pow(2), [random(3, 4)]],
    ['pow 3', (a) => a.pow(3), [random(3, 4)]],
    ['pow 0.5', (a) => a.pow(0.5), [random(3, 4, positive)]],
    ['exp', (a) => a.exp(), [random(3, 4)]],
    ['log', (a) => a.log(), [random(3, 4, positive)]],
    ['neg', (a) => a.neg(), [random(3, 4)]],
    ['sum', (a) => a.sum(), [random(3, 4)]],
    ['sum axis 0', (a) => a.sum({ axis: 0 }), [random(3, 4)]],
    ['sum axis 1 keepdims', (a) => a.sum({ axis: 1, keepdims: true }), [random(3, 4)]],
    ['sum axis 1', (a) => a.sum({ axis: 1 }), [random(3, 4)]],
    ['mean', (a) => a.mean(), [random(3, 4)]],
    ['mean axis 0', (a) => a.mean({ axis: 0 }), [random(3, 4)]],
    ['mean axis 1 keepdims', (a) => a.mean({ axis: 1, keepdims: true }), [random(3, 4)]],
    ['clamp(0)', (a) => a.clamp(0), [random(3, 4, awayFromZero)]],
    ['clamp(-0.5, 0.5)', (a) => a.clamp(-0.5, 0.5), [random(3, 4, (u) => (Math.abs(Math.abs(u) - 0.5) < 0.05 ? u + 0.2 : u))]],
    ['sigmoid', (a) => a.sigmoid(), [random(3, 4)]],
    ['tanh', (a) => a.tanh(), [random(3, 4)]],
    ['relu', (a) => a.relu(), [random(3, 4, awayFromZero)]],
    ['leakyRelu', (a) => a.leakyRelu(0.1), [random(3, 4, awayFromZero)]],
    ['softmax axis 0', (a) => a.softmax(), [random(4, 3)]],
    ['softmax axis 1', (a) => a.softmax(1), [random(4, 3)]],
    ['logSoftmax axis 0', (a) => a.logSoftmax(), [random(4, 3)]],
    ['logSoftmax axis 1', (a) => a.logSoftmax(1), [random(4, 3)]],
    ['bceLoss (both inputs)', (a, y) => bceLoss(a, y), [random(2, 5, probability), random(2, 5, probability)]],
    ['bceWithLogitsLoss (both inputs)', (z, y) => bceWithLogitsLoss(z, y), [random(2, 5), random(2, 5, probability)]],
    ['mseLoss (both inputs)', (a, y) => mseLoss(a, y), [random(3, 5), random(3, 5)]],
    ['crossEntropyLoss (both inputs)', (z, y) => crossEntropyLoss(z, y), [random(4, 5), random(4, 5, probability)]],
    ['a composed layer: sigmoid(W·A + b)', (W, A, b) => W.mm(A).add(b).sigmoid(), [random(3, 4), random(4, 6), random(3, 1)]],
  ];
  for (const [name, f, inputs] of cases) it(name, () => checkVJP(f, inputs));
});

describe('losses agree with their definitions', () => {
  it('bceWithLogitsLoss(Z) equals bceLoss(sigmoid(Z)), and crossEntropyLoss equals -mean Σ y logSoftmax', () => {
    const Z = new Tensor(random(1, 6));
    const Y = Tensor.from([[1, 0, 1, 1, 0, 0]]);
    expect(bceWithLogitsLoss(Z, Y).item()).toBeCloseTo(bceLoss(Z.sigmoid(), Y).item(), 14);
    const Z4 = new Tensor(random(4, 3));
    const Y4 = Tensor.from([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 0]]);
    expect(crossEntropyLoss(Z4, Y4).item()).toBeCloseTo(-Y4.mul(Z4.logSoftmax()).sum().item() / 3, 14);
  });

  it('softmax columns sum to 1 and survive large logits', () => {
    const s = Tensor.from([[1000, 1], [1001, 2], [999, 3]]).softmax();
    const cols = s.sum({ axis: 0 }).toArray()[0]!;
    cols.forEach((c) => expect(c).toBeCloseTo(1, 14));
    expect(s.data.get(0, 0)).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1) + Math.exp(-2)), 14);
  });
});
