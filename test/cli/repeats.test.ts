import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { repeatable } from '../../src/cli/parsers.js';
import { rejectRepeatedFlags } from '../../src/cli/repeats.js';

// What may repeat and what may not, on a program of each kind of flag (the commands' own flags are
// checked end to end in bad-inputs.test.ts).
function parse(args: string[]): { opts: Record<string, unknown>; error?: string } {
  const errors: string[] = [];
  const program = new Command('p').exitOverride().configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => {} });
  const sub = program
    .command('run')
    .option('--lr <alpha>', 'a value')
    .option('--root <dir>', 'collected', repeatable)
    .option('--image <files...>', 'variadic')
    .option('--json', 'a switch')
    .option('-n, --count [n]', 'an optional value')
    .action(() => {});
  sub.exitOverride();
  rejectRepeatedFlags(program);
  try {
    program.parse(['node', 'p', 'run', ...args]);
    return { opts: sub.opts() };
  } catch (e) {
    expect(e).toBeInstanceOf(CommanderError);
    expect((e as CommanderError).exitCode).toBe(2);
    return { opts: sub.opts(), error: errors.join('') };
  }
}

describe('a flag given twice', () => {
  it('is bad usage for a value, whichever way it is written', () => {
    expect(parse(['--lr', '0.1', '--lr', '0.2']).error).toBe(`error: option '--lr <alpha>' was given twice ("0.1", then "0.2"): give it once\n`);
    expect(parse(['--lr=0.1', '--lr', '0.1']).error).toMatch(/'--lr <alpha>' was given twice \("0\.1", then "0\.1"\)/);
    expect(parse(['-n', '3', '--count=4']).error).toMatch(/'-n, --count \[n\]' was given twice \("3", then "4"\)/);
    expect(parse(['--count', '--count', '4']).error).toMatch(/'-n, --count \[n\]' was given twice \(without a value, then "4"\)/);
  });
  it('is kept in order where the flag collects its values, and harmless for a switch', () => {
    const r = parse(['--root', 'a', '--image', 'x.png', 'y.png', '--root', 'b', '--image', 'z.png', '--json', '--json', '--lr', '0.5']);
    expect(r.error).toBeUndefined();
    expect(r.opts).toEqual({ root: ['a', 'b'], image: ['x.png', 'y.png', 'z.png'], json: true, lr: '0.5' });
  });
  it('is counted per parse: a value given once is no repeat', () => {
    expect(parse(['--lr', '0.1']).opts.lr).toBe('0.1');
    expect(parse(['--lr', '0.2']).opts.lr).toBe('0.2');
  });
});
