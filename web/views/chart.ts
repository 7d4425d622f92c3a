import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Points drawn at most: beyond it every other point is dropped and the stride doubles. */
const MAX_POINTS = 2000;

/**
 * The cost curve, as the course's notebooks plot it: cost against iterations; it follows its box's
 * width. A long run is drawn through every `stride`-th iteration (the latest always shown), so a
 * frame's drawing stays the same size however long training goes.
 */
export class CostChart {
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  /** The latest point when it falls between strides: drawn, then replaced by the next. */
  private tail: [number, number] | null = null;
  private stride = 1;
  private seen = 0;

  constructor(private readonly container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'iteration' }, { label: 'cost' }],
        // spanGaps: costs have no gaps, so uPlot need not scan the series for them on every draw.
        series: [{ label: 'iteration' }, { label: 'cost', stroke: '#2563eb', width: 2, spanGaps: true }],
        legend: { show: false },
        cursor: { show: false },
      },
      [[], []],
      container,
    );
    new ResizeObserver(() => {
      const width = this.width();
      if (width !== this.plot.width) this.plot.setSize({ width, height: 200 });
    }).observe(container);
  }

  private width(): number {
    return Math.max(200, Math.floor(this.container.clientWidth || 440));
  }

  /** Iterations between drawn points (1 until the run outgrows the chart). */
  get pointStride(): number {
    return this.stride;
  }

  reset(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.tail = null;
    this.stride = 1;
    this.seen = 0;
    this.plot.setData([[], []]);
  }

  add(points: readonly (readonly [number, number])[]): void {
    if (points.length === 0) return;
    for (const [i, c] of points) {
      if (this.seen++ % this.stride === 0) {
        this.xs.push(i);
        this.ys.push(c);
        this.tail = null;
        if (this.xs.length > MAX_POINTS) this.halve();
      } else {
        this.tail = [i, c];
      }
    }
    const xs = this.tail ? [...this.xs, this.tail[0]] : this.xs;
    const ys = this.tail ? [...this.ys, this.tail[1]] : this.ys;
    this.plot.setData([xs, ys]);
  }

  /** Keeps every other point: the first, the third... so the kept ones stay `stride` apart. */
  private halve(): void {
    let k = 0;
    for (let t = 0; t < this.xs.length; t += 2, k++) {
      this.xs[k] = this.xs[t]!;
      this.ys[k] = this.ys[t]!;
    }
    this.xs.length = k;
    this.ys.length = k;
    this.stride *= 2;
  }
}
