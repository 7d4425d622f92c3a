import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { DeepnetError } from '../errors.js';
import { QUEUE_ENV } from '../jobs/queueOption.js';
import { redact, rememberQueueUrl } from '../jobs/queueUrl.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { gradcheckCommand } from './gradcheck.js';
import { predictCommand } from './predict.js';
import { shapesCommand } from './shapes.js';
import { tuneCommand } from './tune.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';
import { jobsCommand } from './jobs.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
  workerCommand(program);
  jobsCommand(program);
  for (const c of program.commands) c.exitOverride().option('--verbose', 'print the stack trace of errors');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    const err = e as Error & { code?: unknown };
    // A DeepnetError or a file-system error (ENOENT, EACCES, ...) is the user's to fix: one line.
    const isUserError = e instanceof DeepnetError || (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code));
    // redact: a queue's password never reaches the terminal, whichever error carries it.
    process.stderr.write(`deepnet: error: ${redact(err.message)}\n`);
    if (verbose || !isUserError) process.stderr.write(`${redact(err.stack ?? '')}\n`);
    return 1;
  }
}
