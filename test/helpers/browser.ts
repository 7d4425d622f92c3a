import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
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
