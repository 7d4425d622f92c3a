// The class colours are the library's, so the playground and the CLI's plots agree.
export { CLASS_COLORS, classColor, shadeCell } from '../../src/io/classColors.js';

export function rgb(c: [number, number, number], alpha = 1): string {
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}
