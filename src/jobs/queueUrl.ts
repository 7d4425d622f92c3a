import { ConfigError } from '../errors.js';

// The --queue URL: redis://[[USER]:PASS@]HOST[:PORT][/DB] or rediss://... (TLS). It may carry a
// password, so only its redacted form is ever put in a message, a log line or JSON output.

export interface QueueUrl {
  /** The URL as given, for the Redis client only. */
  url: string;
  /** The same URL with user and password replaced by "***", safe to print. */
  safe: string;
  tls: boolean;
  host: string;
  port: number;
  db: number;
}

/** `rediss://:secret@host:6380/2` → `rediss://***@host:6380/2`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}

/** Replaces every occurrence of the URL's password (plain or percent-encoded) in a message. */
export function redactSecret(message: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    // An unparseable URL: the prefix rule below still applies.
  }
  let out = message.split(url).join(redactUrl(url));
  if (password) for (const form of new Set([password, decodeURIComponent(password)])) out = out.split(form).join('***');
  return out;
}

export function parseQueueUrl(url: string, flag = '--queue'): QueueUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not echoed: what is not a URL cannot be redacted reliably.
    throw new ConfigError(`${flag}: not a URL; expected redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]`);
  }
  const safe = redactUrl(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`${flag}: ${safe} has the scheme ${JSON.stringify(u.protocol)}; expected redis:// or rediss:// (TLS)`);
  }
  if (!u.hostname) throw new ConfigError(`${flag}: ${safe} names no host; expected redis://HOST:PORT[/DB]`);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new ConfigError(`${flag}: ${safe} has the path /${path}; the only path allowed is a database number (/0, /1, ...)`);
  if (u.search || u.hash) throw new ConfigError(`${flag}: ${safe} has a query or fragment; deepnet takes no options in the URL`);
  return { url, safe, tls: u.protocol === 'rediss:', host: u.hostname, port, db: path === '' ? 0 : Number(path) };
}
