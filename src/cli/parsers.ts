import { InvalidArgumentError, Option } from 'commander';
import { isThreadCount, THREADS_RULE } from '../backend/threads.js';
import { parseDecimal } from '../io/decimal.js';
import { OUTPUT_ACTIVATIONS } from '../nn/activations.js';

// Flag parsers: a malformed value is bad usage (exit 2), reported by commander with the flag's name.

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A flag's decimal number, finite and passing `ok`; otherwise "expected <rule>, got <value>". */
export function numberIn(rule: string, ok: (x: number) => boolean): (value: string) => number {
  return (value) => {
    const n = parseDecimal(value);
    if (!Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`expected ${rule}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** The parser of a flag that may be given more than once, its values kept in order (--data-root): the others may not (repeats.ts). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --threads: a count the kernels run as asked (backend/threads.ts), not one cut down to their most. */
export function threadCount(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !isThreadCount(n)) throw new InvalidArgumentError(`expected ${THREADS_RULE}, got ${JSON.stringify(value)}`);
  return n;
}

export const positiveNumber = numberIn('a finite number > 0', (x) => x > 0);

/** "20,7,5" -> [20, 7, 5]; "none" or "" -> [] (no hidden layer: logistic regression). */
export function layerList(value: string): number[] {
  const v = value.trim();
  if (v === '' || v === 'none') return [];
  return v.split(',').map((part) => {
    try {
      return positiveInt(part);
    } catch {
      throw new InvalidArgumentError(`expected hidden layer sizes like 20,7,5 (positive integers), got ${JSON.stringify(value)}`);
    }
  });
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  };
}

/** --output <g>: sigmoid unless the labels hold more than 2 classes; the help shows that one default. */
export function outputActivationOption(): Option {
  return new Option('--output <g>', `output activation: ${OUTPUT_ACTIVATIONS.join('|')}`)
    .argParser(choice(OUTPUT_ACTIVATIONS))
    .default('sigmoid', 'sigmoid for 2 classes, softmax for more');
}
