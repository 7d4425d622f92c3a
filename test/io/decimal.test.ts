import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/io/decimal.js';

describe('parseDecimal: numbers written in decimal, as data files, flags and form fields give them', () => {
  it('reads every decimal spelling as Number does', () => {
    for (const text of ['0', '7', '-1.5', '+2', '.5', '5.', '1e-3', '2.5E+4', ' 3 ', '0010', '-0']) {
      expect(parseDecimal(text), text).toBe(Number(text));
    }
  });

  it("refuses what Number reads but nobody writes as a decimal number: hex, octal and binary literals, '' and spaces", () => {
    for (const text of ['0x10', '0X1f', '0o17', '0b11', '', '   ', 'Infinity', '-Infinity', 'NaN', '1_000', '1e', 'e5', '.', '1.2.3', '--1', '1,5', '١٢']) {
      expect(parseDecimal(text), JSON.stringify(text)).toBeNaN();
    }
    // Number() would have read these: the reason for the reader.
    expect([Number('0x10'), Number('0b11'), Number('')]).toEqual([16, 3, 0]);
  });

  it('a decimal too large for a double is Infinity, left to the caller to refuse', () => {
    expect(parseDecimal('1e400')).toBe(Infinity);
  });
});
