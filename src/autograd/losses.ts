import { assertSameShape, Matrix } from '../matrix.js';
import { binaryCrossEntropy, meanSquaredError } from '../nn/costs.js';
import { logSumExp, slices } from './activations.js';
import { Tensor } from './tensor.js';

// The costs, one sample per column (m = number of columns), each beside its VJP. bce and mse reuse
// the hand-written cost and dAL of nn/costs.ts, so both routes share the course's formulas; the
// 1/m that the course puts in dW and db enters here, in the cost's own derivative.

/** Binary cross-entropy of probabilities A: -(1/m) Σ (y log a + (1 - y) log(1 - a)). */
export function bceLoss(A: Tensor, Y: Tensor): Tensor {
  assertSameShape('bceLoss', A.data, 'A', Y.data, 'Y');
  const m = A.cols;
  const out = Matrix.full(1, 1, binaryCrossEntropy.cost(A.data, Y.data), A.dtype);
  return Tensor.fromOp('bceLoss', out, [A, Y], (g) => {
    const k = g.data[0]! / m;
    let dA: Matrix | null = null;
    let dY: Matrix | null = null;
    if (A.requiresGrad) {
      dA = binaryCrossEntropy.dAL(A.data, Y.data);
      for (let t = 0; t < dA.data.length; t++) dA.data[t] = k * dA.data[t]!;
    }
    if (Y.requiresGrad) {
      dY = Matrix.zeros(Y.rows, Y.cols, Y.dtype);
      for (let t = 0; t < dY.data.length; t++) {
        const a = A.data.data[t]!;
        dY.data[t] = -k * (Math.log(a) - Math.log(1 - a));
      }
    }
    return [dA, dY];
  });
}

/** Binary cross-entropy of logits Z, without forming sigmoid(z): (1/m) Σ max(z, 0) - z y + log(1 + e^-|z|); ∂z = (σ(z) - y)/m. */
export function bceWithLogitsLoss(Z: Tensor, Y: Tensor): Tensor {
  assertSameShape('bceWithLogitsLoss', Z.data, 'Z', Y.data, 'Y');
  const m = Z.cols;
  const z = Z.data.data;
  const y = Y.data.data;
  let s = 0;
  for (let t = 0; t < z.length; t++) s += Math.max(z[t]!, 0) - z[t]! * y[t]! + Math.log1p(Math.exp(-Math.abs(z[t]!)));
  const out = Matrix.full(1, 1, s / m, Z.dtype);
  return Tensor.fromOp('bceWithLogitsLoss', out, [Z, Y], (g) => {
    const k = g.data[0]! / m;
    let dZ: Matrix | null = null;
    let dY: Matrix | null = null;
    if (Z.requiresGrad) {
      dZ = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
      for (let t = 0; t < z.length; t++) dZ.data[t] = k * (1 / (1 + Math.exp(-z[t]!)) - y[t]!);
    }
    if (Y.requiresGrad) {
      dY = Matrix.zeros(Y.rows, Y.cols, Y.dtype);
      for (let t = 0; t < z.length; t++) dY.data[t] = -k * z[t]!;
    }
    return [dZ, dY];
  });
}

/** Mean squared error: (1/m) Σ over units and samples of (a - y)²; ∂a = 2 (a - y)/m. */
export function mseLoss(A: Tensor, Y: Tensor): Tensor {
  assertSameShape('mseLoss', A.data, 'A', Y.data, 'Y');
  const m = A.cols;
  const out = Matrix.full(1, 1, meanSquaredError.cost(A.data, Y.data), A.dtype);
  return Tensor.fromOp('mseLoss', out, [A, Y], (g) => {
    const k = g.data[0]! / m;
    let dA: Matrix | null = null;
    let dY: Matrix | null = null;
    if (A.requiresGrad || Y.requiresGrad) {
      const d = meanSquaredError.dAL(A.data, Y.data);
      if (A.requiresGrad) {
        dA = d.clone();
        for (let t = 0; t < dA.data.length; t++) dA.data[t] = k * dA.data[t]!;
      }
      if (Y.requiresGrad) {
        dY = d;
        for (let t = 0; t < dY.data.length; t++) dY.data[t] = -k * dY.data[t]!;
      }
    }
    return [dA, dY];
  });
}

/**
 * Softmax cross-entropy of logits Z (classes in rows, one sample per column) against Y (one-hot or
 * probabilities): -(1/m) Σ y log softmax(z); ∂z = (softmax(z) Σ_k y_k - y)/m, ∂y = -log softmax(z)/m.
 */
export function crossEntropyLoss(Z: Tensor, Y: Tensor): Tensor {
  assertSameShape('crossEntropyLoss', Z.data, 'Z', Y.data, 'Y');
  const m = Z.cols;
  const logP = Matrix.zeros(Z.rows, Z.cols, 'float64');
  slices(Z.data, 0, (index, n) => {
    const lse = logSumExp(Z.data.data, index, n);
    for (let k = 0; k < n; k++) logP.data[index(k)] = Z.data.data[index(k)]! - lse;
  });
  let s = 0;
  for (let t = 0; t < logP.data.length; t++) if (Y.data.data[t] !== 0) s += Y.data.data[t]! * logP.data[t]!;
  const out = Matrix.full(1, 1, -s / m, Z.dtype);
  return Tensor.fromOp('crossEntropyLoss', out, [Z, Y], (g) => {
    const k = g.data[0]! / m;
    let dZ: Matrix | null = null;
    let dY: Matrix | null = null;
    if (Z.requiresGrad) {
      dZ = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
      const G = dZ;
      slices(Z.data, 0, (index, n) => {
        let ySum = 0;
        for (let r = 0; r < n; r++) ySum += Y.data.data[index(r)]!;
        for (let r = 0; r < n; r++) G.data[index(r)] = k * (Math.exp(logP.data[index(r)]!) * ySum - Y.data.data[index(r)]!);
      });
    }
    if (Y.requiresGrad) {
      dY = Matrix.zeros(Y.rows, Y.cols, Y.dtype);
      for (let t = 0; t < dY.data.length; t++) dY.data[t] = -k * logP.data[t]!;
    }
    return [dZ, dY];
  });
}
