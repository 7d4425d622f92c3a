import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, serveBuilt, servePlayground } from '../helpers/browser.js';

// The playground's kernels on several threads: the page is cross-origin isolated, so its training
// worker shares the wasm memory with Web Workers of its own, and the costs do not depend on how many.
// Built into its own folder: the other browser test file may be building web/dist at the same time.
const run = CHROMIUM !== undefined || process.env.CI === 'true';
const OUT = '../test-output/web-threads';
const ITERATIONS = 8;

interface PageState {
  costs: [number, number][];
  done: boolean;
  readyCount: number;
  threads: number;
  chunksByThread: number[];
  lastError: string;
}

let browser: Browser;
let isolated: { url: string; server: PreviewServer };
let plain: { url: string; server: PreviewServer };
let strict: { url: string; server: PreviewServer };
// Isolated, with a policy that allows the page's own workers but not blob: ones (the kernels' threads).
const STRICT = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
};
const pages: Page[] = [];

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  pages.push(page);
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet?.readyCount > 0);
  return page;
}

const state = (page: Page) => page.evaluate(() => (window as unknown as { deepnet: PageState }).deepnet);

async function rebuilt(page: Page, change: () => Promise<unknown>): Promise<void> {
  const before = (await state(page)).readyCount;
  await change();
  await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before, { timeout: 60_000 });
}

/** Trains the cat network (W1·X: 20 x 12288 x 209, split across threads) for ITERATIONS iterations. */
async function trainCat(page: Page): Promise<PageState> {
  await rebuilt(page, () => page.selectOption('#data-name', 'cat'));
  // A new iteration count applies to the network as it is (no rebuild): Reset builds it afresh.
  await page.fill('#iterations', String(ITERATIONS));
  await page.waitForTimeout(500);
  await rebuilt(page, () => page.click('#reset'));
  await page.click('#train');
  await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.done, null, { timeout: 120_000 });
  return state(page);
}

describe.runIf(run)('the playground on several threads, in Chromium', () => {
  beforeAll(async () => {
    isolated = await servePlayground(OUT);
    plain = await serveBuilt(OUT);
    strict = await serveBuilt(OUT, STRICT);
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
  });

  afterAll(async () => {
    await browser?.close();
    await isolated?.server.close();
    await plain?.server.close();
    await strict?.server.close();
  });

  it('is cross-origin isolated and trains on as many threads as the browser reports cores (at most 8)', async () => {
    const page = await open(isolated.url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => Math.max(1, Math.min(8, navigator.hardwareConcurrency)));
    expect((await state(page)).threads).toBe(cores);
    expect(await page.textContent('#stat-kernels')).toBe(`WebAssembly SIMD kernels · ${cores} ${cores === 1 ? 'thread' : 'threads'}`);
  });

  it('gives the same costs, bit for bit, on 1, 2 and 4 threads, and the Web Workers did work', async () => {
    const one = await open(`${isolated.url}?threads=1`);
    const two = await open(`${isolated.url}?threads=2`);
    expect(await one.textContent('#stat-kernels')).toBe('WebAssembly SIMD kernels · 1 thread');
    expect(await two.textContent('#stat-kernels')).toBe('WebAssembly SIMD kernels · 2 threads');
    const single = await trainCat(one);
    const double = await trainCat(two);
    const four = await trainCat(await open(`${isolated.url}?threads=4`));
    expect(single.lastError).toBe('');
    expect(double.lastError).toBe('');
    expect(single.costs).toHaveLength(ITERATIONS);
    expect(Math.abs(single.costs[0]![1] - 0.7717493284237688)).toBeLessThan(1e-9);
    expect(double.costs).toEqual(single.costs);
    expect(four.costs).toEqual(single.costs);
    // One thread has no pool; with two, the Web Worker (slot 1) computed chunks of the products.
    expect(single.chunksByThread).toEqual([]);
    expect(double.chunksByThread).toHaveLength(2);
    expect(double.chunksByThread[1]).toBeGreaterThan(0);
    expect(four.chunksByThread).toHaveLength(4);
    expect(four.chunksByThread.slice(1).reduce((a, b) => a + b)).toBeGreaterThan(0);
  });

  it('served without the isolation headers, runs on one thread whatever is asked, with the same costs', async () => {
    const page = await open(`${plain.url}?threads=4`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('undefined');
    expect((await state(page)).threads).toBe(1);
    expect(await page.textContent('#stat-kernels')).toBe('WebAssembly SIMD kernels · 1 thread');
    const s = await trainCat(page);
    expect(s.lastError).toBe('');
    expect(s.chunksByThread).toEqual([]);
    const reference = await trainCat(await open(`${isolated.url}?threads=2`));
    expect(s.costs).toEqual(reference.costs);
  });

  it('where the page\'s policy forbids blob: workers, says it runs on one thread, and trains with the same costs', async () => {
    const page = await open(`${strict.url}?threads=2`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // Announced with 2 threads, then corrected once the kernel workers failed to start.
    await expect.poll(async () => (await state(page)).threads).toBe(1);
    expect(await page.textContent('#stat-kernels')).toBe('WebAssembly SIMD kernels · 1 thread');
    const s = await trainCat(page);
    expect(s.lastError).toBe('');
    expect(s.chunksByThread.slice(1).every((n) => n === 0)).toBe(true);
    const reference = await trainCat(await open(`${isolated.url}?threads=1`));
    expect(s.costs).toEqual(reference.costs);
  });

  it('explains a ?threads= that is not a thread count', async () => {
    const page = await browser.newPage();
    pages.push(page);
    // 40 is a number, but more threads than the kernels have: it was run on 24 without a word.
    for (const threads of ['many', '40']) {
      await page.goto(`${isolated.url}?threads=${threads}`);
      await expect.poll(() => page.textContent('#network-error')).toBe(`The address's ?threads= must be a whole number of threads from 1 to 24, not "${threads}".`);
    }
  });
});
