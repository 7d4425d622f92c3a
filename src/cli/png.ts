import { Resvg } from '@resvg/resvg-js';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** Rasterises an SVG document to PNG bytes at its own size (text in the system's sans-serif font). */
export function svgToPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}

/** Checks a chart's file name before any work is done: .svg or .png. */
export function checkChartPath(path: string, flag: string): void {
  const ext = extname(path).toLowerCase();
  if (ext !== '.svg' && ext !== '.png') throw new ConfigError(`${flag} ${path}: expected a .svg or .png file name, got extension ${JSON.stringify(ext)}`);
}

/** Writes a chart as .svg, or as .png rasterised from the same SVG. */
export function writeChart(path: string, svg: string, flag: string): void {
  checkChartPath(path, flag);
  writeFileAtomic(path, extname(path).toLowerCase() === '.png' ? svgToPng(svg) : svg, flag);
}
