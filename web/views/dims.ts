import { dimensionTable } from '../../src/nn/shapes.js';

const fmt = (s: readonly number[]) => `(${s.join(', ')})`;

/** The course's dimension table for the current network and m. */
export function renderDimensions(table: HTMLTableElement, caption: HTMLElement, layerDims: number[], m: number, activations: string[]): void {
  const rows = dimensionTable(layerDims, m, activations);
  caption.textContent = `m = ${m}`;
  const head = '<tr><th>l</th><th>g</th><th>W[l], dW[l]</th><th>b[l], db[l]</th><th>Z[l], A[l], dZ[l], dA[l]</th></tr>';
  const input = `<tr data-layer="0"><td>0</td><td>X</td><td></td><td></td><td>${fmt([layerDims[0]!, m])}</td></tr>`;
  const body = rows
    .map((r) => `<tr data-layer="${r.layer}"><td>${r.layer}</td><td>${r.activation}</td><td>${fmt(r.W)}</td><td>${fmt(r.b)}</td><td>${fmt(r.Z)}</td></tr>`)
    .join('');
  const total = rows.reduce((s, r) => s + r.parameters, 0);
  table.innerHTML = `<thead>${head}</thead><tbody>${input}${body}</tbody><tfoot><tr><td colspan="5">${total} parameters</td></tr></tfoot>`;
}
