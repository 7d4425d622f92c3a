// A small cost chart for the terminal, printed at the end of `train`: the course's cost curve at a
// glance, without opening a file.

export interface TerminalChartOptions {
  width?: number;
  height?: number;
}

/** Lines of a text chart of (iteration, cost) points: y labels on the left, iterations below. */
export function terminalChart(points: readonly (readonly [number, number])[], options: TerminalChartOptions = {}): string[] {
  const { width = 60, height = 10 } = options;
  const finite = points.filter((p) => Number.isFinite(p[1]));
  if (finite.length === 0) return [];
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const rows = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  const col = (x: number) => (xMax === xMin ? 0 : Math.round(((x - xMin) / (xMax - xMin)) * (width - 1)));
  const row = (y: number) => (yMax === yMin ? height - 1 : Math.round(((yMax - y) / (yMax - yMin)) * (height - 1)));
  // Straight segments between consecutive points, so sparse points still draw a line.
  for (let i = 0; i < finite.length; i++) {
    const [x, y] = finite[i]!;
    const [px, py] = i > 0 ? finite[i - 1]! : finite[i]!;
    const c0 = col(px);
    const c1 = col(x);
    for (let c = c0; c <= c1; c++) {
      const t = c1 === c0 ? 1 : (c - c0) / (c1 - c0);
      rows[row(py + t * (y - py))]![c] = '•';
    }
  }
  const label = (v: number) => v.toPrecision(4);
  const w = Math.max(label(yMax).length, label(yMin).length);
  const lines = rows.map((r, i) => {
    const y = i === 0 ? label(yMax) : i === height - 1 ? label(yMin) : '';
    return `${y.padStart(w)} │${r.join('')}`;
  });
  lines.push(`${''.padStart(w)} └${'─'.repeat(width)}`);
  const right = `${xMax}`;
  lines.push(`${''.padStart(w)}  ${String(xMin).padEnd(width - right.length)}${right}`);
  lines.push(`${''.padStart(w)}  cost per iteration`);
  return lines;
}
