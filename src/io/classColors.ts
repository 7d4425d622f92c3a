// The class colours of every picture deepnet draws (the playground and the CLI's plots): blue and
// orange for two classes, as the course's plots; more for K classes.
export const CLASS_COLORS: [number, number, number][] = [
  [37, 99, 235],
  [234, 88, 12],
  [22, 163, 74],
  [147, 51, 234],
  [219, 39, 119],
];

export function classColor(k: number): [number, number, number] {
  return CLASS_COLORS[k % CLASS_COLORS.length]!;
}

export function hexColor(c: readonly [number, number, number]): string {
  return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/**
 * The colour of the plane where the network predicts: the predicted class's colour, light near the
 * boundary and stronger where the network is sure. `values` holds AL over the grid, unit by unit
 * (K rows of `cells` values); writes RGBA into `out` at cell t.
 */
export function shadeCell(values: ArrayLike<number>, K: number, cells: number, t: number, out: Uint8Array | Uint8ClampedArray): void {
  let color: [number, number, number];
  let strength: number;
  if (K === 1) {
    const p = values[t]!;
    color = classColor(p > 0.5 ? 1 : 0);
    strength = Math.abs(p - 0.5) * 2;
  } else {
    let best = 0;
    for (let k = 1; k < K; k++) if (values[k * cells + t]! > values[best * cells + t]!) best = k;
    color = classColor(best);
    strength = (values[best * cells + t]! - 1 / K) / (1 - 1 / K);
  }
  const a = 0.15 + 0.45 * Math.min(1, Math.max(0, strength));
  out[4 * t] = Math.round(255 - (255 - color[0]) * a);
  out[4 * t + 1] = Math.round(255 - (255 - color[1]) * a);
  out[4 * t + 2] = Math.round(255 - (255 - color[2]) * a);
  out[4 * t + 3] = 255;
}
