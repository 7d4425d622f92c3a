import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Matrix } from '../src/matrix.js';
import type { Parameters } from '../src/nn/parameters.js';
import type { Runner } from './peers-js.js';
import { repoFile } from './cat-data.js';

/** Whether python3 can import `module` (numpy, torch); false when python3 is missing. */
export function pythonHas(module: string): boolean {
  const r = spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' });
  return r.status === 0;
}

/** Writes X, Y and the initial parameters as raw float64 files for peers.py; returns the folder. */
export function writeInputs(X: Matrix, Y: Matrix, init: Parameters): string {
  const dir = mkdtempSync(join(tmpdir(), 'deepnet-bench-'));
  const put = (name: string, M: Matrix) => writeFileSync(join(dir, `${name}.f64`), Float64Array.from(M.data));
  put('X', X);
  put('Y', Y);
  for (const [k, P] of Object.entries(init)) put(k, P);
  return dir;
}

export function removeInputs(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * numpy or PyTorch in a python3 child process that stays alive across rounds, so its runs can be
 * interleaved with the others. `env` replaces variables of the child's environment (undefined unsets).
 */
export async function pythonRunner(
  lib: 'numpy' | 'torch',
  name: string,
  dir: string,
  dims: readonly number[],
  m: number,
  env: Record<string, string | undefined> = {},
  note?: string,
): Promise<Runner> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn('python3', [repoFile('bench/peers.py'), lib, dir, dims.join(','), String(m), '2'], {
    env: childEnv,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${name}: python3 exited`);
    return JSON.parse(value as string);
  };
  const hello = (await next()) as { version: string; cost0: number };
  return {
    name: `${name} (${hello.version})`,
    note,
    cost0: hello.cost0,
    async run(k) {
      child.stdin.write(`run ${k}\n`);
      return (await next()) as number[];
    },
    dispose() {
      child.stdin.end('quit\n');
    },
  };
}
