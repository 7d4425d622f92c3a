import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepnet, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-'));

describe('deepnet train', () => {
  it('--json prints exactly one JSON object with the contract fields', () => {
    const r = deepnet(['train', '--iterations', '3', '--print-every', '1', '--json', '--backend', 'reference']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(Object.keys(out).sort()).toEqual(['costs', 'layerDims', 'model', 'seconds', 'testAccuracy', 'trainAccuracy']);
    expect(out.layerDims).toEqual([12288, 20, 7, 5, 1]);
    expect(out.costs.map((c: [number, number]) => c[0])).toEqual([0, 1, 2]);
    expect(Math.abs(out.costs[0][1] - 0.7717493284237688)).toBeLessThan(1e-12);
    expect(out.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(out.model).toBeNull();
    // No progress bar when stderr is not a terminal.
    expect(r.stderr).toBe('');
  });

  it("prints the course's cost lines and accuracies, and draws the cost curve", () => {
    const plot = join(dir, 'cost.svg');
    const r = deepnet(['train', '--layers', '7', '--iterations', '11', '--print-every', '5', '--plot', plot, '--backend', 'reference']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/training \[12288, 7, 1\] on builtin:cat \(train\) \(m = 209\)/);
    expect(r.stdout).toMatch(/Cost after iteration 0: 0\.69\d+\nCost after iteration 5: [\d.]+\nCost after iteration 10: [\d.]+/);
    expect(r.stdout).toMatch(/Train accuracy: [\d.]+\nTest accuracy: [\d.]+/);
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Every iteration's cost (11 points), not only the printed ones.
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){10}"/);
    // Written through a temporary file that is gone afterwards.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a bad flag value is bad usage: exit 2 naming the flag', () => {
    const r = deepnet(['train', '--lr', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("option '--lr <alpha>' argument 'fast' is invalid");
    expect(deepnet(['train', '--layers', '20,x']).status).toBe(2);
    expect(deepnet(['train', '--hidden', 'swish']).stderr).toMatch(/expected one of sigmoid, tanh, relu, leakyRelu, linear/);
    expect(deepnet(['train', '--no-such-flag']).status).toBe(2);
    expect(deepnet(['fly']).status).toBe(2);
  });

  it('a missing file is a user error: exit 1 and one line on stderr', () => {
    const r = deepnet(['train', '--data', join(dir, 'missing.h5')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^deepnet: error: .*missing\.h5: no such file/);
  });

  it('a file that is not HDF5 is a user error; --verbose adds the stack', () => {
    const fake = join(dir, 'fake.h5');
    writeFileSync(fake, 'this is text\n');
    const r = deepnet(['train', '--data', fake]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^deepnet: error: .*fake\.h5: not a readable HDF5 file \(file signature not found\)$/);
    const v = deepnet(['train', '--data', fake, '--verbose']);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/DataError: .*\n\s+at /);
  });

  // util-linux's `script` gives the command a terminal, as a user's shell would.
  it.runIf(existsSync('/usr/bin/script'))('on a terminal, a progress bar with the latest cost goes to stderr', () => {
    const typescript = join(dir, 'tty.log');
    const r = spawnSync('/usr/bin/script', ['-qec', 'node bin/deepnet.js train --layers 3 --iterations 4 --backend reference', typescript], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    const screen = readFileSync(typescript, 'utf8');
    expect(screen).toMatch(/training \|[=-]+\| 4\/4 iterations \| cost 0\.\d{6}/);
    expect(screen).toMatch(/Cost after iteration 0: 0\.\d+/);
  });

  it('--help shows an example and exits 0', () => {
    const r = deepnet(['train', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--layers <sizes>');
  });
});

describe('deepnet shapes', () => {
  it("prints the course's dimension table", () => {
    const r = deepnet(['shapes', '--layers', '20,7,5', '--input', '12288', '--output', '1', '--m', '209']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0 \(X\)\s+\(12288, 209\)/);
    expect(r.stdout).toMatch(/1\s+relu\s+\(20, 12288\)\s+\(20, 1\)\s+\(20, 209\)\s+\(20, 209\)\s+245780/);
    expect(r.stdout).toMatch(/3\s+relu\s+\(5, 7\)\s+\(5, 1\)\s+\(5, 209\)\s+\(5, 209\)\s+40/);
    expect(r.stdout).toMatch(/4\s+sigmoid\s+\(1, 5\)\s+\(1, 1\)\s+\(1, 209\)\s+\(1, 209\)\s+6/);
    expect(r.stdout).toContain('total parameters: 245973');
  });

  it('--json gives the same table as data', () => {
    const r = deepnet(['shapes', '--layers', '3', '--input', '2', '--m', '4', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.layerDims).toEqual([2, 3, 1]);
    expect(out.layers[0]).toMatchObject({ layer: 1, W: [3, 2], b: [3, 1], Z: [3, 4], A: [3, 4], parameters: 9 });
  });

  it('--layers is required', () => {
    const r = deepnet(['shapes']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("required option '--layers <sizes>' not specified");
  });
});

