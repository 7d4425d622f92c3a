// Class colours: blue and orange for two classes (as the course's plots), more for K classes.
export const CLASS_COLORS: [number, number, number][] = [
  [37, 99, 235],
  [234, 88, 12],
  [22, 163, 74],
  [147, 51, 234],
  [219, 39, 119],
];

export function rgb(c: [number, number, number], alpha = 1): string {
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}
