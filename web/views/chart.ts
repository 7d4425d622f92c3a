import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Points drawn at most: beyond it every other point is dropped and the stride doubles. */
const MAX_POINTS = 2000;

/**
 * One curve, thinned as it grows: every `stride`-th point it is given is kept (the latest always
 * drawn), and past MAX_POINTS every other one is dropped and the stride doubles.
 */
class Series {
  readonly xs: number[] = [];
  readonly ys: number[] = [];
  /** The latest point when it falls between strides: drawn, then replaced by the next. */
  private tail: [number, number] | null = null;
  stride = 1;
  private seen = 0;

  reset(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.tail = null;
    this.stride = 1;
    this.seen = 0;
  }

  add(points: readonly (readonly [number, number])[]): void {
    for (const [i, c] of points) {
      if (this.seen++ % this.stride === 0) {
        this.xs.push(i);
        this.ys.push(c);
        this.tail = null;
        // With the tail, at most MAX_POINTS drawn.
        if (this.xs.length >= MAX_POINTS) this.halve();
      } else {
        this.tail = [i, c];
      }
    }
  }

  /** The drawn points: the kept ones and the tail. */
  points(): { xs: number[]; ys: number[] } {
    return this.tail ? { xs: [...this.xs, this.tail[0]], ys: [...this.ys, this.tail[1]] } : { xs: this.xs, ys: this.ys };
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

/**
 * The cost curve, as the course's notebooks plot it: cost against iterations, with the test split's
 * cost beside it where the data have one; it follows its box's width. Each curve is thinned on its
 * own (the test cost may be taken less often), so a frame's drawing stays the same size however
 * long training goes: at most MAX_POINTS points a curve.
 */
export class CostChart {
  private readonly plot: uPlot;
  private readonly train = new Series();
  private readonly test = new Series();
  private drawn = { train: 0, test: 0 };

  constructor(private readonly container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'iteration' }, { label: 'cost' }],
        // spanGaps: where one curve has a point and the other none, the other's line goes on.
        series: [
          { label: 'iteration' },
          { label: 'training cost', stroke: '#2563eb', width: 2, spanGaps: true },
          { label: 'test cost', stroke: '#ea580c', width: 2, dash: [6, 4], spanGaps: true },
        ],
        legend: { show: false },
        cursor: { show: false },
      },
      [[], [], []],
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

  /** Iterations between drawn points of the training cost (1 until the run outgrows the chart). */
  get pointStride(): number {
    return this.train.stride;
  }

  /** The points each curve draws now (the tests bound them). */
  get drawnPoints(): { train: number; test: number } {
    return this.drawn;
  }

  reset(): void {
    this.train.reset();
    this.test.reset();
    this.drawn = { train: 0, test: 0 };
    this.plot.setData([[], [], []]);
  }

  /** Training costs (iteration, J) and test costs (iteration, J), each in iteration order. */
  add(points: readonly (readonly [number, number])[], testPoints: readonly (readonly [number, number])[] = []): void {
    if (points.length === 0 && testPoints.length === 0) return;
    this.train.add(points);
    this.test.add(testPoints);
    const a = this.train.points();
    const b = this.test.points();
    this.drawn = { train: a.xs.length, test: b.xs.length };
    if (b.xs.length === 0) return this.plot.setData([a.xs, a.ys, a.xs.map(() => null)]);
    // uPlot draws its curves over one x axis: the union of both curves' iterations, a gap (null) where one has none.
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    const zs: (number | null)[] = [];
    for (let i = 0, j = 0; i < a.xs.length || j < b.xs.length; ) {
      const x = Math.min(a.xs[i] ?? Infinity, b.xs[j] ?? Infinity);
      xs.push(x);
      ys.push(a.xs[i] === x ? a.ys[i++]! : null);
      zs.push(b.xs[j] === x ? b.ys[j++]! : null);
    }
    this.plot.setData([xs, ys, zs]);
  }
}
