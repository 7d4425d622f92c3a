import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { estimateTrainingBytes, formatBytes, overBound, parseMemory } from '../../src/jobs/memoryBound.js';

describe('a job\'s memory', () => {
  it('counts parameters and gradients, four (n[l], m) caches per layer, and the data', () => {
    // [2, 3, 1], m = 10: parameters 3·3 + 1·4 = 13; caches 4·(3 + 1)·10 = 160; data (2 + 1)·10 = 30.
    expect(estimateTrainingBytes([2, 3, 1], 10, 'float64')).toBe((2 * 13 + 160 + 30) * 8);
    expect(estimateTrainingBytes([2, 3, 1], 10, 'float32')).toBe((2 * 13 + 160 + 30) * 4);
    expect(estimateTrainingBytes([2, 3, 1], 10, 'float64', 'adam')).toBe((4 * 13 + 160 + 30) * 8);
    expect(estimateTrainingBytes([2, 3, 1], 10, 'float64', 'momentum')).toBe((3 * 13 + 160 + 30) * 8);
    // The course's cat network on its 209 images: about 10 MB.
    expect(estimateTrainingBytes([12288, 20, 7, 5, 1], 209, 'float64')).toBe((2 * (20 * 12289 + 7 * 21 + 5 * 8 + 1 * 6) + 4 * 33 * 209 + 12289 * 209) * 8);
  });

  it('refuses above the bound with the numbers that decide it', () => {
    expect(overBound([2, 3, 1], 10, 'float64', 10_000)).toBeUndefined();
    expect(overBound([2, 3, 1], 10, 'float64', 1000)).toBe('needs about 1.69 KiB (layerDims [2, 3, 1], m = 10, float64), more than the 1000 bytes this worker allows a job (--max-memory)');
  });

  it('--max-memory takes sizes with units, and nothing else', () => {
    expect(parseMemory('512M')).toBe(512e6);
    expect(parseMemory('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseMemory('1.5g')).toBe(1.5e9);
    expect(parseMemory('1048576')).toBe(1048576);
    for (const bad of ['', 'lots', '-1G', '4X', '1K', 'constructor', '1e9']) expect(() => parseMemory(bad), bad).toThrow(ConfigError);
    expect(() => parseMemory('4X')).toThrow('--max-memory "4X": expected a size such as 512M, 4G or 2GiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GiB');
  });
});
