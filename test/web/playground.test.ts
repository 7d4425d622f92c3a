import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catFiles } from '../../src/data/cat.js';
import { loadH5 } from '../../src/data/h5.js';
import { planarDataset } from '../../src/data/planar.js';
import { Network } from '../../src/nn/network.js';
import { CHROMIUM, launchChromium, servePlayground, traceMainThread } from '../helpers/browser.js';
import { deepnet, ROOT } from '../helpers/cli.js';
import { loadFixture } from '../helpers/fixtures.js';
import type { PlaygroundState as PageState } from '../helpers/playground.js';

// The playground in a real Chromium: the built static page, served on loopback.
// CI installs Debian's chromium; without it these tests fail in CI rather than pass unseen.
const run = CHROMIUM !== undefined || process.env.CI === 'true';
const SHOTS = join(ROOT, 'test-output');


let browser: Browser;
let server: PreviewServer;
let url: string;
let page: Page;

const state = () => page.evaluate(() => (window as unknown as { deepnet: PageState }).deepnet);

/**
 * Changes a field and starts afresh from it: the learning rate and iterations apply to the running
 * network (no rebuild), so once the form has settled, Reset builds the network anew.
 */
async function setField(selector: string, value: string): Promise<void> {
  await page.fill(selector, value);
  await page.waitForTimeout(500);
  const before = (await state()).readyCount;
  await page.click('#reset');
  await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before);
}

describe.runIf(run)('the playground in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ url, server } = await servePlayground());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 950 }, acceptDownloads: true });
    page.on('pageerror', (e) => {
      throw e;
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet?.readyCount > 0);
  });

  it('trains the planar flower 2,000 iterations: the cost falls below 0.3 and the boundary is drawn', async () => {
    await setField('#iterations', '2000');
    await page.click('#train');
    // Mid-training, as a learner sees it.
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.iteration > 300);
    await page.screenshot({ path: join(SHOTS, 'playground-training.png') });
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.done, null, { timeout: 120_000 });
    const s = await state();
    expect(s.iteration).toBe(2000);
    expect(s.costs).toHaveLength(2000);
    const shown = Number(await page.textContent('#stat-cost'));
    expect(shown).toBeLessThan(0.3);
    expect(shown).toBeCloseTo(s.costs[1999]![1], 6);
    expect(s.boundaryDrawn).toBe(true);
    // The canvas holds the heat map: both class colours cover much of it.
    const colours = await page.evaluate(() => {
      const c = document.getElementById('boundary') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      let orange = 0;
      for (let t = 0; t < d.length; t += 4) {
        if (d[t + 2]! > d[t]! + 20) blue++;
        else if (d[t]! > d[t + 2]! + 20) orange++;
      }
      return { blue, orange, total: d.length / 4 };
    });
    expect(colours.blue / colours.total).toBeGreaterThan(0.2);
    expect(colours.orange / colours.total).toBeGreaterThan(0.2);
    expect(s.trainAccuracy).toBeGreaterThan(0.85);
  });

  it("gives Node's numbers: the same seed and network give the same costs (1e-12), and the course's", async () => {
    await setField('#iterations', '1001');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.done, null, { timeout: 120_000 });
    const pageCosts = (await state()).costs.map((c) => c[1]);
    const { X, Y } = planarDataset();
    const net = new Network({ layerDims: [2, 4, 1], activations: ['tanh', 'sigmoid'], init: 'small', seed: 2 });
    const nodeCosts = net.fit(X, Y, { learningRate: 1.2, iterations: 1001 });
    expect(pageCosts).toHaveLength(1001);
    pageCosts.forEach((c, i) => expect(Math.abs(c - nodeCosts[i]!) / nodeCosts[i]!, `cost ${i}`).toBeLessThanOrEqual(1e-12));
    // And the week-3 notebook's (the dAL route) to 1e-9.
    const week3 = loadFixture('week3_planar_shallow');
    expect(Math.abs(pageCosts[0]! - week3.costsViaDAL['0']) / week3.costsViaDAL['0']).toBeLessThan(1e-9);
    expect(Math.abs(pageCosts[1000]! - week3.costsViaDAL['1000']) / week3.costsViaDAL['1000']).toBeLessThan(1e-9);
  });

  it('explains invalid choices inline instead of throwing', async () => {
    await page.fill('#layers .units', '0');
    await expect.poll(() => page.textContent('#layers .layer-error')).toContain('Layer 1 needs a whole number of units from 1 to 1000, not "0".');
    expect(await page.isVisible('#layers .layer-error')).toBe(true);
    await page.fill('#layers .units', 'four');
    await expect.poll(() => page.textContent('#layers .layer-error')).toContain('not "four"');
    await page.fill('#layers .units', '4');
    await expect.poll(() => page.textContent('#layers .layer-error')).toBe('');
    await page.selectOption('#output', 'linear');
    await expect.poll(() => page.textContent('#network-error')).toContain("Cost 'bce' needs a sigmoid output layer");
    await page.fill('#lr', '-1');
    await expect.poll(() => page.textContent('#network-error')).toContain('The learning rate α must be a number > 0, not "-1".');
  });

  it('pauses before the next iteration, and Step runs exactly one', async () => {
    await setField('#iterations', '1000000');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.iteration > 200);
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.pausedAt !== null);
    const paused = await state();
    await page.waitForTimeout(400);
    const later = await state();
    expect(later.iteration).toBe(paused.pausedAt);
    expect(later.costs).toHaveLength(paused.pausedAt!);
    expect(later.running).toBe(false);
    expect(await page.textContent('#train')).toBe('Resume');
    await page.click('#step');
    await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.iteration === n + 1, later.iteration);
    await page.waitForTimeout(300);
    expect((await state()).iteration).toBe(later.iteration + 1);
  });

  // The page draws at most once a frame and only what changed; a frame's work must stay under the
  // 50 ms of a long task on planar (thousands of iterations a second) and on the cat network (its
  // 50 captions, a long cost curve). Bounded in thread time, the page's own work: on two shared
  // cores the kernels' threads can hold a frame back, and that wall-clock figure is printed.
  it.each(['planar', 'cat'])('keeps the main thread free on %s: no task of the page over 50 ms while training', async (data) => {
    if (data === 'cat') {
      const before = (await state()).readyCount;
      await page.selectOption('#data-name', 'cat');
      await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before, { timeout: 60_000 });
    }
    await setField('#iterations', '1000000');
    const tasks = await traceMainThread(page, async () => {
      await page.click('#train');
      await page.waitForTimeout(5000);
    });
    const s = await state();
    expect(s.iteration).toBeGreaterThan(data === 'cat' ? 50 : 1000);
    expect(s.costs).toHaveLength(s.iteration);
    console.log(`${data}: ${s.iteration} iterations in 5 s; ${tasks.count} main-thread tasks, the longest ${tasks.cpuMax.toFixed(1)} ms of CPU, ${tasks.wallMax.toFixed(1)} ms of wall clock; over 50 ms of wall clock: [${tasks.long.join(', ')}]`);
    expect(tasks.count).toBeGreaterThan(50);
    expect(tasks.cpuMax, 'the longest task, in ms of the main thread\'s CPU').toBeLessThan(50);
  });

  it('saves the trained model and loads it back with the same predictions', async () => {
    await setField('#iterations', '300');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.done, null, { timeout: 60_000 });
    const trained = await state();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = join(SHOTS, 'playground-model.safetensors');
    await download.saveAs(file);
    // The file is a deepnet model file: Node loads it and predicts as the page did.
    const { readFileSync } = await import('node:fs');
    const net = Network.fromBytes(readFileSync(file));
    expect(net.layerDims).toEqual([2, 4, 1]);
    const { X, Y } = planarDataset();
    expect(net.evaluate(X, Y)).toBe(trained.trainAccuracy);
    // ...and so does the CLI, on the same 400 points written as a CSV file.
    const csv = join(SHOTS, 'planar.csv');
    writeFileSync(csv, ['x1,x2,y', ...Array.from({ length: X.cols }, (_, j) => `${X.get(0, j)},${X.get(1, j)},${Y.get(0, j)}`)].join('\n'));
    const cli = deepnet(['eval', '--model', file, '--data', csv, '--json']);
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout).accuracy).toBe(trained.trainAccuracy);
    // Back into the page: the accuracy shown is the saved network's.
    const before = trained.readyCount;
    await page.setInputFiles('#load', file);
    await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before);
    await page.waitForFunction((acc) => (window as unknown as { deepnet: PageState }).deepnet.trainAccuracy === acc, trained.trainAccuracy);
    expect(await page.textContent('#model-error')).toBe('');
    // A file that is not a model is explained beside the button.
    const bad = join(SHOTS, 'not-a-model.safetensors');
    writeFileSync(bad, 'hello');
    await page.setInputFiles('#load', bad);
    await expect.poll(() => page.textContent('#model-error'), { timeout: 15_000 }).toMatch(/not-a-model\.safetensors/);
  });

  it('traces one iteration forward then backward with the shapes of each step', async () => {
    await page.click('#trace');
    await page.waitForSelector('#trace-steps li');
    const steps = await page.$$eval('#trace-steps li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(steps[0]).toContain('Z[1] = W[1]·A[0] + b[1]');
    expect(steps[0]).toContain('(4, 2)·(2, 400) + (4, 1) → (4, 400)');
    expect(steps.some((s) => s.includes('dW[1] = (1/m) dZ[1]·A[0]ᵀ') && s.includes('→ (4, 2)'))).toBe(true);
    expect(steps.findIndex((s) => s.startsWith('backward'))).toBeGreaterThan(steps.findIndex((s) => s.startsWith('cost')));
    await page.click('#trace-next');
    expect(await page.$eval('#trace-steps li.current', (li) => li.textContent)).toContain('A[1] = tanh(Z[1])');
    expect(await page.$$eval('#diagram g.highlight', (gs) => gs.length)).toBeGreaterThan(0);
  });

  it('shows the cat images with predicted labels, and the dimension table for m = 209', async () => {
    const before = (await state()).readyCount;
    await page.selectOption('#data-name', 'cat');
    await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before, { timeout: 60_000 });
    expect(await page.$$eval('#cat-grid figure', (f) => f.length)).toBe(50);
    // Each image is its sample's pixels, as the HDF5 file has them: image 7's pixels (0, 0) and (63, 63).
    const pixels = await page.$$eval('#cat-grid canvas', (cs) => {
      const data = (cs[7] as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 64, 64).data;
      return [...data.slice(0, 3), ...data.slice(4 * 4095, 4 * 4095 + 3)];
    });
    const h5 = await loadH5(catFiles().test);
    const feature = (f: number) => Math.round(h5.X.data[f * h5.X.cols + 7]! * 255);
    expect(pixels).toEqual([0, 1, 2, 12285, 12286, 12287].map(feature));
    expect(await page.textContent('#dims')).toContain('(20, 12288)');
    expect(await page.textContent('#dims-m')).toBe('m = 209');
    await setField('#iterations', '3');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.done, null, { timeout: 60_000 });
    const s = await state();
    expect(Math.abs(s.costs[0]![1] - 0.7717493284237688)).toBeLessThan(1e-9);
    expect(await page.$$eval('#cat-grid figcaption.right, #cat-grid figcaption.wrong', (f) => f.length)).toBe(50);
  });

  it('reads a CSV file the user chooses, and explains a broken one', async () => {
    await page.selectOption('#data-name', 'csv');
    const rows = ['x1,x2,label', ...Array.from({ length: 40 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2 ? 'yes' : 'no'}`)];
    const good = join(SHOTS, 'points.csv');
    writeFileSync(good, rows.join('\n'));
    const before = (await state()).readyCount;
    await page.setInputFiles('#csv-file', good);
    await page.waitForFunction((n) => (window as unknown as { deepnet: PageState }).deepnet.readyCount > n, before);
    expect(await page.textContent('#dims-m')).toBe('m = 32');
    const bad = join(SHOTS, 'broken.csv');
    writeFileSync(bad, 'x1,x2,label\n1,2,0\n3,oops,1\n');
    await page.setInputFiles('#csv-file', bad);
    await expect.poll(() => page.textContent('#data-error')).toMatch(/broken\.csv: row 2 .*column "x2"/);
  });
});
