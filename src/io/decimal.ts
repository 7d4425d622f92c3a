// Numbers as people write them in data files, flags and the playground's fields: decimal only.
// Number() also reads 0x1f, 0o17 and 0b11: a column of hex ids would become features, and a flag
// typed as 0x10 a learning rate of 16, with nothing said. One reader for every place a number
// arrives as text, so a CSV cell, a flag and a form field accept the same spellings.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The number `text` writes in decimal notation (spaces around it allowed), else NaN. */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}
