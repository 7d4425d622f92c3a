// The webgpu kernels against the reference backend on the same random inputs, wherever a GPU is
// (Chromium's page, Node's Dawn). Each check returns the worst error, relative to the size of what
// was summed (gemm, row sums, axpy) or of the value (elementwise kernels).
import type { ActivationKernel } from '../../src/backend/backend.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { WebGpuBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { Matrix } from '../../src/matrix.js';
import { activation } from '../../src/nn/activations.js';
import { costFunction } from '../../src/nn/costs.js';
import { softmax } from '../../src/nn/softmax.js';
import { NumpyRandom } from '../../src/random.js';

/** How many checks kernelChecks makes: 5 gemm shapes (two tiled, three direct) x 4 transposes x 2 (alpha, beta), the empty k, addBias, 5 activations x 4, 3 row sums, axpy, softmax, 3 costs x 3. */
export const KERNEL_CHECKS = 5 * 4 * 2 + 1 + 1 + 5 * 4 + 3 + 1 + 1 + 3 * 3;

const reference = new ReferenceBackend();
const rng = new NumpyRandom(7);
const ACTS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];

function random(rows: number, cols: number, scale = 1): Matrix {
  const M = Matrix.zeros(rows, cols, 'float32');
  const r = rng.randn(rows * cols);
  for (let t = 0; t < M.data.length; t++) M.data[t] = scale * r[t]!;
  return M;
}

/** max_t |got - want| / scale_t. */
function worst(got: Matrix, want: Matrix, scale: (t: number) => number): number {
  let w = 0;
  for (let t = 0; t < want.data.length; t++) {
    const e = Math.abs(got.data[t]! - want.data[t]!) / scale(t);
    w = Number.isNaN(e) ? NaN : Math.max(w, e);
    if (Number.isNaN(w)) return NaN;
  }
  return w;
}
const relative = (want: Matrix) => (t: number) => Math.max(Math.abs(want.data[t]!), 1e-30);

async function gemmCase(gpu: WebGpuBackend, M: number, N: number, K: number, transA: boolean, transB: boolean, alpha: number, beta: number): Promise<number> {
  const A = transA ? random(K, M) : random(M, K);
  const B = transB ? random(N, K) : random(K, N);
  const C0 = random(M, N);
  const got = C0.clone();
  const want = C0.clone();
  gpu.gemm(transA, transB, alpha, A, B, beta, got);
  await gpu.flush();
  reference.gemm(transA, transB, alpha, A, B, beta, want);
  // The scale of C[i][j]: Σ_k |alpha op(A)[i][k] op(B)[k][j]| + |beta C[i][j]|, the magnitude of what was summed.
  const absA = new Matrix(A.rows, A.cols, A.data.map(Math.abs));
  const absB = new Matrix(B.rows, B.cols, B.data.map(Math.abs));
  const size = new Matrix(M, N, C0.data.map(Math.abs));
  reference.gemm(transA, transB, Math.abs(alpha), absA, absB, Math.abs(beta), size);
  return worst(got, want, (t) => Math.max(size.data[t]!, 1e-30));
}

/** Every kernel of `gpu` against the reference backend: the worst error of each case. */
export async function kernelChecks(gpu: WebGpuBackend): Promise<{ name: string; worst: number }[]> {
  const out: { name: string; worst: number }[] = [];
  for (const [M, N, K] of [[37, 53, 29], [130, 67, 150], [64, 65, 97], [1, 300, 5], [70, 1, 129]] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [alpha, beta] of [[1, 0], [0.7, 0.3]] as const) {
          out.push({ name: `gemm ${M}x${N}x${K} transA=${transA} transB=${transB} alpha=${alpha} beta=${beta}`, worst: await gemmCase(gpu, M, N, K, transA, transB, alpha, beta) });
        }
      }
    }
  }
  out.push({ name: 'gemm over an empty k: C = beta C', worst: await gemmCase(gpu, 5, 7, 0, false, false, 1, 0.5) });

  const rows = 37;
  const cols = 53;
  const Z = random(rows, cols, 2);
  const b = random(rows, 1);
  {
    const got = Z.clone();
    const want = Z.clone();
    gpu.addBias(got, b);
    await gpu.flush();
    reference.addBias(want, b);
    out.push({ name: 'addBias', worst: worst(got, want, relative(want)) });
  }
  for (const name of ACTS) {
    const act: ActivationKernel = activation(name, 0.05);
    const A = Matrix.zeros(rows, cols, 'float32');
    const Aref = Matrix.zeros(rows, cols, 'float32');
    gpu.activationForward(act, Z, A);
    await gpu.flush();
    reference.activationForward(act, Z, Aref);
    out.push({ name: `activationForward ${name}`, worst: worst(A, Aref, relative(Aref)) });

    const Zg = Z.clone();
    const Zr = Z.clone();
    gpu.biasActivationForward(act, Zg, b, A);
    await gpu.flush();
    reference.biasActivationForward(act, Zr, b, Aref);
    out.push({ name: `biasActivationForward ${name} (Z)`, worst: worst(Zg, Zr, relative(Zr)) });
    out.push({ name: `biasActivationForward ${name} (A)`, worst: worst(A, Aref, relative(Aref)) });

    const dA = random(rows, cols);
    const dZ = Matrix.zeros(rows, cols, 'float32');
    const dZref = Matrix.zeros(rows, cols, 'float32');
    gpu.activationBackward(act, dA, Zr, Aref, dZ);
    await gpu.flush();
    reference.activationBackward(act, dA, Zr, Aref, dZref);
    out.push({ name: `activationBackward ${name}`, worst: worst(dZ, dZref, relative(dZref)) });
  }
  for (const [r, c] of [[37, 53], [3, 1000], [513, 1]] as const) {
    const X = random(r, c);
    const got = Matrix.zeros(r, 1, 'float32');
    const want = Matrix.zeros(r, 1, 'float32');
    gpu.rowSums(X, 1 / c, got);
    await gpu.flush();
    reference.rowSums(X, 1 / c, want);
    const size = Matrix.zeros(r, 1, 'float32');
    reference.rowSums(new Matrix(r, c, X.data.map(Math.abs)), 1 / c, size);
    out.push({ name: `rowSums ${r}x${c}`, worst: worst(got, want, (t) => size.data[t]!) });
  }
  {
    const X = random(rows, cols);
    const got = Z.clone();
    const want = Z.clone();
    gpu.axpy(-0.37, X, got);
    await gpu.flush();
    reference.axpy(-0.37, X, want);
    const size = new Matrix(rows, cols, Z.data.map((z, t) => Math.abs(z) + 0.37 * Math.abs(X.data[t]!)));
    out.push({ name: 'axpy', worst: worst(got, want, (t) => size.data[t]!) });
  }
  {
    const Zs = random(10, 61, 3);
    const got = Matrix.zeros(10, 61, 'float32');
    gpu.softmax(Zs, got);
    await gpu.flush();
    const want = softmax(Zs);
    out.push({ name: 'softmax', worst: worst(got, want, relative(want)) });
  }
  // Each cost and its gradient, on an output layer of probabilities (and a softmax one for ce).
  const probabilities = (r: number, c: number) => {
    const P = random(r, c);
    for (let t = 0; t < P.data.length; t++) P.data[t] = 1 / (1 + Math.exp(-P.data[t]!));
    return P;
  };
  const labels = (r: number, c: number) => {
    const Y = Matrix.zeros(r, c, 'float32');
    const u = rng.rand(c);
    for (let j = 0; j < c; j++) {
      if (r === 1) Y.data[j] = u[j]! > 0.5 ? 1 : 0;
      else Y.data[Math.floor(u[j]! * r) * c + j] = 1;
    }
    return Y;
  };
  for (const cost of ['bce', 'mse', 'ce'] as const) {
    const r = cost === 'ce' ? 10 : 3;
    const c = 517;
    const AL = cost === 'ce' ? softmax(random(r, c)) : probabilities(r, c);
    const Y = labels(r, c);
    const residents = [gpu.allocate(r, c, 'float32'), gpu.allocate(r, c, 'float32'), gpu.allocate(r, c, 'float32'), gpu.allocate(1, 4, 'float32'), gpu.allocate(1, 1, 'float32')];
    const [ALg, Yg, grad, costs, counter] = residents as [Matrix, Matrix, Matrix, Matrix, Matrix];
    ALg.data.set(AL.data);
    Yg.data.set(Y.data);
    gpu.write(ALg);
    gpu.write(Yg);
    // Two calls: the counter moves the second cost to costs[1].
    gpu.costGradient(cost, ALg, Yg, grad, costs, counter);
    gpu.costGradient(cost, ALg, Yg, grad, costs, counter);
    await gpu.read(grad, costs, counter);
    const J = costFunction(cost).cost(AL, Y);
    out.push({ name: `cost ${cost}`, worst: Math.max(Math.abs(costs.data[0]! - J), Math.abs(costs.data[1]! - J)) / Math.abs(J) });
    out.push({ name: `cost ${cost}: the counter counts calls`, worst: new Uint32Array(counter.data.buffer)[0] === 2 ? 0 : NaN });
    const want = cost === 'ce' ? new Matrix(r, c, AL.data.map((a, t) => a - Y.data[t]!)) : costFunction(cost).dAL(AL, Y);
    out.push({ name: `cost ${cost} gradient`, worst: worst(grad, want, relative(want)) });
    for (const M of residents) gpu.release(M);
  }
  return out;
}

