import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { overBound, parseMemory } from '../../src/jobs/memoryBound.js';
import { estimateTrainingBytes, formatBytes } from '../../src/nn/memory.js';

describe('a job\'s memory', () => {
  it('is the estimate `deepnet train` checks before it allocates', () => {
    // [2, 3, 1], m = 10, float64: parameters and gradients 2·13, caches (4·(3 + 1) + 2)·10, data (2 + 1)·10.
    expect(estimateTrainingBytes([2, 3, 1], 10, 'float64')).toBe((2 * 13 + 180 + 30) * 8);
    expect(overBound([2, 3, 1], 10, 'float64', 1888)).toBeUndefined();
    expect(overBound([2, 3, 1], 10, 'float64', 1887)).toContain('needs about 1.9 kB');
    expect(overBound([2, 3, 1], 10, 'float64', 1000, { optimizer: 'adam' })).toContain(`needs about ${formatBytes(estimateTrainingBytes([2, 3, 1], 10, 'float64', { optimizer: 'adam' }))}`);
  });

  it('refuses above the bound with the numbers that decide it', () => {
    expect(overBound([2, 3, 1], 10, 'float64', 10_000)).toBeUndefined();
    expect(overBound([2, 3, 1], 10, 'float64', 1000)).toBe('needs about 1.9 kB (layerDims [2, 3, 1], m = 10, float64), more than the 1 kB this worker allows a job (--max-memory)');
  });

  it('--max-memory takes sizes with units, and nothing else', () => {
    expect(parseMemory('512M')).toBe(512e6);
    expect(parseMemory('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseMemory('1.5g')).toBe(1.5e9);
    expect(parseMemory('1048576')).toBe(1048576);
    for (const bad of ['', 'lots', '-1G', '4X', '1K', 'constructor', '1e9']) expect(() => parseMemory(bad), bad).toThrow(ConfigError);
    expect(() => parseMemory('4X')).toThrow('--max-memory "4X": expected a size such as 512M, 4G or 2GiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.2 GB');
  });
});
