import { ConfigError } from '../errors.js';
import { type DType, Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
import type { Dataset } from './dataset.js';
import { linspace } from './planar.js';

// Small 2-D data sets for trying networks, each a few lines of numpy, drawn with NumpyRandom so a
// seed gives the same points as np.random.seed(seed) does in numpy (up to sin/cos rounding).
// Samples are grouped by class, class j in columns j*N .. (j+1)*N - 1; Y holds class indices.

export interface SyntheticOptions {
  /** numpy seed (default 1). */
  seed?: number;
  /** Number of samples (default 400); circles, moons, spiral and gaussian need a multiple of the class count. */
  m?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise?: number;
  /** Number of classes of spiral and gaussian (default 3). */
  K?: number;
  dtype?: DType;
}

function checkCount(name: string, m: number, K: number): number {
  if (!Number.isInteger(K) || K < 2) throw new ConfigError(`${name}: K must be an integer >= 2 (classes), got ${K}`);
  if (!Number.isInteger(m) || m < K || m % K !== 0) {
    throw new ConfigError(`${name}: m must be a positive multiple of the ${K} classes, got ${m}`);
  }
  return m / K;
}

function checkNoise(name: string, noise: number): void {
  if (!Number.isFinite(noise) || noise < 0) throw new ConfigError(`${name}: noise must be a finite number >= 0, got ${noise}`);
}

function classLabels(N: number, K: number, dtype: DType): Matrix {
  const Y = Matrix.zeros(1, N * K, dtype);
  for (let s = 0; s < N * K; s++) Y.data[s] = Math.floor(s / N);
  return Y;
}

function toDataset(name: string, x0: ArrayLike<number>, x1: ArrayLike<number>, Y: Matrix, classes: string[], dtype: DType): Dataset {
  const m = Y.cols;
  const X = Matrix.zeros(2, m, dtype);
  for (let s = 0; s < m; s++) {
    X.data[s] = x0[s]!;
    X.data[m + s] = x1[s]!;
  }
  return { X, Y, classes, source: `builtin:${name}` };
}

function indexNames(K: number): string[] {
  return Array.from({ length: K }, (_, j) => String(j));
}

/**
 * XOR: X = 2 rand(2, m) - 1; y = 1 where the two coordinates have opposite signs; then (noise > 0,
 * default 0) X += noise * randn(2, m), so points near an axis cross it with their label.
 */
export function xorDataset(options: SyntheticOptions = {}): Dataset {
  const { seed = 1, m = 400, noise = 0, dtype = 'float64' } = options;
  if (!Number.isInteger(m) || m < 1) throw new ConfigError(`xor: m must be a positive integer, got ${m}`);
  checkNoise('xor', noise);
  const rng = new NumpyRandom(seed);
  const u = rng.rand(2, m);
  const x0 = new Float64Array(m);
  const x1 = new Float64Array(m);
  const Y = Matrix.zeros(1, m, dtype);
  for (let s = 0; s < m; s++) {
    x0[s] = u[s]! * 2 - 1;
    x1[s] = u[m + s]! * 2 - 1;
    Y.data[s] = x0[s]! * x1[s]! < 0 ? 1 : 0;
  }
  if (noise > 0) addNoise(rng, x0, x1, noise);
  return toDataset('xor', x0, x1, Y, ['same sign', 'opposite signs'], dtype);
}

/**
 * Two circles (scikit-learn's make_circles): t = 2π i / N for i < N; the outer circle (cos t, sin t)
 * is class 0, the inner one 0.5 (cos t, sin t) class 1; then X += noise * randn(2, m).
 */
export function circlesDataset(options: SyntheticOptions = {}): Dataset {
  const { seed = 1, m = 400, noise = 0.1, dtype = 'float64' } = options;
  const N = checkCount('circles', m, 2);
  checkNoise('circles', noise);
  const x0 = new Float64Array(m);
  const x1 = new Float64Array(m);
  const step = (2 * Math.PI) / N;
  for (let i = 0; i < N; i++) {
    const t = i * step;
    x0[i] = Math.cos(t);
    x1[i] = Math.sin(t);
    x0[N + i] = 0.5 * Math.cos(t);
    x1[N + i] = 0.5 * Math.sin(t);
  }
  addNoise(new NumpyRandom(seed), x0, x1, noise);
  return toDataset('circles', x0, x1, classLabels(N, 2, dtype), ['outer', 'inner'], dtype);
}

/**
 * Two moons (scikit-learn's make_moons): t = linspace(0, π, N); class 0 at (cos t, sin t), class 1
 * at (1 - cos t, 0.5 - sin t); then X += noise * randn(2, m).
 */
export function moonsDataset(options: SyntheticOptions = {}): Dataset {
  const { seed = 1, m = 400, noise = 0.1, dtype = 'float64' } = options;
  const N = checkCount('moons', m, 2);
  checkNoise('moons', noise);
  const x0 = new Float64Array(m);
  const x1 = new Float64Array(m);
  const t = linspace(0, Math.PI, N);
  for (let i = 0; i < N; i++) {
    x0[i] = Math.cos(t[i]!);
    x1[i] = Math.sin(t[i]!);
    x0[N + i] = 1 - Math.cos(t[i]!);
    x1[N + i] = 1 - Math.sin(t[i]!) - 0.5;
  }
  addNoise(new NumpyRandom(seed), x0, x1, noise);
  return toDataset('moons', x0, x1, classLabels(N, 2, dtype), ['upper', 'lower'], dtype);
}

/**
 * K interleaved spiral arms (the classic CS231n data): for class j, r = linspace(0, 1, N),
 * t = linspace(4j, 4(j + 1), N) + noise * randn(N), points (r sin t, r cos t).
 */
export function spiralDataset(options: SyntheticOptions = {}): Dataset {
  const { seed = 1, m = 300, noise = 0.2, K = 3, dtype = 'float64' } = options;
  const N = checkCount('spiral', m, K);
  checkNoise('spiral', noise);
  const rng = new NumpyRandom(seed);
  const x0 = new Float64Array(m);
  const x1 = new Float64Array(m);
  const r = linspace(0, 1, N);
  for (let j = 0; j < K; j++) {
    const base = linspace(j * 4, (j + 1) * 4, N);
    const jitter = rng.randn(N);
    for (let i = 0; i < N; i++) {
      const t = base[i]! + jitter[i]! * noise;
      x0[j * N + i] = r[i]! * Math.sin(t);
      x1[j * N + i] = r[i]! * Math.cos(t);
    }
  }
  return toDataset('spiral', x0, x1, classLabels(N, K, dtype), indexNames(K), dtype);
}

/**
 * K Gaussian blobs: centre j at 3 (cos 2πj/K, sin 2πj/K); class j's points are centre + noise *
 * randn(2, N) (x row then y row), drawn class by class.
 */
export function gaussianDataset(options: SyntheticOptions = {}): Dataset {
  const { seed = 1, m = 300, noise = 1, K = 3, dtype = 'float64' } = options;
  const N = checkCount('gaussian', m, K);
  checkNoise('gaussian', noise);
  const rng = new NumpyRandom(seed);
  const x0 = new Float64Array(m);
  const x1 = new Float64Array(m);
  for (let j = 0; j < K; j++) {
    const angle = (2 * Math.PI * j) / K;
    const cx = 3 * Math.cos(angle);
    const cy = 3 * Math.sin(angle);
    const z = rng.randn(2, N);
    for (let i = 0; i < N; i++) {
      x0[j * N + i] = cx + z[i]! * noise;
      x1[j * N + i] = cy + z[N + i]! * noise;
    }
  }
  return toDataset('gaussian', x0, x1, classLabels(N, K, dtype), indexNames(K), dtype);
}

/** X += noise * randn(2, m): the x row's noise first, then the y row's. */
function addNoise(rng: NumpyRandom, x0: Float64Array, x1: Float64Array, noise: number): void {
  const m = x0.length;
  const z = rng.randn(2, m);
  for (let s = 0; s < m; s++) {
    x0[s] = x0[s]! + z[s]! * noise;
    x1[s] = x1[s]! + z[m + s]! * noise;
  }
}
