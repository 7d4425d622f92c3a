import { Matrix } from '../matrix.js';

// What the notebooks' print(...) shows: Python's str() of a float and numpy's str() of an array
// (numpy >= 1.14 defaults: 8 digits at most after the point, the shortest digits that identify the
// value, scientific notation when the values span more than 1e3 or go below 1e-4, points aligned,
// lines of at most 75 characters). So a lesson's output reads like the notebook's, digit for digit.

const PRECISION = 8;
const LINE_WIDTH = 75;

/** The shortest digits that identify x, and its decimal exponent: x = 0.d1d2d3... × 10^(exponent + 1). */
function shortest(x: number): { digits: string; exponent: number } {
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  return { digits: mantissa!.replace('.', ''), exponent: Number(exp) };
}

/** Digits and exponent in positional notation: "123.45", "0.00012". */
function positionalFrom(digits: string, exponent: number): string {
  if (exponent >= 0) {
    const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${intPart}.${digits.slice(exponent + 1)}`;
  }
  return `0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** Python's str(float) (its repr): "0.5", "70.0", "1e-05", "6.000064773192205". */
export function pyStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const { digits, exponent } = shortest(x);
  if (exponent >= -4 && exponent < 16) {
    const s = positionalFrom(digits, exponent);
    return sign + (s.endsWith('.') ? `${s}0` : s);
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

interface Parts {
  int: string;
  frac: string;
  exp?: string;
}

/** numpy's dragon4_positional(x, precision=8, unique=True, trim='.'): as split at the point. */
function positionalParts(x: number): Parts {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  let s: string;
  if (x === 0) s = '0.';
  else {
    const { digits, exponent } = shortest(x);
    s = positionalFrom(digits, exponent);
    // More digits than the precision: round the exact value to 8 places (toFixed rounds exactly).
    if (s.length - s.indexOf('.') - 1 > PRECISION) s = Math.abs(x).toFixed(PRECISION).replace(/0+$/, '');
  }
  const [int, frac] = s.split('.');
  return { int: sign + int, frac: frac ?? '' };
}

/** numpy's dragon4_scientific(x, precision=8, unique=True, trim='.'): mantissa parts and exponent. */
function scientificParts(x: number): Parts {
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = shortest(x);
  let int = digits[0]!;
  let frac = digits.slice(1);
  let exp = exponent;
  if (frac.length > PRECISION) {
    const [m, e] = Math.abs(x).toExponential(PRECISION).split('e');
    [int, frac] = m!.split('.') as [string, string];
    frac = frac.replace(/0+$/, '');
    exp = Number(e);
  }
  return { int: sign + int, frac, exp: `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}` };
}

/** Each value as numpy prints it inside an array: all in the same notation, points aligned. */
function formatFloats(values: readonly number[]): string[] {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.filter((v) => v !== 0).map(Math.abs);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const scientific = abs.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
  const parts = values.map((v) => (Number.isFinite(v) ? (scientific ? scientificParts(v) : positionalParts(v)) : undefined));
  const known = parts.filter((p): p is Parts => p !== undefined);
  const padLeft = Math.max(0, ...known.map((p) => p.int.length));
  const padRight = Math.max(0, ...known.map((p) => p.frac.length));
  const expSize = Math.max(0, ...known.map((p) => (p.exp ?? '').length - 1));
  const width = scientific ? padLeft + 1 + padRight + 2 + expSize : padLeft + 1 + padRight;
  return values.map((v, t) => {
    const p = parts[t];
    if (!p) return (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf').padStart(padLeft + 1 + (scientific ? 0 : padRight)).padEnd(width);
    if (scientific) return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight, '0')}e${p.exp![0]}${p.exp!.slice(1).padStart(expSize, '0')}`;
    return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}`;
  });
}

/** One row of words between brackets, wrapped as numpy wraps a long row. */
function formatRow(words: readonly string[], open: string, indent: string, closing: number): string {
  let out = '';
  let line = open;
  words.forEach((w, i) => {
    const last = i === words.length - 1;
    const word = last ? w : `${w} `;
    const limit = LINE_WIDTH - (last ? closing : 0);
    if (line.length + word.trimEnd().length > limit && line.length > indent.length) {
      out += `${line.trimEnd()}\n`;
      line = indent;
    }
    line += word;
  });
  return out + line;
}

/**
 * numpy's str() of an array: a Matrix prints as a 2-D array `[[...]\n [...]]`, a list of numbers
 * as a 1-D one. `integer: true` prints the values as an integer array (`[17 31 56]`).
 */
export function numpyStr(values: Matrix | readonly number[], options: { integer?: boolean } = {}): string {
  const flat = values instanceof Matrix ? Array.from(values.data) : [...values];
  const words = options.integer ? flat.map((v) => String(Math.trunc(v))) : formatFloats(flat);
  if (options.integer) {
    const w = Math.max(0, ...words.map((s) => s.length));
    words.forEach((s, t) => (words[t] = s.padStart(w)));
  }
  if (!(values instanceof Matrix)) return `${formatRow(words, '[', ' ', 1)}]`;
  const rows: string[] = [];
  for (let i = 0; i < values.rows; i++) {
    const row = words.slice(i * values.cols, (i + 1) * values.cols);
    rows.push(`${formatRow(row, i === 0 ? '[[' : ' [', '  ', i === values.rows - 1 ? 2 : 1)}]`);
  }
  return `${rows.join('\n')}]`;
}

/** Python's str() of a shape tuple: "(12288, 209)". */
export function shapeStr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
