import type { DataSummary, Progress } from '../protocol.js';
import { classColor, rgb, shadeCell } from './colors.js';

/** The decision boundary as a heat map of the prediction under the data points. */
export class BoundaryView {
  private data: DataSummary | null = null;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cell = document.createElement('canvas');
  drawn = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  setData(data: DataSummary): void {
    this.data = data;
    this.drawn = false;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawPoints();
  }

  /** No data, no picture (a broken file). */
  clear(): void {
    this.data = null;
    this.drawn = false;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  draw(boundary: NonNullable<Progress['boundary']>): void {
    if (!this.data?.extent) return;
    const { size, K, values } = boundary;
    this.cell.width = size;
    this.cell.height = size;
    const cellCtx = this.cell.getContext('2d')!;
    const image = cellCtx.createImageData(size, size);
    for (let t = 0; t < size * size; t++) shadeCell(values, K, size * size, t, image.data);
    cellCtx.putImageData(image, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(this.cell, 0, 0, this.canvas.width, this.canvas.height);
    this.drawPoints();
    this.drawn = true;
  }

  private drawPoints(): void {
    const d = this.data;
    if (!d?.points || !d.extent) return;
    const [x0, x1, y0, y1] = d.extent;
    const { width, height } = this.canvas;
    const { x1: px, x2: py, label, test } = d.points;
    for (let t = 0; t < px.length; t++) {
      const x = ((px[t]! - x0) / (x1 - x0)) * width;
      const y = (1 - (py[t]! - y0) / (y1 - y0)) * height;
      const color = classColor(label[t]!);
      this.ctx.beginPath();
      this.ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
      if (test[t]) {
        this.ctx.strokeStyle = rgb(color);
        this.ctx.lineWidth = 1.5;
        this.ctx.fillStyle = '#ffffff';
        this.ctx.fill();
        this.ctx.stroke();
      } else {
        this.ctx.fillStyle = rgb(color);
        this.ctx.strokeStyle = 'rgba(15, 23, 42, 0.6)';
        this.ctx.lineWidth = 0.6;
        this.ctx.fill();
        this.ctx.stroke();
      }
    }
  }
}
