import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Matrix } from '../src/matrix.js';
import type { Parameters } from '../src/nn/parameters.js';
import type { Runner } from './peers-js.js';
import { repoFile } from './cat-data.js';

// Interpreters to try, first to last (Debian's own python3 last: apt's python3-torch lands there);
// DEEPNET_BENCH_PYTHON=cmd adds one at the end (a distribution's
// torch often sits beside a python other than the first python3 on the PATH).
const PYTHONS = ['python3', 'python3.13', 'python3.12', 'python3.11', 'python3.10', '/usr/bin/python3', process.env.DEEPNET_BENCH_PYTHON].filter(
  (p): p is string => !!p,
);

/** The first python that can import numpy and `module` (numpy, torch); undefined when none can. */
export function findPython(module: string): string | undefined {
  return PYTHONS.find((py) => spawnSync(py, ['-c', `import numpy, ${module}`], { stdio: 'ignore' }).status === 0);
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

// How long python's BLAS threads may spin after a run (see run below).
const SETTLE_MS = 150;

/**
 * numpy or PyTorch in a python child process that stays alive across rounds, so its runs can be
 * interleaved with the others. `env` replaces variables of the child's environment (undefined unsets).
 */
export async function pythonRunner(
  python: string,
  lib: 'numpy' | 'torch',
  name: string,
  dir: string,
  dims: readonly number[],
  m: number,
  env: Record<string, string | undefined> = {},
  note?: string,
  network: { hidden: string; learningRate: number } = { hidden: 'relu', learningRate: 0.0075 },
): Promise<Runner> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(python, [repoFile('bench/peers.py'), lib, dir, dims.join(','), String(m), '2', network.hidden, String(network.learningRate)], {
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
      const times = (await next()) as number[];
      // OpenBLAS's threads spin for about 0.1 s after its last call before they sleep: whatever ran
      // next had one core less (deepnet's two-thread median right after numpy's loop 9.9-12.2 ms,
      // after a pause of 120 ms 6.1-6.6). They are asleep when run returns.
      await new Promise((done) => setTimeout(done, SETTLE_MS));
      return times;
    },
    dispose() {
      child.stdin.end('quit\n');
    },
  };
}
