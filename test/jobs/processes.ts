import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Redis servers and deepnet processes for the queue tests: Redis on 127.0.0.1 on a free port in a
// temporary folder, every process tracked so that stopAll() ends each one, even after a failure.

const BIN = fileURLToPath(new URL('../../bin/deepnet.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const started = new Set<ChildProcess>();
const folders: string[] = [];

export function hasRedis(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running process with everything it printed (stdout and stderr) so far. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the output matches, rejects after `ms`. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

function track(child: ChildProcess): Proc {
  started.add(child);
  let stdout = '';
  let stderr = '';
  let all = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    all += d;
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    all += d;
    check();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      started.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    output: () => all,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern, ms = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(all)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms in:\n${all}`)), ms);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

/** `deepnet ...args` as a child process (no TTY). */
export function deepnet(args: string[], env: Record<string, string> = {}): Proc {
  return track(spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

export interface RedisServer {
  port: number;
  /** redis://[:PASSWORD@]127.0.0.1:PORT */
  url: string;
  /** SIGTERM: Redis writes its append-only file and exits. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and folder (so with the same data when persistent; none with `wipe`). */
  start: (options?: { wipe?: boolean }) => Promise<void>;
  output: () => string;
}

/** TLS files for Redis: its certificate and key, and the CA that signed it. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** A private CA and a certificate for 127.0.0.1 signed by it (with the openssl command). */
export function makeCertificates(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'deepnet-tls-'));
  folders.push(dir);
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=deepnet test CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('ext.cnf')]);
  return { cert: f('server.crt'), key: f('server.key'), ca: f('ca.crt') };
}

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

export async function startRedis(options: { password?: string; persistent?: boolean; tls?: TlsFiles } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'deepnet-redis-'));
  folders.push(dir);
  const { tls } = options;
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push(...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  if (options.password) args.push('--requirepass', options.password);
  let proc: Proc | undefined;
  let log = '';
  const server: RedisServer = {
    port,
    url: `${tls ? 'rediss' : 'redis'}://${options.password ? `:${options.password}@` : ''}127.0.0.1:${port}`,
    start: async ({ wipe = false } = {}) => {
      // A restart without persistence: whatever Redis had written is gone.
      if (wipe) for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
      proc = track(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
      await proc.waitFor(/Ready to accept connections/, 10_000);
    },
    stop: async () => {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.child.kill('SIGTERM');
      await p.exited;
      log += p.output();
    },
    output: () => log + (proc?.output() ?? ''),
  };
  await server.start();
  return server;
}

/** Kills every process these helpers started that is still running, and removes Redis's folders. */
export async function stopAll(): Promise<void> {
  const waiting = [...started].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  }));
  await Promise.all(waiting);
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// A test runner that dies on its own still takes its processes along.
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});
