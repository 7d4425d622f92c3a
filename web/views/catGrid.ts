import type { CatBytes } from '../protocol.js';

/** The cat test images with the predicted label over each (green when right, red when wrong). */
export class CatGrid {
  private canvases: HTMLCanvasElement[] = [];
  private labels: HTMLElement[] = [];
  private truth: Uint8Array = new Uint8Array();

  constructor(private readonly container: HTMLElement) {}

  setImages(test: CatBytes): void {
    this.container.replaceChildren();
    this.canvases = [];
    this.labels = [];
    this.truth = test.y;
    const side = 64;
    const m = test.m;
    for (let s = 0; s < m; s++) {
      const figure = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.width = side;
      canvas.height = side;
      const ctx = canvas.getContext('2d')!;
      const image = ctx.createImageData(side, side);
      for (let p = 0; p < side * side; p++) {
        // Feature 3p + c of sample s (the bytes are feature by feature, as X).
        image.data[4 * p] = test.x[3 * p * m + s]!;
        image.data[4 * p + 1] = test.x[(3 * p + 1) * m + s]!;
        image.data[4 * p + 2] = test.x[(3 * p + 2) * m + s]!;
        image.data[4 * p + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
      const caption = document.createElement('figcaption');
      caption.textContent = test.y[s] ? 'cat' : 'non-cat';
      caption.title = `true label: ${test.y[s] ? 'cat' : 'non-cat'}`;
      figure.append(canvas, caption);
      this.container.append(figure);
      this.canvases.push(canvas);
      this.labels.push(caption);
    }
  }

  update(predicted: Uint8Array, probability: Float32Array): void {
    predicted.forEach((p, s) => {
      const label = this.labels[s];
      if (!label) return;
      const right = p === this.truth[s];
      const text = `${p ? 'cat' : 'non-cat'} ${(100 * (p ? probability[s]! : 1 - probability[s]!)).toFixed(0)}%`;
      // Written only when it changes: 50 captions rewritten 12 times a second cost the page a layout each time.
      if (label.textContent !== text) label.textContent = text;
      const className = right ? 'right' : 'wrong';
      if (label.className !== className) label.className = className;
    });
  }
}
