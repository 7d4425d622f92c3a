// The WGSL compute shaders of the webgpu backend, float32 throughout (WGSL has no f64). Each is the
// GPU form of one reference kernel (backend/reference.ts) or of one cost beside its dAL (nn/costs.ts).
// Large element counts run on a 2-D grid of workgroups (one dimension holds at most 65,535).

/** Activation codes shared by the kernels below (wasm's kernels use the same ones). */
export const ACTIVATION_CODE: Readonly<Record<string, number>> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4 };
/** Cost codes of the cost kernel. */
export const COST_CODE: Readonly<Record<string, number>> = { bce: 0, mse: 1, ce: 2 };

/** Threads per workgroup of the elementwise and reduction kernels. */
export const WORKGROUP = 256;
/** gemm: a workgroup computes a TILE x TILE block of C, 16 x 16 threads of 4 x 4 elements each. */
export const TILE = 64;
/** Products of fewer multiply-adds run on GEMM_DIRECT: too few tiles to fill a GPU, and barriers that cost more than they save. */
export const TILED_MIN_MACS = 1 << 18;

const ACTIVATIONS = /* wgsl */ `
// tanh to f32 precision everywhere: a GPU's tanh (exp-based) loses relative accuracy near 0, so
// small |z| takes the series to z^9 (its next term is under 1e-7 relative at 0.3), and large |z|
// saturates to ±1 without exp overflowing.
fn tanh_(z: f32) -> f32 {
  let x = abs(z);
  if (x < 0.3) {
    let x2 = z * z;
    return z * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))));
  }
  if (x > 20.0) { return sign(z); }
  return sign(z) * (1.0 - 2.0 / (exp(2.0 * x) + 1.0));
}
fn g(kind: u32, slope: f32, z: f32) -> f32 {
  switch kind {
    case 1u: { return 1.0 / (1.0 + exp(-z)); }
    case 2u: { return tanh_(z); }
    case 3u: { return select(0.0, z, z > 0.0); }
    case 4u: { return select(slope * z, z, z > 0.0); }
    default: { return z; }
  }
}
fn dg(kind: u32, slope: f32, z: f32, a: f32) -> f32 {
  switch kind {
    case 1u: { return a * (1.0 - a); }
    // (1 - a)(1 + a): 1 - a is exact near ±1, where 1 - a * a loses the digits that matter.
    case 2u: { return (1.0 - a) * (1.0 + a); }
    case 3u: { return select(0.0, 1.0, z > 0.0); }
    case 4u: { return select(slope, 1.0, z > 0.0); }
    default: { return 1.0; }
  }
}
`;

// Elementwise kernels: p.n elements, element index from the 2-D grid.
const ELEMENT_INDEX = /* wgsl */ `
fn element(wg: vec3u, groups: vec3u, lid: vec3u) -> u32 {
  return (wg.y * groups.x + wg.x) * ${WORKGROUP}u + lid.x;
}
`;

const ELEMENTWISE_PARAMS = /* wgsl */ `
struct Params { n: u32, cols: u32, kind: u32, pad: u32, slope: f32, alpha: f32, pad2: f32, pad3: f32 }
@group(0) @binding(0) var<uniform> p: Params;
`;

const ENTRY = `@compute @workgroup_size(${WORKGROUP}) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u)`;

/**
 * C = alpha op(A)·op(B) + beta C. op(A)[i][k] is A[i*lda + k], or A[k*lda + i] when transposed
 * (lda = A's columns either way), and likewise B: both kernels read op(A) and op(B) in place,
 * so no transpose is ever materialised.
 */
const GEMM_COMMON = /* wgsl */ `
struct Params { M: u32, N: u32, K: u32, transA: u32, transB: u32, lda: u32, ldb: u32, pad: u32, alpha: f32, beta: f32, pad2: f32, pad3: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
fn opA(i: u32, k: u32) -> f32 {
  if (i >= p.M || k >= p.K) { return 0.0; }
  if (p.transA == 1u) { return A[k * p.lda + i]; }
  return A[i * p.lda + k];
}
fn opB(k: u32, j: u32) -> f32 {
  if (k >= p.K || j >= p.N) { return 0.0; }
  if (p.transB == 1u) { return B[j * p.ldb + k]; }
  return B[k * p.ldb + j];
}

fn store(i: u32, j0: u32, v: vec4f) {
  if (i >= p.M) { return; }
  for (var c = 0u; c < 4u; c++) {
    let j = j0 + c;
    if (j >= p.N) { return; }
    let at = i * p.N + j;
    // beta = 0 ignores C's contents (which may be NaN), as the interface says.
    if (p.beta == 0.0) { C[at] = p.alpha * v[c]; } else { C[at] = p.alpha * v[c] + p.beta * C[at]; }
  }
}

`;

/** gemm tiled in workgroup memory: for large products, where each loaded element is reused 64 times. */
export const GEMM = /* wgsl */ `${GEMM_COMMON}
const KT = 16u;
var<workgroup> As: array<array<f32, ${TILE}>, KT>;
var<workgroup> Bs: array<array<f32, ${TILE}>, KT>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * ${TILE}u;
  let col0 = wg.x * ${TILE}u;
  let t = lid.y * 16u + lid.x;
  let r0 = lid.y * 4u;
  let c0 = lid.x * 4u;
  // Four rows of four accumulators, in registers (vectors, not an indexed array).
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < p.K; k0 += KT) {
    // 1,024 elements of each tile, four per thread; consecutive threads read consecutive addresses
    // of whichever operand layout the flag gives.
    for (var e = t; e < ${TILE}u * KT; e += 256u) {
      var i: u32; var ka: u32;
      if (p.transA == 1u) { ka = e / ${TILE}u; i = e % ${TILE}u; } else { i = e / KT; ka = e % KT; }
      As[ka][i] = opA(row0 + i, k0 + ka);
      var j: u32; var kb: u32;
      if (p.transB == 1u) { j = e / KT; kb = e % KT; } else { kb = e / ${TILE}u; j = e % ${TILE}u; }
      Bs[kb][j] = opB(k0 + kb, col0 + j);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      let b = vec4f(Bs[kk][c0], Bs[kk][c0 + 1u], Bs[kk][c0 + 2u], Bs[kk][c0 + 3u]);
      acc0 = fma(vec4f(As[kk][r0]), b, acc0);
      acc1 = fma(vec4f(As[kk][r0 + 1u]), b, acc1);
      acc2 = fma(vec4f(As[kk][r0 + 2u]), b, acc2);
      acc3 = fma(vec4f(As[kk][r0 + 3u]), b, acc3);
    }
    workgroupBarrier();
  }
  store(row0 + r0, col0 + c0, acc0);
  store(row0 + r0 + 1u, col0 + c0, acc1);
  store(row0 + r0 + 2u, col0 + c0, acc2);
  store(row0 + r0 + 3u, col0 + c0, acc3);
}
`;

/** Z[i][j] += b[i]. */
export const ADD_BIAS = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}
@group(0) @binding(1) var<storage, read_write> Z: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
${ENTRY} {
  let t = element(wg, groups, lid);
  if (t >= p.n) { return; }
  Z[t] = Z[t] + b[t / p.cols];
}
`;

/** A = g(Z). */
export const ACTIVATION_FORWARD = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}${ACTIVATIONS}
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
${ENTRY} {
  let t = element(wg, groups, lid);
  if (t >= p.n) { return; }
  A[t] = g(p.kind, p.slope, Z[t]);
}
`;

/** Z += b, A = g(Z) in one pass. */
export const BIAS_ACTIVATION = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}${ACTIVATIONS}
@group(0) @binding(1) var<storage, read_write> Z: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> A: array<f32>;
${ENTRY} {
  let t = element(wg, groups, lid);
  if (t >= p.n) { return; }
  let z = Z[t] + b[t / p.cols];
  Z[t] = z;
  A[t] = g(p.kind, p.slope, z);
}
`;

/** dZ = dA * g'(Z). */
export const ACTIVATION_BACKWARD = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}${ACTIVATIONS}
@group(0) @binding(1) var<storage, read> dA: array<f32>;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding(3) var<storage, read> A: array<f32>;
@group(0) @binding(4) var<storage, read_write> dZ: array<f32>;
${ENTRY} {
  let t = element(wg, groups, lid);
  if (t >= p.n) { return; }
  dZ[t] = dA[t] * dg(p.kind, p.slope, Z[t], A[t]);
}
`;

/** Y += alpha X. */
export const AXPY = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
${ENTRY} {
  let t = element(wg, groups, lid);
  if (t >= p.n) { return; }
  Y[t] = Y[t] + p.alpha * X[t];
}
`;

/** out[i] = alpha Σ_j M[i][j] for the p.n rows of p.cols: one thread per row, no barrier. */
export const ROW_SUMS = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}
@group(0) @binding(1) var<storage, read> M: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ENTRY} {
  let row = element(wg, groups, lid);
  if (row >= p.n) { return; }
  var s = 0.0;
  for (var j = 0u; j < p.cols; j++) { s += M[row * p.cols + j]; }
  out[row] = p.alpha * s;
}
`;
/** A[:, j] = softmax(Z[:, j]) over the p.n rows of p.cols columns: one thread per column. */
export const SOFTMAX = /* wgsl */ `${ELEMENTWISE_PARAMS}${ELEMENT_INDEX}
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
${ENTRY} {
  let j = element(wg, groups, lid);
  if (j >= p.cols) { return; }
  var top = Z[j];
  for (var i = 1u; i < p.n; i++) { top = max(top, Z[i * p.cols + j]); }
  var sum = 0.0;
  for (var i = 0u; i < p.n; i++) {
    let e = exp(Z[i * p.cols + j] - top);
    A[i * p.cols + j] = e;
    sum += e;
  }
  for (var i = 0u; i < p.n; i++) { A[i * p.cols + j] = A[i * p.cols + j] / sum; }
}
`;

/**
 * The cost of AL against Y and its gradient, in one workgroup: costs[counter] = J, then counter + 1,
 * so a run of iterations fills costs[0..k) without the CPU writing anything in between. The gradient
 * is dAL (bce, mse) or, for softmax with ce, dZ[L] = A - Y. p.n elements, p.cols = m samples.
 */
export const COST = /* wgsl */ `${ELEMENTWISE_PARAMS}
@group(0) @binding(1) var<storage, read> AL: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> costs: array<f32>;
@group(0) @binding(5) var<storage, read_write> counter: array<u32>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
// a moved off exactly 0 or 1 (the f32 neighbours), as nn/costs.ts does for the course's logs.
fn unsaturated(a: f32) -> f32 {
  if (a <= 0.0) { return 1.1754944e-38; }
  if (a >= 1.0) { return 0.99999994; }
  return a;
}
${ENTRY} {
  var s = 0.0;
  for (var t = lid.x; t < p.n; t += ${WORKGROUP}u) {
    let y = Y[t];
    switch p.kind {
      case 0u: {
        let a = unsaturated(AL[t]);
        s += y * log(a) + (1.0 - y) * log(1.0 - a);
        grad[t] = -(y / a - (1.0 - y) / (1.0 - a));
      }
      case 1u: {
        let d = AL[t] - y;
        s += d * d;
        grad[t] = 2.0 * d;
      }
      default: {
        if (y != 0.0) { s += y * log(unsaturated(AL[t])); }
        grad[t] = AL[t] - y;
      }
    }
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half >>= 1u) {
    if (lid.x < half) { partial[lid.x] += partial[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let m = f32(p.cols);
    costs[counter[0]] = select(-partial[0] / m, partial[0] / m, p.kind == 1u);
    counter[0] = counter[0] + 1u;
  }
}
`;

/**
 * gemm without workgroup memory: a thread computes four columns of one row of C. For small
 * products (a layer of a few units on a small data set), where a 64 x 64 tile is mostly padding
 * and its barriers cost more than they save.
 */
export const GEMM_DIRECT = /* wgsl */ `${GEMM_COMMON}${ELEMENT_INDEX}
${ENTRY} {
  let t = element(wg, groups, lid);
  let blocks = (p.N + 3u) / 4u;
  if (t >= p.M * blocks) { return; }
  let i = t / blocks;
  let j0 = (t % blocks) * 4u;
  var acc = vec4f(0.0);
  for (var k = 0u; k < p.K; k++) {
    acc = fma(vec4f(opA(i, k)), vec4f(opB(k, j0), opB(k, j0 + 1u), opB(k, j0 + 2u), opB(k, j0 + 3u)), acc);
  }
  store(i, j0, acc);
}
`;
