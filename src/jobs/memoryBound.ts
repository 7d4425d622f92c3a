import { totalmem } from 'node:os';
import { ConfigError } from '../errors.js';
import type { DType } from '../matrix.js';

// The memory a job may take on a worker. A job names its network by its sizes, so a worker can
// tell before training (and, for the hidden layers alone, before loading any data) what the run
// will hold: refusing a job above the bound keeps one careless job from taking the machine down.

/** Optimiser state kept per parameter: none for gradient descent, v for momentum, v and s for Adam. */
export type OptimizerState = 'none' | 'momentum' | 'adam';

/**
 * Bytes a training run holds at its peak: parameters W, b and their gradients dW, db; the caches
 * of forward propagation (Z and A of every layer, m columns each) and the dA, dZ of backward
 * propagation; the data X, Y; the optimiser's state. An upper estimate (every array at once).
 */
export function estimateTrainingBytes(layerDims: readonly number[], m: number, dtype: DType, optimizer: OptimizerState = 'none'): number {
  let parameters = 0;
  let activations = 0;
  for (let l = 1; l < layerDims.length; l++) {
    parameters += layerDims[l]! * (layerDims[l - 1]! + 1);
    activations += layerDims[l]!;
  }
  const data = (layerDims[0]! + layerDims[layerDims.length - 1]!) * m;
  const state = optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
  // Z, A forward; dA, dZ backward: four arrays of (n[l], m) per layer.
  const elements = parameters * (2 + state) + 4 * activations * m + data;
  return elements * (dtype === 'float64' ? 8 : 4);
}

/** A size for people: 1.5 GiB, 300 MiB, 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${Number(v.toPrecision(3))} ${units[u]}`;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 };

/** `--max-memory` as bytes: 512M, 4G, 2GiB, 1.5GB, or a number of bytes. */
export function parseMemory(text: string, flag = '--max-memory'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = (match?.[2] ?? '').toLowerCase();
  if (!match || !Object.hasOwn(UNITS, unit)) throw new ConfigError(`${flag} ${JSON.stringify(text)}: expected a size such as 512M, 4G or 2GiB`);
  const bytes = Number(match[1]) * UNITS[unit]!;
  if (!(bytes >= 1024 ** 2)) throw new ConfigError(`${flag} ${JSON.stringify(text)}: expected at least 1M`);
  return Math.floor(bytes);
}

/** The default bound: half of the machine's memory (or of the container's limit, where smaller). */
export function defaultMaxMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const machine = limit > 0 ? Math.min(limit, totalmem()) : totalmem();
  return Math.floor(machine / 2);
}

/** The refusal of a run above `limit` bytes, or undefined when it fits. */
export function overBound(layerDims: readonly number[], m: number, dtype: DType, limit: number): string | undefined {
  const need = estimateTrainingBytes(layerDims, m, dtype);
  if (need <= limit) return undefined;
  return `needs about ${formatBytes(need)} (layerDims [${layerDims.join(', ')}], m = ${m}, ${dtype}), more than the ${formatBytes(limit)} this worker allows a job (--max-memory)`;
}
