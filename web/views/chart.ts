import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The cost curve, as the course's notebooks plot it: cost against iterations; it follows its box's width. */
export class CostChart {
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];

  constructor(private readonly container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'iteration' }, { label: 'cost' }],
        series: [{ label: 'iteration' }, { label: 'cost', stroke: '#2563eb', width: 2 }],
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

  reset(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.plot.setData([[], []]);
  }

  add(points: readonly (readonly [number, number])[]): void {
    if (points.length === 0) return;
    for (const [i, c] of points) {
      this.xs.push(i);
      this.ys.push(c);
    }
    this.plot.setData([this.xs, this.ys]);
  }
}
