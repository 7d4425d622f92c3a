import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { DeepnetError } from '../errors.js';
import { fileError, isFsError } from '../io/paths.js';
import { QUEUE_ENV } from '../jobs/queueOption.js';
import { redact, rememberQueueUrl } from '../jobs/queueUrl.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { gradcheckCommand } from './gradcheck.js';
import { predictCommand } from './predict.js';
import { shapesCommand } from './shapes.js';
import { tuneCommand } from './tune.js';
import { trainCommand } from './train.js';
import { lessonCommand } from './lesson.js';
import { rejectRepeatedFlags } from './repeats.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Any error as the one line the user sees: a DeepnetError's message; a file-system error naming its
 * file (or stdout); anything else by its kind and first line, with the hint of --verbose.
 */
export function errorLine(e: unknown): string {
  if (e instanceof DeepnetError) return oneLine(e.message);
  const err = (e ?? {}) as Error & { code?: unknown; path?: unknown; syscall?: unknown };
  if (isFsError(e) || (typeof err.code === 'string' && err.code.startsWith('ERR_FS_'))) {
    const action = err.syscall === 'write' || err.syscall === 'rename' || err.syscall === 'mkdir' ? 'write' : err.syscall === 'open' ? 'open' : 'read';
    const path = typeof err.path === 'string' ? err.path : err.syscall === 'write' ? 'stdout' : 'file';
    return oneLine(fileError(e, path, action).message);
  }
  if (e instanceof RangeError && /array length|allocation|buffer|out of memory/i.test(e.message)) {
    return `out of memory: ${oneLine(e.message)} (a network or data set too large for this machine)`;
  }
  const kind = e instanceof Error ? e.name : typeof e;
  return `${kind}: ${oneLine(e instanceof Error ? e.message : String(e))} (an internal error; run with --verbose for the stack and report it)`;
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Exit codes: 0 success, 1 a user error (one line on stderr), 2 bad usage. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const verbose = argv.includes('--verbose');
  // Known before any parsing, so that even commander's own messages cannot print a password.
  rememberQueueUrl(process.env[QUEUE_ENV] ?? '');
  argv.forEach((arg, i) => {
    if (arg === '--queue') rememberQueueUrl(argv[i + 1] ?? '');
    else if (arg.startsWith('--queue=')) rememberQueueUrl(arg.slice('--queue='.length));
  });
  const program = new Command('deepnet')
    .description("deepnet: the course's deep L-layer neural network, exact to numpy")
    .version(version)
    .option('--verbose', 'print the stack trace of errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(redact(s)) });
  program.showHelpAfterError('(run with --help for usage)');
  trainCommand(program);
  shapesCommand(program);
  evalCommand(program);
  predictCommand(program);
  gradcheckCommand(program);
  exportCommand(program);
  tuneCommand(program);
  lessonCommand(program);
  // The queue's commands load BullMQ and ioredis: only when one of them runs or the help lists them.
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  if (named === undefined || !program.commands.some((c) => c.name() === named)) {
    (await import('./worker.js')).workerCommand(program);
    (await import('./jobs.js')).jobsCommand(program);
  }
  for (const c of program.commands) c.exitOverride().option('--verbose', 'print the stack trace of errors');
  rejectRepeatedFlags(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    // redact: a queue's password never reaches the terminal, whichever error carries it.
    process.stderr.write(`deepnet: error: ${redact(errorLine(e))}\n`);
    if (verbose) process.stderr.write(`${redact((e as Error | null)?.stack ?? String(e))}\n`);
    return 1;
  }
}
