import type { Progress } from '../protocol.js';

const SHOWN = 10;
const NS = 'http://www.w3.org/2000/svg';
const XHTML = 'http://www.w3.org/1999/xhtml';
/** A unit's heatmap, in the drawing's units. */
const TILE = 17;

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** One hidden unit's heatmap: its canvas, and the latest pixels (the enlarged view redraws from them). */
interface UnitTile {
  l: number;
  i: number;
  canvas: HTMLCanvasElement;
  image: ImageData | null;
}

/**
 * The network drawn layer by layer: units as circles (at most 10 per layer), connections coloured by
 * the weight's sign (blue +, orange -) and thickened by its size. For 2-feature data each hidden unit
 * is a small heatmap of its A[l] over the plane, enlarged in `zoom` on hover or focus.
 */
export class NetworkDiagram {
  private layerDims: number[] = [];
  private activations: string[] = [];
  private highlighted: number | null = null;
  /** Each drawn connection, its layer and the weight it shows: new weights only restyle them. */
  private lines: { l: number; i: number; j: number; line: SVGElement; stroke: string; width: string }[] = [];

  private tiles: UnitTile[] = [];
  private zoomed: UnitTile | null = null;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly zoom: HTMLElement,
  ) {}

  /** Whether the drawing has unit heatmaps (2-feature data with hidden layers). */
  get hasUnits(): boolean {
    return this.tiles.length > 0;
  }

  /** Puts each unit's pixels, as the worker coloured them: one putImageData a unit. */
  drawUnits(units: NonNullable<Progress['units']>): void {
    for (const tile of this.tiles) {
      const rgba = units.pixels[tile.l - 1]?.[tile.i];
      if (!rgba) continue;
      tile.image = new ImageData(rgba, units.size, units.size);
      if (tile.canvas.width !== units.size) tile.canvas.width = tile.canvas.height = units.size;
      tile.canvas.getContext('2d')!.putImageData(tile.image, 0, 0);
    }
    if (this.zoomed) this.showZoom(this.zoomed);
  }

  private showZoom(tile: UnitTile): void {
    this.zoomed = tile;
    this.zoom.hidden = false;
    // Beside the unit, not over it: a unit in the right half is enlarged on the left.
    this.zoom.classList.toggle('left', tile.l > (this.layerDims.length - 1) / 2);
    this.zoom.querySelector('figcaption')!.textContent = `A[${tile.l}] unit ${tile.i + 1}: ${this.activations[tile.l - 1] ?? ''}(Z[${tile.l}]) over the plane`;
    const canvas = this.zoom.querySelector('canvas')!;
    const ctx = canvas.getContext('2d')!;
    if (!tile.image) return ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tile.canvas, 0, 0, canvas.width, canvas.height);
  }

  private hideZoom(tile: UnitTile): void {
    if (this.zoomed !== tile) return;
    this.zoomed = null;
    this.zoom.hidden = true;
  }

  setNetwork(layerDims: number[], activations: string[]): void {
    this.layerDims = layerDims;
    this.activations = activations;
    this.build();
  }

  highlight(layer: number | null): void {
    this.highlighted = layer;
    for (const g of this.svg.querySelectorAll('[data-layer]')) {
      g.classList.toggle('highlight', Number(g.getAttribute('data-layer')) === layer);
    }
  }

  /** Colours and thickens each connection by its weight; a layer too large to show stays grey. */
  render(weights?: Progress['weights']): void {
    const maxAbs = weights?.maxAbs || 1;
    for (const c of this.lines) {
      const W = weights?.W[c.l - 1] ?? null;
      const w = W ? W[c.i]![c.j]! : 0;
      const stroke = W ? (w >= 0 ? '#2563eb' : '#ea580c') : '#cbd5e1';
      const width = (W ? 0.4 + 3 * Math.min(1, Math.abs(w) / maxAbs) : 0.5).toFixed(2);
      // Only what changed is written: an unchanged attribute costs the page no style work.
      if (stroke !== c.stroke) c.line.setAttribute('stroke', (c.stroke = stroke));
      if (width !== c.width) c.line.setAttribute('stroke-width', (c.width = width));
    }
  }

  private build(): void {
    const svg = this.svg;
    svg.replaceChildren();
    this.lines = [];
    this.tiles = [];
    this.zoomed = null;
    this.zoom.hidden = true;
    const dims = this.layerDims;
    if (dims.length === 0) return;
    const width = 420;
    const height = 260;
    const L = dims.length - 1;
    const xAt = (l: number) => 30 + (l / L) * (width - 60);
    const shown = (n: number) => Math.min(n, SHOWN);
    const yAt = (l: number, i: number) => {
      const n = shown(dims[l]!);
      return 28 + ((i + 0.5) / n) * (height - 56);
    };
    for (let l = 1; l <= L; l++) {
      const group = el('g', { 'data-layer': l, class: 'layer' });
      for (let i = 0; i < shown(dims[l]!); i++) {
        for (let j = 0; j < shown(dims[l - 1]!); j++) {
          const line = el('line', { x1: xAt(l - 1), y1: yAt(l - 1, j), x2: xAt(l), y2: yAt(l, i), stroke: '#cbd5e1', 'stroke-width': '0.50', 'stroke-opacity': 0.75 });
          this.lines.push({ l, i, j, line, stroke: '#cbd5e1', width: '0.50' });
          group.append(line);
        }
      }
      svg.append(group);
    }
    // Hidden units over the plane: only 2-feature data have one.
    const plane = dims[0] === 2;
    for (let l = 0; l <= L; l++) {
      const g = el('g', { 'data-layer': l, class: 'units' });
      for (let i = 0; i < shown(dims[l]!); i++) {
        if (plane && l > 0 && l < L) g.append(this.tile(l, i, xAt(l), yAt(l, i)));
        else g.append(el('circle', { cx: xAt(l), cy: yAt(l, i), r: 6.5, fill: l === 0 ? '#f1f5f9' : '#ffffff', stroke: '#334155' }));
      }
      const name = l === 0 ? `X (${dims[0]})` : `${this.activations[l - 1] ?? ''} (${dims[l]})`;
      g.append(el('text', { x: xAt(l), y: 16, 'text-anchor': 'middle', 'font-size': 10 }, l === 0 ? 'A[0]' : `A[${l}]`));
      g.append(el('text', { x: xAt(l), y: height - 8, 'text-anchor': 'middle', 'font-size': 9 }, name + (dims[l]! > SHOWN ? ' …' : '')));
      svg.append(g);
    }
    if (this.highlighted !== null) this.highlight(this.highlighted);
  }

  /** A unit's heatmap: a canvas in the drawing, focusable so the keyboard can enlarge it too. */
  private tile(l: number, i: number, x: number, y: number): SVGElement {
    const box = el('foreignObject', { x: x - TILE / 2, y: y - TILE / 2, width: TILE, height: TILE, class: 'unit' });
    const canvas = document.createElementNS(XHTML, 'canvas') as HTMLCanvasElement;
    canvas.width = canvas.height = 1;
    canvas.tabIndex = 0;
    canvas.title = `A[${l}] unit ${i + 1} over the plane`;
    canvas.setAttribute('aria-label', canvas.title);
    const tile: UnitTile = { l, i, canvas, image: null };
    canvas.addEventListener('pointerenter', () => this.showZoom(tile));
    canvas.addEventListener('focus', () => this.showZoom(tile));
    canvas.addEventListener('pointerleave', () => this.hideZoom(tile));
    canvas.addEventListener('blur', () => this.hideZoom(tile));
    this.tiles.push(tile);
    box.append(canvas);
    return box;
  }
}
