import type { Backend } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import type { DType } from '../matrix.js';
import { GRAM_MAX_BYTES, type GramMode } from './gram.js';
import type { OptimizerName } from './optimizers.js';

// How much memory a network and its training need, computed from the shapes alone, so that a run
// that cannot fit is refused with a number before anything is allocated (instead of a RangeError
// or the system's out-of-memory killer half-way through).

/** What changes the memory of a training run besides layerDims, m and dtype. */
export interface MemoryOptions {
  /** Samples per mini-batch (absent: the full batch, m). */
  batchSize?: number;
  /** The optimiser's state: momentum and RMSprop keep one copy of the parameters, Adam two. */
  optimizer?: OptimizerName;
  /** Dropout keeps a mask per hidden layer. */
  dropout?: boolean;
  /** The first layer's form (default 'auto'): the Gram form's matrices are counted wherever it may run. */
  gram?: GramMode;
  /** Count the data set itself (X (n0, m) and Y (nL, m)) as well (default true). */
  includeData?: boolean;
  /**
   * Copies of the data set the run holds (default 1): 2 where the estimate is of a whole process
   * whose backend computes in its own memory (wasm copies X and Y in, beside the caller's).
   */
  dataCopies?: number;
  /**
   * The backend keeps X packed between products, in at most this many bytes (wasm: 64 MB; one
   * form each for W1·X and dZ1·Xᵀ): counted as the smaller of the bound and two copies of X.
   */
  keptPackedMaxBytes?: number;
  /** Bytes the run holds besides (a test set loaded, and copied in to be evaluated). */
  otherBytes?: number;
}

/** The estimate, by part, in bytes. */
export interface MemoryEstimate {
  parameters: number;
  gradients: number;
  optimizer: number;
  /** Z and A of every layer (the forward caches) and dZ, dA of the backward pass, per batch. */
  caches: number;
  /**
   * Data: X and Y (each copy), the shuffled copy mini-batches make each epoch, X kept packed by the
   * backend, and whatever else the run holds (otherBytes).
   */
  data: number;
  /**
   * The Gram form's first layer (gram.ts): K = Xᵀ·X, the start W0, C0 = W0·X, U, U·K and momentum's
   * V, and K kept packed by the backend (within keptPackedMaxBytes).
   */
  gram: number;
  total: number;
}

/** The largest typed array a JavaScript engine makes (V8: 2^32 elements; more is a RangeError). */
export const MAX_ELEMENTS = 2 ** 32 - 1;

const BYTES: Record<DType, number> = { float64: 8, float32: 4 };

type NodeProcess = {
  getBuiltinModule?: (id: string) => unknown;
  memoryUsage?: () => { rss: number };
  constrainedMemory?: () => number | undefined;
};

/**
 * The bytes this process may reach: the machine's available memory (MemAvailable on Linux) plus
 * what the process holds, or the container's limit where lower. Where the runtime cannot tell (a
 * browser), undefined. No import of a Node module, so browser bundles load this file as it is.
 */
export function processMemoryLimit(): number | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const os = proc?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  if (!os || !proc?.memoryUsage) return undefined;
  const free = os.freemem() + proc.memoryUsage().rss;
  const constrained = proc.constrainedMemory?.();
  return constrained && constrained > 0 ? Math.min(constrained, free) : free;
}

/** The number of parameters Σ n[l] (n[l-1] + 1). */
export function parameterCount(layerDims: readonly number[]): number {
  let P = 0;
  for (let l = 1; l < layerDims.length; l++) P += layerDims[l]! * (layerDims[l - 1]! + 1);
  return P;
}

/** The memory of training a network of layerDims on m samples, by part (a pure function of the shapes). */
export function estimateTraining(layerDims: readonly number[], m: number, dtype: DType, options: MemoryOptions = {}): MemoryEstimate {
  const b = BYTES[dtype];
  const P = parameterCount(layerDims);
  const L = layerDims.length - 1;
  const batch = Math.min(options.batchSize ?? m, m);
  // A mini-batch run keeps the matrices of two batch shapes (the batch size and the last, smaller one).
  const shapes = batch < m ? 2 : 1;
  let units = 0;
  let hidden = 0;
  for (let l = 1; l <= L; l++) {
    units += layerDims[l]!;
    if (l < L) hidden += layerDims[l]!;
  }
  // Z, A, dZ and dA of every layer, and dA0 (n0, batch).
  const cacheElements = (4 * units + layerDims[0]! + (options.dropout ? hidden : 0)) * batch * shapes;
  const optimizerCopies = options.optimizer === 'adam' ? 2 : options.optimizer === 'momentum' || options.optimizer === 'rmsprop' ? 1 : 0;
  const n0 = layerDims[0]!;
  const nL = layerDims[L]!;
  const copies = options.includeData === false ? 0 : (options.dataCopies ?? 1);
  const dataElements = (n0 + nL) * m * (copies > 0 && batch < m ? copies + 1 : copies);
  const packedBytes = copies > 0 ? Math.min(options.keptPackedMaxBytes ?? 0, 2 * n0 * m * b) : 0;
  // Counted wherever the Gram form may run (gram 'on', or 'auto' with n[0] > m), whether or not
  // auto then finds it saves work: over-counting refuses nothing that fits by much, under-counting
  // would let a run start that cannot finish.
  const optimizer = options.optimizer ?? 'gd';
  const n1 = layerDims[1]!;
  const mayGram = options.gram !== 'off' && (optimizer === 'gd' || optimizer === 'momentum') && m * m * b <= GRAM_MAX_BYTES && (options.gram === 'on' || n0 > m);
  const gramElements = mayGram ? m * m + n1 * n0 + (optimizer === 'momentum' ? 4 : 3) * n1 * m : 0;
  // K's packed form: its rows in k-blocks of 256 and its columns in strips of 4 or 8, padded (at most).
  const kPackedBytes = mayGram ? Math.min(options.keptPackedMaxBytes ?? 0, (m + 255) * (m + 7) * b) : 0;
  const parts = {
    parameters: P * b,
    gradients: P * b,
    optimizer: optimizerCopies * P * b,
    caches: cacheElements * b,
    data: dataElements * b + packedBytes + (options.otherBytes ?? 0),
    gram: gramElements * b + kPackedBytes,
  };
  return { ...parts, total: parts.parameters + parts.gradients + parts.optimizer + parts.caches + parts.data + parts.gram };
}

/**
 * How a backend's memory enters an estimate. Of the backend's own memory ('backend': a wasm heap's
 * bound): the data once and X kept packed; nothing for a backend that computes in the caller's
 * arrays. Of the whole process ('process': the machine's memory, a queue worker's bound): the
 * caller's copy of the data as well.
 */
export function backendDataOptions(backend: Backend, scope: 'backend' | 'process'): MemoryOptions {
  const own = backend.maxBytes !== undefined;
  const keptPackedMaxBytes = own ? backend.keptPackedMaxBytes : undefined;
  if (scope === 'backend') return own ? { dataCopies: 1, keptPackedMaxBytes } : { includeData: false };
  return { dataCopies: own ? 2 : 1, keptPackedMaxBytes };
}

/**
 * A held-out set of m samples evaluated beside a training run (a test or validation set): its data,
 * each copy as in `options`, and the matrices of a pass over it (counted as training's caches).
 */
export function evaluationBytes(layerDims: readonly number[], m: number, dtype: DType, options: MemoryOptions = {}): number {
  const e = estimateTraining(layerDims, m, dtype, { ...options, batchSize: undefined, gram: 'off', keptPackedMaxBytes: 0, otherBytes: 0 });
  return e.data + e.caches;
}

/** The total of estimateTraining, in bytes. */
export function estimateTrainingBytes(layerDims: readonly number[], m: number, dtype: DType, options: MemoryOptions = {}): number {
  return estimateTraining(layerDims, m, dtype, options).total;
}

/** Bytes in words, to two significant digits: "512 B", "3.4 MB", "16 GB" (powers of 1000, as disks and `free -h --si`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  let v = bytes;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(2))} ${units[i]}`;
}

/** The largest matrix a network of layerDims makes for a batch of m samples, in elements. */
export function largestMatrix(layerDims: readonly number[], m: number): number {
  let most = layerDims[0]! * m;
  for (let l = 1; l < layerDims.length; l++) most = Math.max(most, layerDims[l]! * layerDims[l - 1]!, layerDims[l]! * m);
  return most;
}

/**
 * Refuses, with a ConfigError naming the need, a network (and, with m, its training) that cannot be
 * allocated: a matrix over the engine's typed-array limit, or a total over `limitBytes` (the
 * memory available, when the caller knows it). `what` names the run in the message, `hint` what
 * to change (default: layers, samples or mini-batches).
 */
export function checkMemory(
  layerDims: readonly number[],
  m: number,
  dtype: DType,
  options: MemoryOptions & { limitBytes?: number; limitName?: string; what?: string; hint?: string } = {},
): void {
  const what = options.what ?? `network [${layerDims.join(', ')}]`;
  const need = estimateTrainingBytes(layerDims, m, dtype, options);
  const biggest = largestMatrix(layerDims, Math.min(options.batchSize ?? m, m));
  if (biggest > MAX_ELEMENTS) {
    throw new ConfigError(`${what} needs about ${formatBytes(need)}, with a matrix of ${biggest} elements, more than the ${MAX_ELEMENTS} an array can hold; use smaller layers`);
  }
  if (options.limitBytes !== undefined && need > options.limitBytes) {
    throw new ConfigError(`${what} needs about ${formatBytes(need)} of memory, more than the ${formatBytes(options.limitBytes)} ${options.limitName ?? 'available'}; ${options.hint ?? 'use smaller layers, fewer samples or smaller mini-batches'}`);
  }
}
