import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { planarDataset } from '../../src/data/planar.js';
import { Network } from '../../src/nn/network.js';
import { CHROMIUM, launchChromium, traceMainThread } from '../helpers/browser.js';
import { done, type PlaygroundState as PageState, playgroundSuite, rebuilt, SHOTS, state } from '../helpers/playground.js';

// The playground's GPU choice in Chromium with WebGPU on its software adapter (SwiftShader), and
// in the plain test browser, which has no WebGPU adapter.
const run = CHROMIUM !== undefined || process.env.CI === 'true';

const waitFor = (page: Page, fn: (arg: number) => boolean, arg = 0) => page.waitForFunction(fn, arg, { timeout: 120_000 });

describe.runIf(run)('the playground on the GPU (WebGPU on SwiftShader)', () => {
  const playground = playgroundSuite('../test-output/web-webgpu', { webgpu: true });

  it('offers the GPU, names the SwiftShader adapter as a software one, and choosing it chooses float32', async () => {
    const page = await playground.open();
    const s = await state(page);
    expect(s.gpu?.adapterName).toMatch(/swiftshader/i);
    expect(s.gpu && 'software' in s.gpu && s.gpu.software).toBe(true);
    expect(s.backend).toBe('wasm');
    expect(await page.isDisabled('#backend option[value="webgpu"]')).toBe(false);
    expect(await page.textContent('#backend-note')).toMatch(/^GPU: .*swiftshader.*, a software adapter: correct, but slower than the CPU\.$/i);
    expect(await page.inputValue('#dtype')).toBe('float64');
    await page.selectOption('#backend', 'webgpu');
    await waitFor(page, () => (window as unknown as { deepnet: PageState }).deepnet.backend === 'webgpu');
    expect(await page.inputValue('#dtype')).toBe('float32');
    expect(await page.textContent('#stat-kernels')).toMatch(/^WebGPU kernels on .*swiftshader.* \(software\)/i);
    expect(new URL(page.url()).hash).toMatch(/&dtype=float32&backend=webgpu$/);
    await page.screenshot({ path: join(SHOTS, 'playground-webgpu.png') });
    await page.close();
  });

  it("trains planar on the GPU: its first 100 costs are wasm float32's within 1e-4 relative, and it ends at the same accuracy", async () => {
    const iterations = 1000;
    const page = await playground.open({ address: `${playground.url}#data=planar&iterations=${iterations}&dtype=float32&backend=webgpu` });
    expect((await state(page)).backend).toBe('webgpu');
    const started = performance.now();
    const tasks = await traceMainThread(page, async () => {
      await page.click('#train');
      await done(page);
    });
    const seconds = (performance.now() - started) / 1000;
    const s = await state(page);
    console.log(`planar on the GPU (SwiftShader) in the playground: ${iterations} iterations in ${seconds.toFixed(1)} s; main-thread tasks: ${tasks.count}, longest ${tasks.cpuMax.toFixed(1)} ms CPU, ${tasks.wallMax.toFixed(1)} ms wall`);
    expect(s.lastError).toBe('');
    expect(s.costs.map(([i]) => i)).toEqual(Array.from({ length: iterations }, (_, i) => i));
    const { X, Y } = planarDataset('float32');
    const cpu = new Network({ layerDims: [2, 4, 1], activations: ['tanh', 'sigmoid'], init: 'small', seed: 2, dtype: 'float32', backend: 'wasm' });
    const want = cpu.fit(X, Y, { learningRate: 1.2, iterations });
    const worst = Math.max(...want.slice(0, 100).map((J, i) => Math.abs(s.costs[i]![1] - J) / J));
    console.log(`first 100 costs: worst relative difference to wasm float32 ${worst.toExponential(2)}; final cost GPU ${s.costs[iterations - 1]![1]}, wasm ${want[iterations - 1]}`);
    for (let i = 0; i < 100; i++) expect(Math.abs(s.costs[i]![1] - want[i]!) / want[i]!, `cost ${i}`).toBeLessThan(1e-4);
    expect(s.trainAccuracy).toBe(cpu.evaluate(X, Y));
    expect(s.boundaryDrawn).toBe(true);
    expect(tasks.cpuMax).toBeLessThan(50);
    await page.screenshot({ path: join(SHOTS, 'playground-webgpu-planar.png') });
    await page.close();
  }, 300_000);

  it('resets, pauses, steps one iteration at a time, takes a new α live and continues after Done on the GPU; the test cost and heatmaps follow', async () => {
    // A run long enough that the pause below always lands inside it (4.5 ms an iteration on a
    // loaded CI machine: 400 iterations could end between the page seeing iteration 40 and the click).
    const page = await playground.open({ address: `${playground.url}#data=moons&iterations=5000&dtype=float32&backend=webgpu` });
    // Reset mid-run stops the GPU run and starts the network again from its seed.
    await page.click('#train');
    await waitFor(page, () => (window as unknown as { deepnet: PageState }).deepnet.iteration > 40);
    const first = (await state(page)).costs.slice(0, 40);
    const built = (await state(page)).readyCount;
    await page.click('#reset');
    await rebuilt(page, built);
    expect((await state(page)).iteration).toBe(0);
    await page.click('#train');
    await waitFor(page, () => (window as unknown as { deepnet: PageState }).deepnet.iteration > 40);
    expect((await state(page)).costs.slice(0, 40)).toEqual(first);
    await page.click('#train');
    await waitFor(page, () => (window as unknown as { deepnet: PageState }).deepnet.pausedAt !== null);
    const paused = await state(page);
    expect(paused.running).toBe(false);
    expect(paused.pausedAt).toBe(paused.iteration);
    await page.waitForTimeout(400);
    expect((await state(page)).iteration).toBe(paused.iteration);
    for (const k of [1, 2]) {
      await page.click('#step');
      await waitFor(page, (n) => (window as unknown as { deepnet: PageState }).deepnet.pausedAt === n, paused.iteration + k);
      expect((await state(page)).iteration).toBe(paused.iteration + k);
    }
    // Every iteration's cost once, in order, across the pause and the steps.
    const stepped = await state(page);
    expect(stepped.costs.map(([i]) => i)).toEqual(Array.from({ length: stepped.iteration }, (_, i) => i));
    // The test cost of the parameters as they stand (a stop leaves them exact), and pictures of them.
    expect(stepped.testCosts.at(-1)![0]).toBe(stepped.iteration - 1);
    expect(stepped.testCosts.length).toBeGreaterThan(1);
    expect(stepped.boundaryDrawn).toBe(true);
    expect(stepped.unitsDrawn).toBeGreaterThan(0);
    // A new learning rate and a shorter run apply from the next iteration, the network going on.
    const before = stepped.readyCount;
    const end = stepped.iteration + 200;
    await page.fill('#lr', '0.6');
    await page.fill('#iterations', String(end));
    await page.waitForTimeout(500);
    await page.click('#train');
    await done(page);
    let s = await state(page);
    expect(s.readyCount).toBe(before);
    expect(s.iteration).toBe(end);
    // Continue after Done trains as many iterations again.
    await page.click('#train');
    expect(await page.inputValue('#iterations')).toBe(String(2 * end));
    await waitFor(page, (n) => (window as unknown as { deepnet: PageState }).deepnet.iteration >= n && (window as unknown as { deepnet: PageState }).deepnet.done, 2 * end);
    s = await state(page);
    expect(s.lastError).toBe('');
    expect(s.costs.map(([i]) => i)).toEqual(Array.from({ length: 2 * end }, (_, i) => i));
    expect(s.testCosts.at(-1)![0]).toBe(2 * end - 1);
    expect(s.testAccuracy).toBeGreaterThan(0.8);
    await page.screenshot({ path: join(SHOTS, 'playground-webgpu-moons.png') });
    await page.close();
  }, 300_000);

  it('trains the cat images on the GPU (first layer in Gram form): the course\'s first cost, and the captions of the test images', async () => {
    const page = await playground.open({ address: `${playground.url}#data=cat&iterations=40&dtype=float32&backend=webgpu` });
    await page.click('#train');
    await done(page);
    const s = await state(page);
    expect(s.lastError).toBe('');
    expect(s.costs).toHaveLength(40);
    expect(Math.abs(s.costs[0]![1] - 0.7717493284237688)).toBeLessThan(1e-5);
    expect(s.costs[39]![1]).toBeLessThan(s.costs[0]![1]);
    const captions = await page.$$eval('#cat-grid figcaption', (els) => els.map((e) => e.textContent ?? ''));
    expect(captions).toHaveLength(50);
    for (const text of captions) expect(text).toMatch(/^(cat|non-cat) \d+%$/);
    expect(s.testAccuracy).not.toBeNull();
    await page.screenshot({ path: join(SHOTS, 'playground-webgpu-cat.png') });
    await page.close();
  }, 300_000);

  it('shows a run that diverges on the GPU beside the chart, as on the CPU', async () => {
    const page = await playground.open({ address: `${playground.url}#data=planar&output=linear&cost=mse&lr=100&iterations=200&dtype=float32&backend=webgpu` });
    await page.click('#train');
    await waitFor(page, () => (window as unknown as { deepnet: PageState }).deepnet.diverged !== '');
    expect(await page.textContent('#diverged')).toMatch(/^Training diverged: the cost is (NaN|Infinity) at iteration \d+; .* Lower the learning rate α in the form/);
    expect(await page.isDisabled('#train')).toBe(true);
    await page.close();
  }, 120_000);

  it('explains each option the GPU cannot train beside its field, with Train off, and an address asking for float64 on it', async () => {
    const page = await playground.open({ address: `${playground.url}#data=moons&dtype=float32&backend=webgpu` });
    const cases: [string, string, string, string][] = [
      ['#batch-size', '32', '', 'the batch size must be empty (full batch), not 32'],
      ['#lambd', '0.1', '0', 'L2 λ must be 0, not 0.1'],
      ['#keep-prob', '0.9', '1', 'dropout keep_prob must be 1, not 0.9'],
      ['#optimizer', 'adam', 'gd', 'the optimiser must be gradient descent, not adam'],
      ['#dtype', 'float64', 'float32', 'dtype must be float32 (WebGPU has no float64), not float64'],
    ];
    for (const [selector, bad, good, message] of cases) {
      const set = (value: string) => (selector === '#optimizer' || selector === '#dtype' ? page.selectOption(selector, value) : page.fill(selector, value));
      await set(bad);
      await expect.poll(() => page.textContent('#network-error')).toBe(`On the GPU (WebGPU) ${message}: it trains the course's full-batch gradient descent in float32 only. Change it, or choose the CPU (WebAssembly) kernels.`);
      expect(await page.isDisabled('#train'), selector).toBe(true);
      expect(await page.getAttribute(selector, 'class'), selector).toContain('invalid');
      if (selector === '#batch-size') await page.screenshot({ path: join(SHOTS, 'playground-webgpu-refused.png') });
      await set(good);
      await expect.poll(() => page.textContent('#network-error')).toBe('');
      await expect.poll(() => page.isDisabled('#train')).toBe(false);
    }
    await page.close();
    const address = await playground.open({ address: `${playground.url}#data=moons&dtype=float64&backend=webgpu` });
    expect(await address.textContent('#network-error')).toContain('On the GPU (WebGPU) dtype must be float32');
    expect(await address.isDisabled('#train')).toBe(true);
    await address.close();
  }, 120_000);

  it('in the plain test browser (no WebGPU adapter) offers no GPU and says why; an address asking for it is explained', async () => {
    const browser = await launchChromium();
    try {
      const open = async (hash: string) => {
        const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
        page.on('pageerror', (e) => {
          throw e;
        });
        await page.goto(playground.url + hash);
        await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet?.readyCount > 0 || document.getElementById('network-error')!.textContent !== '', null, { timeout: 60_000 });
        return page;
      };
      const page = await open('');
      const s = await state(page);
      expect(s.gpu?.adapterName).toBeNull();
      expect(s.backend).toBe('wasm');
      expect(await page.isDisabled('#backend option[value="webgpu"]')).toBe(true);
      const note = (await page.textContent('#backend-note'))!;
      console.log(`without WebGPU the note says: ${note}`);
      expect(note).toMatch(/^No GPU choice here: the webgpu backend (found no GPU adapter|needs WebGPU)[^]*\. Training runs on the WebAssembly kernels\.$/);
      await page.screenshot({ path: join(SHOTS, 'playground-no-webgpu.png') });
      await page.close();
      const asked = await open('#data=planar&dtype=float32&backend=webgpu');
      expect(await asked.textContent('#network-error')).toMatch(/^The address's backend= asks for webgpu, which this browser cannot give: the webgpu backend /);
      expect(await asked.isDisabled('#train')).toBe(true);
      await asked.close();
    } finally {
      await browser.close();
    }
  }, 120_000);
});
