import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../src/data/csv.js';
import { loadCsv } from '../../src/data/csvFile.js';
import { DataError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-csv-'));

function dataError(text: string, pattern: RegExp, label?: string): void {
  let caught: unknown;
  try {
    parseCsv(text, 't.csv', { label });
  } catch (e) {
    caught = e;
  }
  expect(caught, `no error for ${JSON.stringify(text)}`).toBeInstanceOf(DataError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('CSV loader', () => {
  it('reads samples as columns: X (n, m), Y (1, m), label = last column by default', () => {
    const d = parseCsv('a,b,y\n1,2,0\n3,4.5,1\n-1e-3,6,1\n', 'data.csv');
    expect(d.X.toArray()).toEqual([
      [1, 3, -0.001],
      [2, 4.5, 6],
    ]);
    expect(d.Y.toArray()).toEqual([[0, 1, 1]]);
    expect(d.classes).toBeUndefined();
    expect(d.source).toBe('data.csv');
  });

  it('--label picks any column; string labels become sorted classes', () => {
    const d = parseCsv('species,len,wid\nsetosa,5.1,3.5\nvirginica,6.3,3.3\nversicolor,5.7,2.8\nsetosa,4.9,3\n', 'iris.csv', { label: 'species' });
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.Y.toArray()).toEqual([[0, 2, 1, 0]]);
    expect(d.X.toArray()).toEqual([
      [5.1, 6.3, 5.7, 4.9],
      [3.5, 3.3, 2.8, 3],
    ]);
  });

  it('labels written as hex codes are names, not the numbers Number() would read', () => {
    const d = parseCsv('a,code\n1,0x10\n2,0x2\n3,0x10\n', 'codes.csv');
    expect(d.classes).toEqual(['0x10', '0x2']);
    expect(d.Y.toArray()).toEqual([[0, 1, 0]]);
  });

  it('BOM, CRLF, quoted fields and blank lines', () => {
    const d = parseCsv('\uFEFF"x 1","x,2",label\r\n"1",2,"cat, tabby"\r\n\r\n3,"4",dog\r\n', 'q.csv');
    expect(d.X.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(d.classes).toEqual(['cat, tabby', 'dog']);
  });

  it('float32 on request', () => {
    expect(parseCsv('a,y\n0.1,1\n', 'f.csv', { dtype: 'float32' }).X.dtype).toBe('float32');
  });

  it('bad input is a DataError naming the file, the row and the column', () => {
    dataError('', /t.csv: the file is empty/);
    dataError('\n\n', /the file is empty/);
    dataError('a,b,y\n', /no data rows/);
    dataError('y\n1\n', /at least one feature column and a label column/);
    dataError('a,b,y\n1,2,0\n1,2\n', /row 2 \(line 3\) has 2 fields but the header has 3/);
    dataError('a,b,y\n1,2,0\n1,2,0,4\n', /row 2 \(line 3\) has 4 fields/);
    dataError('a,b,y\n1,two,0\n', /row 1 \(line 2\), column "b" is "two"; expected a decimal number/);
    // Too large for the dtype: it would be stored as Infinity (and read as a class name, as a label).
    dataError('a,b,y\n1,2,0\n1,1e400,1\n', /row 2 \(line 3\), column "b" is 1e400, beyond the range of float64 \(about ±1\.8e308\); features must be finite/);
    dataError('a,b,y\n1,2,1\n1,3,1e400\n', /row 2 \(line 3\), column "y" is 1e400, beyond the range of float64.*labels must be finite/);
    expect(() => parseCsv('a,b,y\n1,1e39,0\n', 'f.csv', { dtype: 'float32' })).toThrow(/row 1 \(line 2\), column "b" is 1e39, beyond the range of float32 \(about ±3\.4e38\)/);
    expect(parseCsv('a,b,y\n1,1e39,0\n1,2,1\n', 'f.csv').X.data[2]).toBe(1e39);
  });

  it('integer labels that float32 cannot tell apart are an error naming both cells; float64 keeps them, and regression targets round', () => {
    const big = 'a,y\n1,16777216\n2,16777217\n3,5\n';
    expect(() => parseCsv(big, 'f.csv', { dtype: 'float32' })).toThrow(
      new DataError('f.csv: row 2 (line 3), column "y" is 16777217 and row 1 is 16777216: both are 16777216 in float32, so two classes would become one; read the labels as float64 (--dtype float64), exact to 2^53'),
    );
    expect(Array.from(parseCsv(big, 'f.csv').Y.data)).toEqual([16777216, 16777217, 5]);
    // The same label twice, and labels float32 holds exactly, are fine.
    expect(Array.from(parseCsv('a,y\n1,16777218\n2,16777218\n3,-16777218\n', 'f.csv', { dtype: 'float32' }).Y.data)).toEqual([16777218, 16777218, -16777218]);
    // Targets that are not whole numbers round to float32 as features do.
    expect(Array.from(parseCsv('a,y\n1,0.1\n2,0.10000000001\n', 'f.csv', { dtype: 'float32' }).Y.data)).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    // Number() reads 0x1f as 31: a column of hex ids is not a feature.
    dataError('a,b,y\n1,2,0\n1,0x1f,1\n', /row 2 \(line 3\), column "b" is "0x1f"; expected a decimal number \(features\)/);
    dataError('a,b,y\n1,,0\n', /row 1 \(line 2\), column "b" is empty/);
    dataError('a,b,y\n1,2,0\n1,2,0\n', /no column named "z"/, 'z');
    dataError('a,b,y\n1,NaN,0\n', /row 1 \(line 2\), column "b" holds NaN/);
    dataError('a,b,y\n1,2,0\n1,-Infinity,0\n', /row 2 \(line 3\), column "b" holds -Infinity/);
    dataError('a,b,y\n1,2,0\n1,2,inf\n', /row 2 \(line 3\), column "y" holds inf; labels must be finite/);
    dataError('a,b,y\n1,2,cat\n1,2,\n', /row 2 \(line 3\), column "y" is empty; every sample needs a label/);
    dataError('a,b,y\n1,"2,0\n', /not valid CSV/);
    dataError('a,a,y\n1,2,0\n', /names "a" twice/, 'a');
  });

  it('round trip through a file', () => {
    const path = join(dir, 'round.csv');
    writeFileSync(path, formatCsv(['f1', 'f 2', 'label'], [[0.5, -2, 'yes'], [1e-300, 3, 'no, really']]));
    const d = loadCsv(path);
    expect(d.X.toArray()).toEqual([
      [0.5, 1e-300],
      [-2, 3],
    ]);
    expect(d.classes).toEqual(['no, really', 'yes']);
    expect(() => loadCsv(join(dir, 'missing.csv'))).toThrow(/missing.csv: no such file/);
    expect(() => loadCsv(dir)).toThrow(/is a folder/);
  });

  it('property: parse(format(table)) gives the table back', () => {
    const name = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() === s && !s.includes('\uFEFF'));
    const table = fc.integer({ min: 1, max: 5 }).chain((n) =>
      fc.record({
        header: fc.uniqueArray(name, { minLength: n + 1, maxLength: n + 1 }),
        rows: fc.array(
          fc.tuple(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }), fc.constantFrom('a', 'b b', 'c,"d"', 'é')),
          { minLength: 1, maxLength: 20 },
        ),
      }),
    );
    fc.assert(
      fc.property(table, ({ header, rows }) => {
        const text = formatCsv(header, rows.map(([x, y]) => [...x, y]));
        const d = parseCsv(text, 'p.csv');
        const m = rows.length;
        rows.forEach(([x], s) => x.forEach((v, f) => expect(Object.is(d.X.data[f * m + s], v === 0 ? 0 : v) || d.X.data[f * m + s] === v).toBe(true)));
        const names = [...new Set(rows.map(([, y]) => y))].sort();
        expect(d.classes).toEqual(names);
        rows.forEach(([, y], s) => expect(d.classes![d.Y.data[s]!]).toBe(y));
      }),
      { numRuns: 200 },
    );
  });

  it('property: any text gives a Dataset or a DataError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom('a', '1', '.', ',', '"', '\n', '\r', ' ', '-', 'e', 'N', '\uFEFF') }), (text) => {
        try {
          const d = parseCsv(text, 'r.csv');
          expect(d.X.cols).toBe(d.Y.cols);
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
