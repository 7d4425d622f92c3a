import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionBoundarySvg } from '../../src/cli/boundary.js';
import { terminalChart } from '../../src/cli/chart.js';
import { svgToPng } from '../../src/cli/png.js';
import { ConfigError } from '../../src/errors.js';
import { Matrix } from '../../src/matrix.js';
import { NumpyRandom } from '../../src/random.js';
import { deepnet as cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-plots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pixel(png: PNG, x: number, y: number): string {
  const i = (Math.round(y) * png.width + Math.round(x)) * 4;
  return '#' + [0, 1, 2].map((c) => png.data[i + c]!.toString(16).padStart(2, '0')).join('');
}

describe('terminal chart', () => {
  it('draws the curve from the top-left (largest cost) to the bottom-right (smallest)', () => {
    const lines = terminalChart([[0, 0.7], [100, 0.5], [200, 0.3], [299, 0.1]], { width: 30, height: 8 });
    expect(lines).toHaveLength(8 + 3);
    expect(lines[0]).toMatch(/^0\.7000 │•/);
    expect(lines[7]).toMatch(/^0\.1000 │ +•+$/);
    expect(lines[7]!.length).toBe(lines[0]!.indexOf('│') + 1 + 30);
    expect(lines[9]).toMatch(/^\s+0\s+299$/);
    // Every column has exactly one point: a continuous line.
    for (let c = 0; c < 30; c++) expect(lines.slice(0, 8).filter((l) => l[l.indexOf('│') + 1 + c] === '•').length, `column ${c}`).toBeGreaterThanOrEqual(1);
  });

  it('is empty without finite costs', () => {
    expect(terminalChart([])).toEqual([]);
    expect(terminalChart([[0, Number.NaN]])).toEqual([]);
  });
});

describe('decision boundary', () => {
  const X = Matrix.from([[-2, -1, 1, 2], [-2, 1, -1, 2]]);
  const Y = Matrix.from([[0, 0, 1, 1]]);
  // A known model: class 1 where x1 > 0.
  const forward = (G: Matrix) => {
    const P = Matrix.zeros(1, G.cols);
    for (let j = 0; j < G.cols; j++) P.set(0, j, G.get(0, j) > 0 ? 0.9 : 0.1);
    return P;
  };

  it("colours each region by the model's prediction and each point by its label", () => {
    const svg = decisionBoundarySvg(forward, X, Y, { resolution: 50 });
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg.match(/fill="#9e0142"/g)).toHaveLength(2); // label 0 points
    expect(svg.match(/fill="#5e4fa2"/g)).toHaveLength(2); // label 1 points
    // Two runs per row (x1 < 0, x1 > 0), 50 rows.
    expect(svg.match(/<rect [^>]*fill="#(f4a3a8|b3aee0)"/g)).toHaveLength(100);
    const png = PNG.sync.read(Buffer.from(svgToPng(svg)));
    expect([png.width, png.height]).toEqual([520, 520]);
    // The plot spans x1 and x2 in [-3, 3] over a 444-pixel square at (48, 36).
    const size = 444;
    const at = (x1: number, x2: number) => pixel(png, 48 + ((x1 + 3) / 6) * size, 36 + ((3 - x2) / 6) * size);
    expect(at(-2.5, 0)).toBe('#f4a3a8');
    expect(at(2.5, 0)).toBe('#b3aee0');
    expect(at(-2, -2)).toBe('#9e0142');
    expect(at(2, 2)).toBe('#5e4fa2');
  });

  it('needs 2-feature data', () => {
    expect(() => decisionBoundarySvg(forward, Matrix.zeros(3, 2), Matrix.zeros(1, 2))).toThrow(ConfigError);
    expect(() => decisionBoundarySvg(forward, Matrix.zeros(3, 2), Matrix.zeros(1, 2))).toThrow('X has n_x = 3 features');
  });
});

describe('train --plot / --plot-boundary (spawned)', () => {
  const data = join(dir, 'blobs.h5');

  beforeAll(async () => {
    // Two Gaussian blobs in the HDF5 layout (x (m, 2) floats, y (m,)).
    const rng = new NumpyRandom(0);
    const m = 80;
    const z = rng.randn(m, 2);
    const x = new Float64Array(m * 2);
    const y = new Float64Array(m);
    for (let s = 0; s < m; s++) {
      y[s] = s % 2;
      x[s * 2] = z[s * 2]! + (s % 2 ? 2 : -2);
      x[s * 2 + 1] = z[s * 2 + 1]! + (s % 2 ? 1 : -1);
    }
    await h5wasm.ready;
    const f = new h5wasm.File(data, 'w');
    f.create_dataset({ name: 'train_x', data: x, shape: [m, 2] });
    f.create_dataset({ name: 'train_y', data: y, shape: [m] });
    f.close();
  });

  it('writes the cost curve and the boundary as PNG, and prints the terminal chart', () => {
    const cost = join(dir, 'cost.png');
    const boundary = join(dir, 'boundary.png');
    const r = cli(['train', '--data', data, '--layers', '4', '--iterations', '300', '--lr', '0.1', '--plot', cost, '--plot-boundary', boundary]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Cost curve: ${cost}\nDecision boundary: ${boundary}`);
    expect(r.stdout).toMatch(/^\s*\d\.\d{3,4} │•/m);
    expect(r.stdout).toContain('cost per iteration');
    const curve = PNG.sync.read(readFileSync(cost));
    expect([curve.width, curve.height]).toEqual([640, 400]);
    let blue = 0;
    for (let y = 0; y < curve.height; y++) for (let x = 0; x < curve.width; x++) if (pixel(curve, x, y) === '#2563eb') blue++;
    expect(blue).toBeGreaterThan(200); // the curve itself
    const b = PNG.sync.read(readFileSync(boundary));
    expect([b.width, b.height]).toEqual([520, 520]);
    // The blobs sit at (-2, -1) and (2, 1): far corners of the plot fall in different regions.
    const colours = new Set([pixel(b, 60, 468), pixel(b, 480, 48)]);
    expect(colours).toEqual(new Set(['#f4a3a8', '#b3aee0']));
  });

  it('SVG too', () => {
    const boundary = join(dir, 'boundary.svg');
    const r = cli(['train', '--data', data, '--layers', '3', '--iterations', '50', '--lr', '0.1', '--plot-boundary', boundary, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(boundary, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(80);
  });

  it('refuses, before training, a boundary of data that is not 2-D and a chart that is neither SVG nor PNG', () => {
    const r = cli(['train', '--layers', '3', '--iterations', '5', '--plot-boundary', join(dir, 'b.svg')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('deepnet: error: --plot-boundary draws 2-feature data, but builtin:cat (train) has n_x = 12288 features\n');
    const bad = cli(['train', '--data', data, '--iterations', '5', '--plot', join(dir, 'cost.jpg')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('expected a .svg or .png file name, got extension ".jpg"');
  });
});
