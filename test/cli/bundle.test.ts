import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const BIN = fileURLToPath(new URL('../../bin/deepnet.js', import.meta.url));
const DIST = `${ROOT}dist/`;

// A module-loading hook that names every file the command loads, on stderr.
const HOOKS = `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

/** The files of dist/ a command loads, relative to dist/, and what it printed. */
function loaded(args: string[]): { files: string[]; status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const files = [...r.stderr.matchAll(/^LOADED (file:\S+)$/gm)].map((m) => fileURLToPath(m[1]!)).filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length));
  return { files, status: r.status, stdout: r.stdout };
}

describe('the bundled CLI', () => {
  it('runs a command from dist/bundle/ alone: a few files, none of the compiled modules', () => {
    const { files, status, stdout } = loaded(['shapes', '--layers', '12288,20,7,5,1', '--m', '209']);
    expect(status).toBe(0);
    expect(stdout).toContain('(20, 12288)');
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !f.startsWith('bundle/'))).toEqual([]);
    // The unbundled CLI loads over a hundred files for the same command.
    expect(files.length).toBeLessThan(20);
  });
});
