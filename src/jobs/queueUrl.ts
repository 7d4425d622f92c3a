import { ConfigError } from '../errors.js';

// The --queue URL: redis://[[USER]:PASS@]HOST[:PORT][/DB] or rediss://... (TLS). It may carry a
// password, so only its redacted form is ever put in a message, a log line or JSON output. A
// password may hold any character ("@", ":", "/", "%", "#"), typed raw or percent-encoded: the
// user part is everything between "://" and the last "@", since host, port and database hold none.

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

/** Where the user part of `url` starts and ends, or undefined when it has none. */
function userPart(url: string): [number, number] | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  const at = url.lastIndexOf('@');
  if (!scheme || at < scheme[0].length) return undefined;
  return [scheme[0].length, at];
}

/** `rediss://:secret@host:6380/2` → `rediss://***@host:6380/2`, whatever the secret holds. */
export function redactUrl(url: string): string {
  const part = userPart(url);
  return part ? `${url.slice(0, part[0])}***${url.slice(part[1])}` : url;
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Every form in which the URL's password (and its whole user part) may appear in a message. */
export function secretForms(url: string): string[] {
  const part = userPart(url);
  if (!part) return [];
  const user = url.slice(part[0], part[1]);
  const colon = user.indexOf(':');
  const password = colon === -1 ? user : user.slice(colon + 1);
  const forms = new Set<string>([user, password, decoded(user), decoded(password), encodeURIComponent(decoded(password))]);
  try {
    // How the URL parser (and so the Redis client) normalises it.
    const parsed = new URL(url);
    forms.add(parsed.password);
    forms.add(decoded(parsed.password));
  } catch {
    // Not a URL: the raw forms above still apply.
  }
  forms.delete('');
  // Longest first, so that a form containing another is removed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces the URL (as its redacted form) and every form of its password (as "***") in a message. */
export function redactSecret(message: string, url: string): string {
  let out = message.split(url).join(redactUrl(url));
  for (const form of secretForms(url)) out = out.split(form).join('***');
  return out;
}

// Every queue URL this process has parsed: `redact` removes their secrets from any text it prints
// (the CLI's error line, log lines), whichever code path produced the text.
const known = new Set<string>();

/** Removes the password of every queue URL this process has seen from `text`. */
export function redact(text: string): string {
  let out = text;
  for (const url of known) out = redactSecret(out, url);
  return out;
}

/** Makes `redact` remove this URL's password (the CLI calls it for every --queue value and DEEPNET_QUEUE at start). */
export function rememberQueueUrl(url: string): void {
  if (url) known.add(url);
}

export function parseQueueUrl(url: string, flag = '--queue'): QueueUrl {
  known.add(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not echoed: what is not a URL cannot be redacted reliably.
    throw new ConfigError(`${flag}: not a URL; expected redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (percent-encode "/", "#", "?" and "%" in a password: %2F, %23, %3F, %25)`);
  }
  const safe = redactUrl(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`${flag}: ${safe} has the scheme ${JSON.stringify(u.protocol)}; expected redis:// or rediss:// (TLS)`);
  }
  // A raw "/", "?" or "#" in the password ends the URL's authority early: the host the parser sees
  // is not the one after the last "@", and the rest would be taken as a path.
  const part = userPart(url);
  const hostFrom = part ? part[1] + 1 : url.indexOf('://') + 3;
  if (part && /[/?#]/.test(url.slice(part[0], part[1]))) {
    throw new ConfigError(`${flag}: ${safe}: the password holds "/", "?" or "#"; percent-encode them (%2F, %3F, %23)`);
  }
  try {
    decodeURIComponent(u.username + u.password);
  } catch {
    throw new ConfigError(`${flag}: ${safe}: the password holds a "%" that starts no %XX code; write it %25`);
  }
  if (!u.hostname) throw new ConfigError(`${flag}: ${safe} names no host; expected redis://HOST:PORT[/DB]`);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new ConfigError(`${flag}: ${safe} has the path /${path}; the only path allowed is a database number (/0, /1, ...)`);
  if (u.search || u.hash || /[?#]/.test(url.slice(hostFrom))) throw new ConfigError(`${flag}: ${safe} has a query or fragment; deepnet takes no options in the URL`);
  return { url, safe, tls: u.protocol === 'rediss:', host: u.hostname, port, db: path === '' ? 0 : Number(path) };
}
