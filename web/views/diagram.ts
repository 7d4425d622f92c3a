import type { Progress } from '../protocol.js';

const SHOWN = 10;
const NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The network drawn layer by layer: units as circles (at most 10 per layer), connections coloured by
 * the weight's sign (blue +, orange -) and thickened by its size.
 */
export class NetworkDiagram {
  private layerDims: number[] = [];
  private activations: string[] = [];
  private highlighted: number | null = null;
  /** Each drawn connection, its layer and the weight it shows: new weights only restyle them. */
  private lines: { l: number; i: number; j: number; line: SVGElement; stroke: string; width: string }[] = [];

  constructor(private readonly svg: SVGSVGElement) {}

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
    for (let l = 0; l <= L; l++) {
      const g = el('g', { 'data-layer': l, class: 'units' });
      for (let i = 0; i < shown(dims[l]!); i++) g.append(el('circle', { cx: xAt(l), cy: yAt(l, i), r: 6.5, fill: l === 0 ? '#f1f5f9' : '#ffffff', stroke: '#334155' }));
      const name = l === 0 ? `X (${dims[0]})` : `${this.activations[l - 1] ?? ''} (${dims[l]})`;
      g.append(el('text', { x: xAt(l), y: 16, 'text-anchor': 'middle', 'font-size': 10 }, l === 0 ? 'A[0]' : `A[${l}]`));
      g.append(el('text', { x: xAt(l), y: height - 8, 'text-anchor': 'middle', 'font-size': 9 }, name + (dims[l]! > SHOWN ? ' …' : '')));
      svg.append(g);
    }
    if (this.highlighted !== null) this.highlight(this.highlighted);
  }
}
