import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const BIN = fileURLToPath(new URL('../../bin/deepnet.js', import.meta.url));
const DIST = `${ROOT}dist/`;

// A module-loading hook that names every file the command loads, on stderr.
const HOOKS = `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

/** The files of dist/ a command loads, relative to dist/, every file it loads, and what it printed. */
function loaded(args: string[]): { files: string[]; all: string[]; status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const all = [...r.stderr.matchAll(/^LOADED (file:\S+)$/gm)].map((m) => fileURLToPath(m[1]!));
  const files = all.filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length));
  return { files, all, status: r.status, stdout: r.stdout };
}

describe('the bundled CLI', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deepnet-bundle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a command from dist/bundle/ alone: a few files, none of the compiled modules', () => {
    const { files, status, stdout } = loaded(['shapes', '--layers', '12288,20,7,5,1', '--m', '209']);
    expect(status).toBe(0);
    expect(stdout).toContain('(20, 12288)');
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !f.startsWith('bundle/'))).toEqual([]);
    // The unbundled CLI loads over a hundred files for the same command.
    expect(files.length).toBeLessThan(20);
  });

  it('loads the CSV parser only for a CSV file (it costs a start about 10 ms)', () => {
    const csvParser = (all: string[]) => all.filter((f) => f.includes(`${join('node_modules', 'csv-parse')}`));
    const plain = loaded(['train', '--data', 'builtin:xor', '--layers', '3', '--iterations', '1', '--out', join(dir, 'xor.safetensors')]);
    expect(plain.status).toBe(0);
    expect(csvParser(plain.all)).toEqual([]);
    const csv = join(dir, 'tiny.csv');
    writeFileSync(csv, 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
    const fromCsv = loaded(['train', '--data', csv, '--layers', '3', '--iterations', '1', '--out', join(dir, 'csv.safetensors')]);
    expect(fromCsv.status).toBe(0);
    expect(fromCsv.stdout).toContain('(m = 4)');
    expect(csvParser(fromCsv.all).length).toBeGreaterThan(0);
  });
});
