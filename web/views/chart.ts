import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Points drawn at most: beyond it every other point is dropped and the stride doubles. */
const MAX_POINTS = 2000;

/**
 * The cost curve, as the course's notebooks plot it: cost against iterations, with the test split's
 * cost beside it where the data have one; it follows its box's width. A long run is drawn through
 * every `stride`-th iteration (the latest always shown), so a frame's drawing stays the same size
 * however long training goes: at most MAX_POINTS points a series.
 */
export class CostChart {
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly train: number[] = [];
  private readonly test: (number | null)[] = [];
  /** The latest point when it falls between strides: drawn, then replaced by the next. */
  private tail: [number, number, number | null] | null = null;
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

  /** Iterations between drawn points (1 until the run outgrows the chart). */
  get pointStride(): number {
    return this.stride;
  }

  /** The points each series draws now (the tests bound them). */
  get drawnPoints(): { train: number; test: number } {
    const [, train, test] = this.plot.data as unknown as [number[], number[], (number | null)[]];
    return { train: train.length, test: test.filter((v) => v !== null).length };
  }

  reset(): void {
    this.xs.length = 0;
    this.train.length = 0;
    this.test.length = 0;
    this.tail = null;
    this.stride = 1;
    this.seen = 0;
    this.plot.setData([[], [], []]);
  }

  /** Training costs (iteration, J), and the test costs of the same iterations where there are any. */
  add(points: readonly (readonly [number, number])[], testPoints: readonly (readonly [number, number])[] = []): void {
    if (points.length === 0) return;
    // Both come from the same iterations, in order; a test cost of another iteration is left out.
    const testAt = (k: number) => (testPoints[k]?.[0] === points[k]![0] ? testPoints[k]![1] : null);
    points.forEach(([i, c], k) => {
      if (this.seen++ % this.stride === 0) {
        this.xs.push(i);
        this.train.push(c);
        this.test.push(testAt(k));
        this.tail = null;
        // With the tail, at most MAX_POINTS drawn.
        if (this.xs.length >= MAX_POINTS) this.halve();
      } else {
        this.tail = [i, c, testAt(k)];
      }
    });
    const t = this.tail;
    this.plot.setData(t ? [[...this.xs, t[0]], [...this.train, t[1]], [...this.test, t[2]]] : [this.xs, this.train, this.test]);
  }

  /** Keeps every other point: the first, the third... so the kept ones stay `stride` apart. */
  private halve(): void {
    let k = 0;
    for (let t = 0; t < this.xs.length; t += 2, k++) {
      this.xs[k] = this.xs[t]!;
      this.train[k] = this.train[t]!;
      this.test[k] = this.test[t]!;
    }
    this.xs.length = k;
    this.train.length = k;
    this.test.length = k;
    this.stride *= 2;
  }
}
