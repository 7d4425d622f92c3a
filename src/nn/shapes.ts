import { formatShape } from '../matrix.js';
import { validateLayerDims } from './parameters.js';

/** One row of the course's dimension table: the shapes of everything layer l computes. */
export interface LayerShapes {
  layer: number;
  units: number;
  activation: string;
  W: [number, number];
  b: [number, number];
  Z: [number, number];
  A: [number, number];
  parameters: number;
}

/** The course's table of dimensions for layerDims and m samples (dW, db, dZ, dA share W, b, Z, A's shapes). */
export function dimensionTable(layerDims: readonly number[], m: number, activations: readonly string[] = []): LayerShapes[] {
  validateLayerDims(layerDims);
  const L = layerDims.length - 1;
  const rows: LayerShapes[] = [];
  for (let l = 1; l <= L; l++) {
    const n = layerDims[l]!;
    const nPrev = layerDims[l - 1]!;
    rows.push({
      layer: l,
      units: n,
      activation: activations[l - 1] ?? (l === L ? 'sigmoid' : 'relu'),
      W: [n, nPrev],
      b: [n, 1],
      Z: [n, m],
      A: [n, m],
      parameters: n * nPrev + n,
    });
  }
  return rows;
}

/** The dimension table as aligned text, with the input X = A[0] first and the parameter total last. */
export function formatDimensionTable(layerDims: readonly number[], m: number, activations: readonly string[] = []): string {
  const rows = dimensionTable(layerDims, m, activations);
  const header = ['layer', 'g', 'W[l], dW[l]', 'b[l], db[l]', 'Z[l], dZ[l]', 'A[l], dA[l]', 'params'];
  const body: string[][] = [['0 (X)', '', '', '', '', formatShape([layerDims[0]!, m]), '']];
  for (const r of rows) {
    body.push([String(r.layer), r.activation, formatShape(r.W), formatShape(r.b), formatShape(r.Z), formatShape(r.A), String(r.parameters)]);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const total = rows.reduce((s, r) => s + r.parameters, 0);
  return [
    `L = ${rows.length} layers, layerDims = [${layerDims.join(', ')}], m = ${m}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    `total parameters: ${total}`,
  ].join('\n');
}
