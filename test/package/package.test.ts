import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// The package as an installer and a bundler see it: its fields, and which modules an import or a
// command really loads (recorded by a module hook in a child process, against the built dist/).

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  sideEffects: unknown;
  types: string;
  typesVersions: Record<string, Record<string, string[]>>;
  exports: Record<string, string | { types?: string; default: string }>;
};

const dir = mkdtempSync(join(tmpdir(), 'deepnet-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The hook runs in the loader's thread and appends every module it resolves to a file.
const hooks = join(dir, 'hooks.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(process.env.DEEPNET_MODULES_OUT, r.url + '\\n');\n  return r;\n}\n`);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);

let runs = 0;
/** The packages (node_modules/NAME) that `node --import register args` loads. */
function packagesLoaded(args: string[]): { packages: Set<string>; status: number | null; stderr: string } {
  const out = join(dir, `modules-${runs++}.txt`);
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', register, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DEEPNET_MODULES_OUT: out }, timeout: 120_000 });
  const packages = new Set<string>();
  for (const url of readFileSync(out, 'utf8').split('\n')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]!);
  }
  return { packages, status: r.status, stderr: r.stderr };
}

const HEAVY = ['h5wasm', 'bullmq', 'ioredis'];

describe('what an import loads', () => {
  it("import { Network } from 'deepnet' loads neither h5wasm nor the queue's packages, and trains", () => {
    const script = "import { Network, Matrix } from 'deepnet'; const net = new Network({ layerDims: [2, 1] }); console.log(net.fit(Matrix.from([[0, 1], [1, 0]]), Matrix.from([[0, 1]]), { iterations: 2, learningRate: 0.1 }).length);";
    const r = packagesLoaded(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const p of HEAVY) expect(r.packages.has(p), p).toBe(false);
  });

  it("deepnet/node's CSV loader and the cat data (raw bytes from the build) load no h5wasm; reading an HDF5 file does", () => {
    const csv = join(dir, 'points.csv');
    writeFileSync(csv, 'x1,x2,label\n0,1,0\n1,0,1\n1,1,1\n0,0,0\n');
    const r = packagesLoaded(['--input-type=module', '-e', `import { loadCsv } from 'deepnet/node'; const d = await loadCsv(${JSON.stringify(csv)}); console.log(d.X.shape);`]);
    expect(r.stderr).toBe('');
    for (const p of HEAVY) expect(r.packages.has(p), p).toBe(false);
    const cat = packagesLoaded(['--input-type=module', '-e', "import { loadCat } from 'deepnet/node'; const { train } = await loadCat(); console.log(train.X.shape);"]);
    expect(cat.stderr).toBe('');
    expect(cat.status).toBe(0);
    expect(cat.packages.has('h5wasm')).toBe(false);
    const h5 = packagesLoaded(['--input-type=module', '-e', "import { catFiles, loadH5 } from 'deepnet/node'; await loadH5(catFiles().train);"]);
    expect(h5.stderr).toBe('');
    expect(h5.packages.has('h5wasm')).toBe(true);
  });

  it('deepnet train on a CSV file loads none of them, nor do the help of every command and jobs --help', () => {
    const csv = join(dir, 'train.csv');
    writeFileSync(csv, 'x1,x2,label\n' + Array.from({ length: 40 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2}`).join('\n') + '\n');
    const r = packagesLoaded([join(ROOT, 'bin/deepnet.js'), 'train', '--data', csv, '--layers', '3', '--iterations', '5', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const p of HEAVY) expect(r.packages.has(p), p).toBe(false);
    // The queue's packages load when a queue command runs (test/jobs runs them against Redis), not for its help.
    for (const args of [['--help'], ['jobs', '--help'], ['worker', '--help']]) {
      const help = packagesLoaded([join(ROOT, 'bin/deepnet.js'), ...args]);
      expect(help.status, args.join(' ')).toBe(0);
      for (const p of HEAVY) expect(help.packages.has(p), `${args.join(' ')}: ${p}`).toBe(false);
    }
    // The top-level help still lists every command.
    const help = spawnSync(process.execPath, [join(ROOT, 'bin/deepnet.js'), '--help'], { cwd: ROOT, encoding: 'utf8' });
    for (const c of ['train', 'eval', 'predict', 'export', 'tune', 'worker', 'jobs']) expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });
});

describe('package.json', () => {
  it('is ESM-only with engines where require() of ESM works, and says so in the README', () => {
    // require(esm) works unflagged from Node 20.19 and 22.12.
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/ESM-only/);
    const r = spawnSync(process.execPath, ['-e', "const { Network } = require('deepnet'); console.log(typeof Network)"], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr.replace(/^.*ExperimentalWarning.*\n|^\(Use `node --trace-warnings.*\n/gm, '')).toBe('');
    expect(r.stdout).toBe('function\n');
  });

  it('"sideEffects": false: no module of the package does work at import that a bundler must keep', () => {
    expect(pkg.sideEffects).toBe(false);
  });

  it('every subpath resolves to its types under node10 resolution (typesVersions), as under exports', () => {
    // node10 ignores "exports": 'deepnet' reads "types"; 'deepnet/SUB' reads typesVersions["*"]["SUB"].
    const dotTypes = pkg.exports['.'] as { types: string };
    expect(pkg.types).toBe(dotTypes.types);
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === '.' || typeof target === 'string') continue;
      const sub = subpath.slice(2);
      expect(pkg.typesVersions['*']![sub], `typesVersions for ${subpath}`).toEqual([target.types]);
      expect(existsSync(join(ROOT, target.types!)), target.types).toBe(true);
    }
  });
});
