import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, servePlayground } from './browser.js';
import { launchChromiumWithWebGpu } from './webgpu-page.js';
import { ROOT } from './cli.js';

/** Where the browser tests put their screenshots and files. */
export const SHOTS = join(ROOT, 'test-output');

/** The page's window.deepnet, as the browser tests read it. */
export interface PlaygroundState {
  costs: [number, number][];
  testCosts: [number, number][];
  iteration: number;
  running: boolean;
  done: boolean;
  pausedAt: number | null;
  ready: boolean;
  readyCount: number;
  boundaryDrawn: boolean;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  lastError: string;
  diverged: string;
  unitsDrawn: number;
  threads: number;
  chartPoints: { train: number; test: number };
  gpu: { adapterName: string; software: boolean } | { adapterName: null; reason: string } | null;
  backend: string;
}

export const state = (page: Page) => page.evaluate(() => (window as unknown as { deepnet: PlaygroundState }).deepnet);
/** Waits for the worker to build the network again (readyCount past `before`). */
export const rebuilt = (page: Page, before: number) => page.waitForFunction((n) => (window as unknown as { deepnet: PlaygroundState }).deepnet.readyCount > n, before, { timeout: 120_000 });
export const done = (page: Page) => page.waitForFunction(() => (window as unknown as { deepnet: PlaygroundState }).deepnet.done, null, { timeout: 300_000 });

/**
 * The suite's playground: built into web/`outDir` (test files that run at once must not build over
 * each other), served, and a Chromium to open it in (`webgpu`: with WebGPU on its software adapter);
 * both are closed after the suite.
 */
export function playgroundSuite(outDir: string, { webgpu = false } = {}): { readonly url: string; open(options?: { address?: string; width?: number; height?: number }): Promise<Page> } {
  let browser: Browser;
  let server: PreviewServer;
  let url = '';
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ url, server } = await servePlayground(outDir));
    browser = await (webgpu ? launchChromiumWithWebGpu() : launchChromium());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get url() {
      return url;
    },
    /** A page at `address` (default the playground), once it has built a network or explained why it cannot. */
    async open({ address = url, width = 1400, height = 950 } = {}) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.on('pageerror', (e) => {
        throw e;
      });
      await page.goto(address);
      await page.waitForFunction(
        () => (window as unknown as { deepnet?: PlaygroundState }).deepnet?.readyCount! > 0 || document.getElementById('network-error')!.textContent !== '' || document.getElementById('data-error')!.textContent !== '',
      );
      return page;
    },
  };
}
