import { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import { type QueueUrl, redact, redactSecret } from './queueUrl.js';

// One Redis connection per process, shared by BullMQ (which duplicates it for its blocking reads).
// It retries forever with a short capped back-off, so a restarted Redis is picked up again by
// workers and by a waiting tune; an outage is logged once, redacted, not once per retry.

/** The BullMQ queue every deepnet job goes through. */
export const QUEUE_NAME = 'deepnet';

/** Back-off between reconnection attempts: 100 ms, 200 ms, ... at most 1 s. */
export const reconnectDelay = (times: number): number => Math.min(100 * times, 1000);

const CONNECTION_LOST = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|connect ETIMEDOUT/i;
const AUTH_FAILED = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i;
const TLS_FAILED = /certificate|SSL routines|wrong version number|EPROTO|ERR_TLS/i;

export interface Connection {
  redis: Redis;
  /** Logs an error from Redis or BullMQ with the password removed; a lost connection once per outage. */
  reportError: (e: unknown) => void;
  /** Resolves when `ready` does; rejects at once if Redis refuses the credentials. */
  ready: <T>(ready: Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

export function connect(queue: QueueUrl, log: (line: string) => void): Connection {
  const redis = new Redis(queue.url, {
    // BullMQ's blocking reads need these: wait through outages instead of failing commands.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: reconnectDelay,
    connectionName: 'deepnet',
  });
  let down = false;
  let connectedOnce = false;
  const message = (e: unknown) => redact(redactSecret(e instanceof Error ? e.message : String(e), queue.url));
  let rejectAuth: (e: Error) => void = () => undefined;
  const authFailed = new Promise<never>((_, reject) => (rejectAuth = reject));
  authFailed.catch(() => undefined);
  const reportError = (e: unknown): void => {
    const text = message(e);
    if (AUTH_FAILED.test(text) && !connectedOnce) {
      // Before the first connection this is the user's mistake: one error, not a retry loop.
      return rejectAuth(new ConfigError(`queue ${queue.safe}: Redis refused the credentials: ${text}`));
    }
    if (TLS_FAILED.test(text) && !connectedOnce) {
      return rejectAuth(new ConfigError(`queue ${queue.safe}: TLS connection failed: ${text} (a private CA can be trusted with NODE_EXTRA_CA_CERTS=ca.pem)`));
    }
    // A lost connection, or credentials refused after a password change: once per outage.
    if (CONNECTION_LOST.test(text) || AUTH_FAILED.test(text)) {
      if (down) return;
      down = true;
      return log(`deepnet: queue ${queue.safe}: ${text}; retrying`);
    }
    log(`deepnet: queue ${queue.safe}: ${text}`);
  };
  redis.on('error', reportError);
  redis.on('ready', () => {
    if (down) log(`deepnet: queue ${queue.safe}: connected again`);
    down = false;
  });
  return {
    redis,
    reportError,
    ready: (ready) =>
      Promise.race([ready, authFailed]).then((value) => {
        connectedOnce = true;
        return value;
      }),
    close: async () => {
      redis.off('error', reportError);
      redis.on('error', () => undefined);
      redis.disconnect();
    },
  };
}
