import { totalmem } from 'node:os';
import { ConfigError } from '../errors.js';
import type { DType } from '../matrix.js';
import { estimateTrainingBytes, formatBytes, type MemoryOptions } from '../nn/memory.js';

// The memory a job may take on a worker. A job names its network by its sizes, so a worker can
// tell before training (and, for the hidden layers alone, before loading any data) what the run
// will hold: refusing a job above the bound keeps one careless job from taking the machine down.
// The estimate is the one `deepnet train` checks before it allocates (nn/memory.ts).

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
export function overBound(layerDims: readonly number[], m: number, dtype: DType, limit: number, options: MemoryOptions = {}): string | undefined {
  const need = estimateTrainingBytes(layerDims, m, dtype, options);
  if (need <= limit) return undefined;
  return `needs about ${formatBytes(need)} (layerDims [${layerDims.join(', ')}], m = ${m}, ${dtype}), more than the ${formatBytes(limit)} this worker allows a job (--max-memory)`;
}
