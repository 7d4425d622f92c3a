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

  // The playground's shading: the class colour mixed with white by a = 0.15 + 0.45 * |2p - 1|;
  // here p is 0.1 or 0.9, so a = 0.51: blue (37, 99, 235) -> (144, 175, 245), orange (234, 88, 12) -> (244, 170, 131).
  const LIGHT_BLUE = '#90aff5';
  const LIGHT_ORANGE = '#f4aa83';

  it("shades each region by the model's prediction in one smooth image, points by their label, with a legend", () => {
    const svg = decisionBoundarySvg(forward, X, Y, { resolution: 50, classes: ['non-cat', 'cat'] });
    expect(svg.match(/<image /g)).toHaveLength(1);
    expect(svg.match(/<circle [^>]*><title>/g)).toHaveLength(4);
    expect(svg.match(/fill="#2563eb"/g)).toHaveLength(2 + 1); // label 0 points and its legend swatch
    expect(svg.match(/fill="#ea580c"/g)).toHaveLength(2 + 1);
    expect(svg).toContain('>non-cat</text>');
    expect(svg).toContain('>cat</text>');
    const png = PNG.sync.read(Buffer.from(svgToPng(svg)));
    expect([png.width, png.height]).toEqual([520, 544]);
    // The plot spans x1 and x2 in [-3, 3] over a 444-pixel square at (48, 36).
    const size = 444;
    const at = (x1: number, x2: number) => pixel(png, 48 + ((x1 + 3) / 6) * size, 36 + ((3 - x2) / 6) * size);
    expect(at(-2.5, 0)).toBe(LIGHT_BLUE);
    expect(at(2.5, 0)).toBe(LIGHT_ORANGE);
    expect(at(-2, -2)).toBe('#2563eb');
    expect(at(2, 2)).toBe('#ea580c');
    // No stripes: inside a region (a cell's width from the boundary, where the image blends) every pixel of every row has the region's colour, seamlessly.
    for (let y = 40; y < 36 + size - 4; y += 3) {
      for (let x = 52; x < 48 + size / 2 - 16; x++) {
        const c = pixel(png, x, y);
        if (c !== LIGHT_BLUE) {
          // Only the points may differ.
          const x1 = ((x - 48) / size) * 6 - 3;
          const x2 = 3 - ((y - 36) / size) * 6;
          expect(Math.min(Math.hypot(x1 + 2, x2 + 2), Math.hypot(x1 + 1, x2 - 1)), `pixel (${x}, ${y}) is ${c}`).toBeLessThan(0.1);
        }
      }
    }
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
    expect([b.width, b.height]).toEqual([520, 544]);
    // The blobs sit at (-2, -1) and (2, 1): far corners of the plot fall in the two classes' regions, blue and orange.
    const [lo, hi] = [pixel(b, 60, 468), pixel(b, 480, 48)].map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    expect(lo![2]).toBeGreaterThan(lo![0]!); // bluish
    expect(hi![0]).toBeGreaterThan(hi![2]!); // orangish
  });

  it('SVG too', () => {
    const boundary = join(dir, 'boundary.svg');
    const r = cli(['train', '--data', data, '--layers', '3', '--iterations', '50', '--lr', '0.1', '--plot-boundary', boundary, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(boundary, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle [^>]*><title>label [01]<\/title>/g)).toHaveLength(80);
    expect(svg).toContain('>0</text>'); // the legend names the classes by index when the data has no names
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
