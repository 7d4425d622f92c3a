import { CsvError, parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';
import { assertDType, type DType, Matrix } from '../matrix.js';
import { parseDecimal } from '../io/decimal.js';
import { type Dataset, mergedLabels, mergedLabelsError } from './dataset.js';

export interface CsvOptions {
  /** The label column's header name (default: the last column). */
  label?: string;
  dtype?: DType;
  /**
   * The number of features a model takes, when known (predict): a table of exactly that many
   * columns and no --label has no label column, and every column is a feature (Y is (0, m)).
   */
  features?: number;
}

// A data table as text: a header row, then one sample per row (BOM, CRLF and quoted fields allowed).
// Features must be numbers; labels are numbers, or names mapped to class indices in sorted order.
// csv-parse's Node build uses the global Buffer: 'deepnet/node' exports this file, and a browser
// bundle aliases csv-parse/sync to csv-parse's browser build (the playground's vite.config.ts).

function describeCell(row: number, column: string): string {
  return `row ${row} (line ${row + 1}), column ${JSON.stringify(column)}`;
}

/** A cell as a number; anything else names the row, the column and the value. */
function numberCell(text: string, row: number, column: string, source: string, what: string, dtype: DType): number {
  if (text === '') throw new DataError(`${source}: ${describeCell(row, column)} is empty; expected a number (${what})`);
  const v = parseDecimal(text);
  if (/^[+-]?nan$/i.test(text)) {
    throw new DataError(`${source}: ${describeCell(row, column)} holds NaN; ${what} must be finite numbers`);
  }
  if (/^[+-]?(inf|infinity)$/i.test(text)) {
    throw new DataError(`${source}: ${describeCell(row, column)} holds ${text}; ${what} must be finite numbers`);
  }
  if (Number.isNaN(v)) throw new DataError(`${source}: ${describeCell(row, column)} is ${JSON.stringify(text)}; expected a decimal number (${what})`);
  // Too large for the dtype it is stored in: it would be stored as Infinity.
  if (!Number.isFinite(dtype === 'float32' ? Math.fround(v) : v)) {
    throw new DataError(`${source}: ${describeCell(row, column)} is ${text}, beyond the range of ${dtype} (about ±${dtype === 'float32' ? '3.4e38' : '1.8e308'}); ${what} must be finite numbers`);
  }
  return v;
}

/** A decimal, however large (a number too large for the dtype is an error, not a class name). */
function isNumberText(text: string): boolean {
  return !Number.isNaN(parseDecimal(text));
}

/**
 * Parses CSV text into the course's layout: X (n features, m samples), Y (1, m). String labels
 * become class indices 0..K-1 in sorted order, their names in `classes`. Rows are numbered from 1
 * after the header (row r is on line r + 1).
 */
export function parseCsv(text: string, source: string, options: CsvOptions = {}): Dataset {
  const dtype = options.dtype ?? 'float64';
  assertDType(dtype);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) throw new DataError(`${source}: not valid CSV: ${e.message}`, { cause: e });
    throw e;
  }
  if (records.length === 0) throw new DataError(`${source}: the file is empty; expected a header row and one row per sample`);
  const header = records[0]!;
  const rows = records.slice(1);
  if (header.length < 2) {
    throw new DataError(`${source}: the header has ${header.length} column (${header.join(', ')}); expected at least one feature column and a label column`);
  }
  if (options.label === undefined && options.features === header.length) return featuresOnly(header, records.slice(1), source, dtype);
  const labelName = options.label ?? header[header.length - 1]!;
  const labelCol = header.indexOf(labelName);
  if (labelCol < 0) {
    throw new DataError(`${source}: no column named ${JSON.stringify(labelName)} (--label); columns: ${header.join(', ')}`);
  }
  if (header.indexOf(labelName, labelCol + 1) >= 0) throw new DataError(`${source}: the header names ${JSON.stringify(labelName)} twice; the label column must be unique`);
  if (rows.length === 0) throw new DataError(`${source}: the header is there but no data rows follow`);
  const m = rows.length;
  const n = header.length - 1;
  const X = Matrix.zeros(n, m, dtype);
  const labels: string[] = [];
  rows.forEach((cells, s) => {
    const row = s + 1;
    if (cells.length !== header.length) {
      throw new DataError(`${source}: row ${row} (line ${row + 1}) has ${cells.length} fields but the header has ${header.length}`);
    }
    let f = 0;
    for (let c = 0; c < cells.length; c++) {
      if (c === labelCol) continue;
      X.data[f * m + s] = numberCell(cells[c]!, row, header[c]!, source, 'features', dtype);
      f++;
    }
    labels.push(cells[labelCol]!);
  });
  const Y = Matrix.zeros(1, m, dtype);
  let classes: string[] | undefined;
  if (labels.every(isNumberText) || labels.some((t) => /^[+-]?(nan|inf|infinity)$/i.test(t))) {
    const values = labels.map((t, s) => numberCell(t, s + 1, labelName, source, 'labels', dtype));
    Y.data.set(values);
    const merged = mergedLabels(values, Y);
    if (merged) throw mergedLabelsError(`${source}: ${describeCell(merged[0] + 1, labelName)} is ${labels[merged[0]]}`, `row ${merged[1] + 1} is ${labels[merged[1]]}`, Y.data[merged[0]]!);
  } else {
    classes = [...new Set(labels)].sort();
    const index = new Map(classes.map((name, k) => [name, k]));
    labels.forEach((t, s) => {
      if (t === '') throw new DataError(`${source}: ${describeCell(s + 1, labelName)} is empty; every sample needs a label`);
      Y.data[s] = index.get(t)!;
    });
  }
  return { X, Y, classes, source };
}

/** A table of features only (what predict reads): every column is a feature, Y is (0, m). */
function featuresOnly(header: string[], rows: string[][], source: string, dtype: DType): Dataset {
  if (rows.length === 0) throw new DataError(`${source}: the header is there but no data rows follow`);
  const m = rows.length;
  const n = header.length;
  const X = Matrix.zeros(n, m, dtype);
  rows.forEach((cells, s) => {
    const row = s + 1;
    if (cells.length !== n) throw new DataError(`${source}: row ${row} (line ${row + 1}) has ${cells.length} fields but the header has ${n}`);
    for (let f = 0; f < n; f++) X.data[f * m + s] = numberCell(cells[f]!, row, header[f]!, source, 'features', dtype);
  });
  return { X, Y: Matrix.zeros(0, m, dtype), source };
}

/** A table as CSV text: a header row, then the rows; fields with commas, quotes or line breaks are quoted. */
export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const field = (v: string | number) => {
    const t = typeof v === 'number' ? String(v) : v;
    return /[",\r\n]|^\s|\s$/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}
