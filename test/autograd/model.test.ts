import { describe, expect, it } from 'vitest';
import { bceLoss, mseLoss } from '../../src/autograd/losses.js';
import { noGrad, Tensor } from '../../src/autograd/tensor.js';
import { getBackend } from '../../src/backend/select.js';
import { Matrix } from '../../src/matrix.js';
import type { ActivationName } from '../../src/nn/activations.js';
import { lModelBackward, lModelForward } from '../../src/nn/model.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { NumpyRandom } from '../../src/random.js';
import { expectMatrixClose, loadFixture, M } from '../helpers/fixtures.js';

// Autograd against the course's hand-written backward pass: the same network, two routes to dW, db.

const FIXTURES = ['deep_small', 'deep_tanh_leaky', 'mse_mlp', 'logistic'] as const;

function courseName(a: string): ActivationName {
  return (a === 'leaky_relu' ? 'leakyRelu' : a) as ActivationName;
}

function act(Z: Tensor, name: ActivationName): Tensor {
  switch (name) {
    case 'relu':
      return Z.relu();
    case 'leakyRelu':
      return Z.leakyRelu(0.01);
    case 'sigmoid':
      return Z.sigmoid();
    case 'tanh':
      return Z.tanh();
    case 'linear':
      return Z;
    default:
      throw new Error(`no fixture uses ${name}`);
  }
}

describe('autograd gives lModelBackward\'s gradients on every core fixture', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const fx = loadFixture(name);
      const acts = (fx.activations as string[]).map(courseName);
      const cost = name === 'mse_mlp' ? 'mse' : 'bce';
      const L = acts.length;
      const X = M(fx.X);
      const Y = M(fx.Y);
      const parameters: Parameters = {};
      const tensors: Record<string, Tensor> = {};
      for (let l = 1; l <= L; l++) {
        for (const p of ['W', 'b']) {
          parameters[`${p}${l}`] = M(fx.initialParameters[`${p}${l}`]);
          tensors[`${p}${l}`] = new Tensor(M(fx.initialParameters[`${p}${l}`]), { requiresGrad: true });
        }
      }
      // Hand-written route.
      const [AL, caches] = lModelForward(X, parameters, { activations: acts });
      const grads = lModelBackward(AL, Y, caches, { activations: acts, cost });
      // Autograd route.
      let A = new Tensor(X);
      for (let l = 1; l <= L; l++) A = act(tensors[`W${l}`]!.mm(A).add(tensors[`b${l}`]!), acts[l - 1]!);
      const J = cost === 'mse' ? mseLoss(A, new Tensor(Y)) : bceLoss(A, new Tensor(Y));
      expect(J.item()).toBeCloseTo(fx.cost, 14);
      J.backward();
      for (let l = 1; l <= L; l++) {
        for (const p of ['W', 'b']) {
          const g = tensors[`${p}${l}`]!.grad!;
          expectMatrixClose(g, grads[`d${p}${l}`]!.toArray(), 1e-12, 1e-15, `d${p}${l} vs lModelBackward`);
          expectMatrixClose(g, fx.grads[`d${p}${l}`], 1e-12, 1e-15, `d${p}${l} vs numpy`);
        }
      }
    });
  }
});

function randnMatrix(rng: NumpyRandom, rows: number, cols: number): Matrix {
  return Matrix.fromTypedArray(rng.randn(rows, cols), rows, cols);
}

describe('the seeds\' two-layer MLP: hand-written backprop and autograd agree after 10 steps', () => {
  it('x (64, 1000), relu hidden 100, output 10, loss = Σ (y_pred - y)^2, lr 1e-6', () => {
    const [N, Din, H, Dout] = [64, 1000, 100, 10];
    const rng = new NumpyRandom(0);
    const x = randnMatrix(rng, N, Din);
    const y = randnMatrix(rng, N, Dout);
    const w1Init = randnMatrix(rng, Din, H);
    const w2Init = randnMatrix(rng, H, Dout);
    const lr = 1e-6;
    const backend = getBackend();
    const mm = (tA: boolean, tB: boolean, A: Matrix, B: Matrix, rows: number, cols: number) => {
      const C = Matrix.zeros(rows, cols);
      backend.gemm(tA, tB, 1, A, B, 0, C);
      return C;
    };

    // By hand, as the seeds write it with numpy.
    const w1 = w1Init.clone();
    const w2 = w2Init.clone();
    const handLoss: number[] = [];
    for (let step = 0; step < 10; step++) {
      const h = mm(false, false, x, w1, N, H);
      const hRelu = h.clone();
      for (let t = 0; t < hRelu.data.length; t++) hRelu.data[t] = Math.max(hRelu.data[t]!, 0);
      const yPred = mm(false, false, hRelu, w2, N, Dout);
      const gradYPred = Matrix.zeros(N, Dout);
      let loss = 0;
      for (let t = 0; t < gradYPred.data.length; t++) {
        const d = yPred.data[t]! - y.data[t]!;
        loss += d * d;
        gradYPred.data[t] = 2 * d;
      }
      handLoss.push(loss);
      const gradW2 = mm(true, false, hRelu, gradYPred, H, Dout);
      const gradH = mm(false, true, gradYPred, w2, N, H);
      for (let t = 0; t < gradH.data.length; t++) if (h.data[t]! < 0) gradH.data[t] = 0;
      const gradW1 = mm(true, false, x, gradH, Din, H);
      for (let t = 0; t < w1.data.length; t++) w1.data[t] = w1.data[t]! - lr * gradW1.data[t]!;
      for (let t = 0; t < w2.data.length; t++) w2.data[t] = w2.data[t]! - lr * gradW2.data[t]!;
    }

    // With autograd, as the seeds write it with PyTorch.
    const X = new Tensor(x);
    const Yt = new Tensor(y);
    const W1 = new Tensor(w1Init.clone(), { requiresGrad: true });
    const W2 = new Tensor(w2Init.clone(), { requiresGrad: true });
    const autoLoss: number[] = [];
    for (let step = 0; step < 10; step++) {
      const yPred = X.mm(W1).clamp(0).mm(W2);
      const loss = yPred.sub(Yt).pow(2).sum();
      autoLoss.push(loss.item());
      loss.backward();
      noGrad(() => {
        for (const W of [W1, W2]) {
          for (let t = 0; t < W.data.data.length; t++) W.data.data[t] = W.data.data[t]! - lr * W.grad!.data[t]!;
          W.zeroGrad();
        }
      });
    }

    expect(autoLoss[9]).toBeLessThan(autoLoss[0]!);
    autoLoss.forEach((l, i) => expect(Math.abs(l - handLoss[i]!) / handLoss[i]!).toBeLessThan(1e-12));
    expectMatrixClose(W1.data, w1.toArray(), 1e-12, 1e-12, 'w1');
    expectMatrixClose(W2.data, w2.toArray(), 1e-12, 1e-12, 'w2');
  });
});
