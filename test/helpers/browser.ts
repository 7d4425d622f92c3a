import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { ROOT } from './cli.js';

/** Debian's Chromium (CI installs it with apt-get); browser tests need it. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/**
 * Builds the playground as `npm run build:web` does and serves it on a free loopback port, with the
 * config's cross-origin isolation headers. `outDir` (relative to web/; default dist) keeps test files
 * that run at the same time from building over each other.
 */
export async function servePlayground(outDir = 'dist'): Promise<{ url: string; server: PreviewServer }> {
  execFileSync(process.execPath, ['scripts/web-data.mjs'], { cwd: ROOT, stdio: 'ignore' });
  await build({ configFile: `${ROOT}vite.config.ts`, root: `${ROOT}web`, build: { outDir }, logLevel: 'error' });
  const server = await preview({ configFile: `${ROOT}vite.config.ts`, root: `${ROOT}web`, build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false }, logLevel: 'error' });
  return { url: server.resolvedUrls!.local[0]!, server };
}

/**
 * Serves an already built playground (web/`outDir`) with only the given headers: none is a plain
 * static host, without the isolation headers.
 */
export async function serveBuilt(outDir: string, headers: Record<string, string> = {}): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({ configFile: false, root: `${ROOT}web`, base: './', build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false, headers }, logLevel: 'error' });
  return { url: server.resolvedUrls!.local[0]!, server };
}

/** Headless Chromium as root: no sandbox, and no background traffic to the closed network. */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install -y chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

/** The page's main-thread tasks while `during` runs: their wall-clock and CPU durations, in ms. */
export interface MainThreadTasks {
  count: number;
  /** Longest CPU time one task used: the page's own work, whatever else the machine runs. */
  cpuMax: number;
  /** Longest wall-clock time: the page's work plus the time the OS gave other threads. */
  wallMax: number;
  /** Wall-clock durations of the tasks over 50 ms (long tasks), in order. */
  long: number[];
}

/**
 * Traces the page's renderer main thread. A long task in wall-clock time on a machine whose cores
 * are shared (the kernels' threads, other processes) may be the OS's doing; the task's thread time
 * is the page's alone, so the tests bound that and report the other.
 */
export async function traceMainThread(page: Page, during: () => Promise<void>): Promise<MainThreadTasks> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  try {
    await during();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  // The page's renderer main thread: of the renderers' main threads, the one that ran the most tasks.
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasksOf = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.name === 'RunTask' && e.dur !== undefined);
  const tasks = mains.map(tasksOf).sort((a, b) => b.length - a.length)[0];
  if (!tasks) throw new Error('the trace names no renderer main thread');
  const ms = (us: number | undefined) => (us ?? 0) / 1000;
  return {
    count: tasks.length,
    cpuMax: Math.max(0, ...tasks.map((t) => ms(t.tdur))),
    wallMax: Math.max(0, ...tasks.map((t) => ms(t.dur))),
    long: tasks.map((t) => ms(t.dur)).filter((d) => d > 50).map((d) => Math.round(d)),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}
