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

  constructor(private readonly svg: SVGSVGElement) {}

  setNetwork(layerDims: number[], activations: string[]): void {
    this.layerDims = layerDims;
    this.activations = activations;
    this.render();
  }

  highlight(layer: number | null): void {
    this.highlighted = layer;
    for (const g of this.svg.querySelectorAll('[data-layer]')) {
      g.classList.toggle('highlight', Number(g.getAttribute('data-layer')) === layer);
    }
  }

  render(weights?: Progress['weights']): void {
    const svg = this.svg;
    svg.replaceChildren();
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
    const maxAbs = weights?.maxAbs || 1;
    for (let l = 1; l <= L; l++) {
      const group = el('g', { 'data-layer': l, class: 'layer' });
      const W = weights?.W[l - 1] ?? null;
      for (let i = 0; i < shown(dims[l]!); i++) {
        for (let j = 0; j < shown(dims[l - 1]!); j++) {
          const w = W ? W[i]![j]! : 0;
          const color = W ? (w >= 0 ? '#2563eb' : '#ea580c') : '#cbd5e1';
          const widthPx = W ? 0.4 + 3 * Math.min(1, Math.abs(w) / maxAbs) : 0.5;
          group.append(el('line', { x1: xAt(l - 1), y1: yAt(l - 1, j), x2: xAt(l), y2: yAt(l, i), stroke: color, 'stroke-width': widthPx.toFixed(2), 'stroke-opacity': 0.75 }));
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
