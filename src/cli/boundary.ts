import { PNG } from 'pngjs';
import { ConfigError } from '../errors.js';
import { classColor, hexColor, shadeCell } from '../io/classColors.js';
import { Matrix } from '../matrix.js';
import { escapeXml } from './plot.js';

// The decision boundary as the course's plot_decision_boundary draws it: the model's prediction over
// a grid spanning the data ±1, the samples on top coloured by their label; in the playground's
// colours and shading (light near the boundary, stronger where the network is sure), as one smooth
// image rather than cells, with a legend naming the classes.

export interface BoundaryOptions {
  title?: string;
  /** Grid cells per side (default 200), drawn as one image scaled smoothly. */
  resolution?: number;
  width?: number;
  height?: number;
  /** Class names for the legend (default: the label indices). */
  classes?: readonly (string | number)[] | null;
}

/** The class of each column of labels: 0/1 at 0.5 for one row, the argmax for several. */
function classes(P: Matrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < P.cols; j++) {
    if (P.rows === 1) {
      out.push(P.get(0, j) > 0.5 ? 1 : 0);
      continue;
    }
    let best = 0;
    for (let i = 1; i < P.rows; i++) if (P.get(i, j) > P.get(best, j)) best = i;
    out.push(best);
  }
  return out;
}

/**
 * An SVG of the decision boundary of `forward` (X (2, k) -> AL) over the data X (2, m), Y (n_y, m).
 */
export function decisionBoundarySvg(forward: (X: Matrix) => Matrix, X: Matrix, Y: Matrix, options: BoundaryOptions = {}): string {
  if (X.rows !== 2) throw new ConfigError(`--plot-boundary draws 2-feature data, but X has n_x = ${X.rows} features`);
  const { title = 'Decision boundary', resolution = 200, width = 520, height = 544 } = options;
  const x0 = Array.from({ length: X.cols }, (_, j) => X.get(0, j));
  const x1 = Array.from({ length: X.cols }, (_, j) => X.get(1, j));
  const xMin = Math.min(...x0) - 1;
  const xMax = Math.max(...x0) + 1;
  const yMin = Math.min(...x1) - 1;
  const yMax = Math.max(...x1) + 1;
  const n = resolution;
  // Cell centres, row-major from the top (largest x1) down, as the image is drawn.
  const grid = Matrix.zeros(2, n * n, X.dtype);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      grid.set(0, r * n + c, xMin + ((c + 0.5) / n) * (xMax - xMin));
      grid.set(1, r * n + c, yMax - ((r + 0.5) / n) * (yMax - yMin));
    }
  }
  const AL = forward(grid);
  const image = new PNG({ width: n, height: n });
  for (let t = 0; t < n * n; t++) shadeCell(AL.data, AL.rows, n * n, t, image.data);
  const href = `data:image/png;base64,${PNG.sync.write(image).toString('base64')}`;
  const K = Math.max(2, Y.rows, AL.rows);
  const left = 48;
  const top = 36;
  const size = Math.min(width - left - 16, height - top - 64);
  const px = (v: number) => left + ((v - xMin) / (xMax - xMin)) * size;
  const py = (v: number) => top + ((yMax - v) / (yMax - yMin)) * size;
  const parts: string[] = [`<image x="${left}" y="${top}" width="${size}" height="${size}" preserveAspectRatio="none" image-rendering="optimizeQuality" href="${href}"/>`];
  const labels = classes(Y);
  for (let j = 0; j < X.cols; j++) {
    const k = labels[j]!;
    parts.push(`<circle cx="${px(x0[j]!).toFixed(2)}" cy="${py(x1[j]!).toFixed(2)}" r="3.2" fill="${hexColor(classColor(k))}" stroke="#0f172a" stroke-opacity="0.6" stroke-width="0.6"><title>label ${k}</title></circle>`);
  }
  // The legend: one swatch per class, in a row under the axis labels.
  let lx = left;
  const ly = top + size + 50;
  for (let k = 0; k < K; k++) {
    const name = escapeXml(String(options.classes?.[k] ?? k));
    parts.push(`<circle cx="${lx + 5}" cy="${ly - 4}" r="5" fill="${hexColor(classColor(k))}"/><text x="${lx + 14}" y="${ly}">${name}</text>`);
    lx += 28 + 7 * name.length;
  }
  const tick = (v: number) => String(Number(v.toPrecision(3)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#334155">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left + size / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#64748b"/>`,
    `<text x="${left}" y="${top + size + 16}" text-anchor="start">${tick(xMin)}</text>`,
    `<text x="${left + size}" y="${top + size + 16}" text-anchor="end">${tick(xMax)}</text>`,
    `<text x="${left + size / 2}" y="${top + size + 30}" text-anchor="middle">x1</text>`,
    `<text x="${left - 6}" y="${top + size}" text-anchor="end">${tick(yMin)}</text>`,
    `<text x="${left - 6}" y="${top + 10}" text-anchor="end">${tick(yMax)}</text>`,
    `<text transform="translate(14 ${top + size / 2}) rotate(-90)" text-anchor="middle">x2</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
