// The cost curve as the course's notebooks draw it (cost against iterations), as a standalone SVG.

export interface CostCurveOptions {
  title?: string;
  width?: number;
  height?: number;
  /** The x-axis label (default "iterations"). */
  xLabel?: string;
}

function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/**
 * The points the line goes through: all of them, or for long runs the lowest and highest cost of
 * each pixel column in their order, so that no iteration's spike is lost and the file stays small.
 */
function tracePoints(points: readonly (readonly [number, number])[], px: (x: number) => number): (readonly [number, number])[] {
  if (points.length <= 4000) return [...points];
  const out: (readonly [number, number])[] = [];
  let column = NaN;
  let lo: readonly [number, number] | null = null;
  let hi: readonly [number, number] | null = null;
  const flush = () => {
    if (lo && hi) out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
  };
  for (const p of points) {
    const c = Math.floor(px(p[0]));
    if (c !== column) {
      flush();
      column = c;
      lo = hi = p;
    } else {
      if (p[1] < lo![1]) lo = p;
      if (p[1] > hi![1]) hi = p;
    }
  }
  flush();
  return out;
}

/** An SVG line chart of (iteration, cost) points. */
export function costCurveSvg(points: readonly (readonly [number, number])[], options: CostCurveOptions = {}): string {
  const { width = 640, height = 400, title = 'Cost', xLabel = 'iterations' } = options;
  const left = 64;
  const right = 20;
  const top = 40;
  const bottom = 52;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(...ys, 1e-12) * 1.05;
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin || 1)) * (width - left - right);
  const py = (y: number) => top + (1 - (y - yMin) / (yMax - yMin || 1)) * (height - top - bottom);
  const grid: string[] = [];
  for (const t of niceTicks(yMin, yMax, 6)) {
    grid.push(`<line x1="${left}" x2="${width - right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e5e7eb"/>`);
    grid.push(`<text x="${left - 8}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(xMin, xMax, 8)) {
    grid.push(`<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${top}" y2="${height - bottom}" stroke="#f1f5f9"/>`);
    grid.push(`<text x="${px(t).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  const path = tracePoints(points, px).map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(2)},${py(p[1]).toFixed(2)}`).join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#334155">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...grid,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="#64748b"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#64748b"/>`,
    `<path d="${path}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">cost</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
