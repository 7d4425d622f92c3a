import type { Command } from 'commander';
import { repeatable } from './parsers.js';

// A flag given twice is bad usage (exit 2), not its last value silently kept: `deepnet train --lr
// 0.1 ... --lr 0.2` (a script appending its overrides, a line edited in a hurry) would train with a
// rate that the reader of the first one never sees. Checked here for every command, in one place.

/**
 * Makes `command` and its subcommands refuse a flag that takes a value given twice. Flags that
 * collect their values (variadic, or parsed by `repeatable`) may repeat, and so may a switch
 * (`--json --json` means what `--json` does).
 */
export function rejectRepeatedFlags(command: Command): void {
  // The value as typed, by option (its first occurrence); an optional value may be left out.
  const given = new Map<string, string>();
  for (const option of command.options) {
    if (option.isBoolean() || option.variadic || option.parseArg === repeatable) continue;
    command.on(`option:${option.name()}`, (value: string | null | undefined) => {
      const typed = value == null ? 'without a value' : JSON.stringify(value);
      const earlier = given.get(option.attributeName());
      if (earlier !== undefined) {
        command.error(`error: option '${option.flags}' was given twice (${earlier}, then ${typed}): give it once`, {
          exitCode: 2,
          code: 'deepnet.repeatedOption',
        });
      }
      given.set(option.attributeName(), typed);
    });
  }
  for (const sub of command.commands) rejectRepeatedFlags(sub);
}
