import { Option } from 'commander';
import { ConfigError } from '../errors.js';

// The queue's URL on the command line or in DEEPNET_QUEUE: an environment variable keeps a
// password out of the command line (which other users of the machine see in the process list).
// `worker` and `jobs` always need a queue, so they read DEEPNET_QUEUE by default; `tune` and
// `train` run locally unless --queue is typed (bare --queue: the URL from DEEPNET_QUEUE).

export const QUEUE_ENV = 'DEEPNET_QUEUE';

const HOW = `rediss:// for TLS, redis://:PASSWORD@HOST for a password`;

/** For worker and jobs: --queue URL, else DEEPNET_QUEUE. */
export function queueOption(what: string): Option {
  return new Option('--queue <redis://HOST:PORT[/DB]>', `${what}; ${HOW} (default: $${QUEUE_ENV})`).env(QUEUE_ENV);
}

/** For tune and train: --queue URL, or a bare --queue for the URL in DEEPNET_QUEUE. */
export function optionalQueueOption(what: string): Option {
  return new Option('--queue [redis://HOST:PORT[/DB]]', `${what}; ${HOW}; without a URL: $${QUEUE_ENV}`);
}

/** The URL of an optionalQueueOption's value (undefined: not queued). */
export function queueUrlFrom(value: string | boolean | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true) return value;
  const url = process.env[QUEUE_ENV];
  if (!url) throw new ConfigError(`--queue without a URL takes it from ${QUEUE_ENV}, which is not set`);
  return url;
}
