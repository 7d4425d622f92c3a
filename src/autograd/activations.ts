import { ConfigError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { DEFAULT_LEAKY_SLOPE, leakyRelu as leakyReluKernel, relu as reluKernel, sigmoid as sigmoidKernel, tanh as tanhKernel } from '../nn/activations.js';
import { unary } from './elementwise.js';
import { Tensor } from './tensor.js';

// The same g and g' as the hand-written layers (nn/activations.ts), so autograd and lModelBackward
// compute the same numbers. softmax works along axis 0 by default: one sample per column.

export function sigmoid(z: Tensor): Tensor {
  return unary('sigmoid', z, sigmoidKernel.g, (v, a) => sigmoidKernel.dg(v, a));
}

export function tanh(z: Tensor): Tensor {
  return unary('tanh', z, tanhKernel.g, (v, a) => tanhKernel.dg(v, a));
}

export function relu(z: Tensor): Tensor {
  return unary('relu', z, reluKernel.g, (v, a) => reluKernel.dg(v, a));
}

export function leakyRelu(z: Tensor, slope = DEFAULT_LEAKY_SLOPE): Tensor {
  const k = leakyReluKernel(slope);
  return unary('leakyRelu', z, k.g, (v, a) => k.dg(v, a));
}

function checkAxis(op: string, axis: number): void {
  if (axis !== 0 && axis !== 1) throw new ConfigError(`${op}: axis must be 0 (over each column) or 1 (over each row), got ${JSON.stringify(axis)}`);
}

/**
 * Visits each slice along `axis` (a column for axis 0, a row for axis 1) as a list of flat
 * indices, so softmax and its VJP are written once for both axes.
 */
export function slices(M: Matrix, axis: 0 | 1, fn: (index: (k: number) => number, n: number) => void): void {
  const { rows, cols } = M;
  if (axis === 0) for (let j = 0; j < cols; j++) fn((k) => k * cols + j, rows);
  else for (let i = 0; i < rows; i++) fn((k) => i * cols + k, cols);
}

/** log Σ exp over the slice, shifted by its max so that large logits do not overflow. */
export function logSumExp(z: Storage, index: (k: number) => number, n: number): number {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, z[index(k)]!);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(z[index(k)]! - max);
  return max + Math.log(s);
}

type Storage = Matrix['data'];

/** log softmax(z) = z - logΣexp(z); VJP: g - softmax(z) Σ g. */
export function logSoftmax(z: Tensor, axis: 0 | 1 = 0): Tensor {
  checkAxis('logSoftmax', axis);
  const Z = z.data;
  const out = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
  slices(Z, axis, (index, n) => {
    const lse = logSumExp(Z.data, index, n);
    for (let k = 0; k < n; k++) out.data[index(k)] = Z.data[index(k)]! - lse;
  });
  return Tensor.fromOp('logSoftmax', out, [z], (g) => {
    const G = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
    slices(Z, axis, (index, n) => {
      let gs = 0;
      for (let k = 0; k < n; k++) gs += g.data[index(k)]!;
      for (let k = 0; k < n; k++) G.data[index(k)] = g.data[index(k)]! - Math.exp(out.data[index(k)]!) * gs;
    });
    return [G];
  });
}

/** softmax(z) = exp(z - max) / Σ exp(z - max); VJP: s (g - Σ g s). */
export function softmax(z: Tensor, axis: 0 | 1 = 0): Tensor {
  checkAxis('softmax', axis);
  const Z = z.data;
  const out = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
  slices(Z, axis, (index, n) => {
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, Z.data[index(k)]!);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(Z.data[index(k)]! - max);
    for (let k = 0; k < n; k++) out.data[index(k)] = Math.exp(Z.data[index(k)]! - max) / s;
  });
  return Tensor.fromOp('softmax', out, [z], (g) => {
    const G = Matrix.zeros(Z.rows, Z.cols, Z.dtype);
    slices(Z, axis, (index, n) => {
      let gs = 0;
      for (let k = 0; k < n; k++) gs += g.data[index(k)]! * out.data[index(k)]!;
      for (let k = 0; k < n; k++) G.data[index(k)] = out.data[index(k)]! * (g.data[index(k)]! - gs);
    });
    return [G];
  });
}

