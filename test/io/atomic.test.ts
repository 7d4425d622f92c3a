import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// writeSync is replaced by one that can be told to write half the bytes and then throw, as a
// crash (disk full, kill) in the middle of a save would.
const crash = { armed: false };
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: (fd: number, data: NodeJS.ArrayBufferView, offset?: number, length?: number) => {
      if (crash.armed) {
        real.writeSync(fd, data, offset ?? 0, Math.floor((length ?? data.byteLength) / 2));
        throw new Error('simulated crash mid-write');
      }
      return real.writeSync(fd, data, offset, length);
    },
  };
});

const { Network } = await import('../../src/nn/network.js');

const dir = mkdtempSync(join(tmpdir(), 'deepnet-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saving is atomic', () => {
  it('a crash during save leaves the previous model intact and no temporary file behind', async () => {
    const path = join(dir, 'model.safetensors');
    const old = new Network({ layerDims: [4, 3, 1], seed: 1 });
    await old.save(path);
    const before = readFileSync(path);

    const next = new Network({ layerDims: [4, 3, 1], seed: 2 });
    crash.armed = true;
    try {
      await expect(next.save(path)).rejects.toThrow('simulated crash mid-write');
    } finally {
      crash.armed = false;
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const loaded = Network.fromBytes(readFileSync(path), path);
    expect(Array.from(loaded.parameters.W1!.data)).toEqual(Array.from(old.parameters.W1!.data));

    // Without the crash the new model replaces the old one.
    await next.save(path);
    expect(readFileSync(path).equals(before)).toBe(false);
    expect(Array.from(Network.fromBytes(readFileSync(path)).parameters.W1!.data)).toEqual(Array.from(next.parameters.W1!.data));
  });
});
