import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM } from './browser.js';
import { ROOT } from './cli.js';

/** Chromium's WebGPU on its software adapter (SwiftShader), which headless Chromium exposes with these. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export async function launchChromiumWithWebGpu(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install -y chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', ...WEBGPU_FLAGS],
  });
}

/** Where a page module comes from: the tests' by default; the bench passes its own (its build runs from elsewhere). */
export interface PageSource {
  root: string;
  entry: string;
  outDir: string;
}

/**
 * Builds test/web/webgpu-page.ts (or `source`'s entry) into one module and serves it on a loopback
 * port with an empty page that loads it, plus the given binary files (data sets as float32 bytes) under /data/.
 */
export async function serveWebGpuPage(
  files: Record<string, Uint8Array> = {},
  source: PageSource = { root: ROOT, entry: 'test/web/webgpu-page.ts', outDir: 'test-output/webgpu-page' },
): Promise<{ url: string; server: Server }> {
  const outDir = `${source.root}${source.outDir}`;
  await build({
    configFile: false,
    root: source.root,
    logLevel: 'error',
    resolve: { alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' } },
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: false, lib: { entry: `${source.root}${source.entry}`, formats: ['es'], fileName: () => 'page.js' } },
  });
  const built = new Map(readdirSync(outDir).map((name) => [`/${name}`, readFileSync(`${outDir}/${name}`)]));
  const html = '<!doctype html><html><body><script type="module" src="./page.js"></script></body></html>';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const module = built.get(path);
    if (module) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(module);
    const file = path.startsWith('/data/') ? files[path.slice('/data/'.length)] : undefined;
    if (file) return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** A page with window[global] (the tests' webgpuTests by default) loaded; page errors fail the test. */
export async function openWebGpuPage(browser: Browser, url: string, global = 'webgpuTests'): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(url);
  await page.waitForFunction((name) => (window as unknown as Record<string, unknown>)[name] !== undefined, global);
  return page;
}
