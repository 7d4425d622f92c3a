import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from '../helpers/browser.js';
import { done, type PlaygroundState as PageState, playgroundSuite, rebuilt, SHOTS, state } from '../helpers/playground.js';

// What a newcomer meets in the first hour: both dtypes on every data set, a phone, a form that
// always shows the network that runs, learning-rate changes mid-run, CSV files good and broken.
const run = CHROMIUM !== undefined || process.env.CI === 'true';

describe.runIf(run)('the playground, first hour', () => {
  // Its own build folder: another browser test file may be building web/dist.
  const playground = playgroundSuite('../test-output/web-first-hour');
  const open = (width = 1400, height = 950) => playground.open({ width, height });

  it('trains every data set in float64 and in float32', async () => {
    const page = await open();
    for (const name of ['planar', 'xor', 'circles', 'moons', 'spiral', 'gaussian', 'cat']) {
      for (const dtype of ['float64', 'float32']) {
        await page.selectOption('#data-name', name);
        await page.selectOption('#dtype', dtype);
        await page.fill('#iterations', name === 'cat' ? '2' : '30');
        // The form settles (its fields rebuild or update the network), then Reset builds it afresh.
        await page.waitForTimeout(500);
        const before = (await state(page)).readyCount;
        await page.click('#reset');
        await rebuilt(page, before);
        await page.click('#train');
        await done(page);
        const s = await state(page);
        expect(s.lastError, `${name} ${dtype}`).toBe('');
        expect(s.costs.length, `${name} ${dtype}`).toBe(name === 'cat' ? 2 : 30);
        expect(s.costs.every(([, c]) => Number.isFinite(c)), `${name} ${dtype}`).toBe(true);
        if (name === 'cat') expect(Math.abs(s.costs[0]![1] - 0.7717493284237688), dtype).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-9);
      }
    }
    await page.close();
  });

  for (const width of [360, 390, 430]) {
    it(`fits a ${width} px phone: no horizontal scroll, and the charts follow their boxes`, async () => {
      const page = await open(width, 844);
      await page.fill('#iterations', '300');
      await page.waitForTimeout(400);
      await page.click('#train');
      await done(page);
      const m = await page.evaluate(() => {
        const box = (id: string) => document.getElementById(id)!.getBoundingClientRect();
        const chart = document.querySelector('#chart canvas')!.getBoundingClientRect();
        return { scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, chart: chart.width, chartBox: box('chart').width, boundary: box('boundary').width, view: box('view').width };
      });
      expect(m.scroll).toBeLessThanOrEqual(width);
      expect(m.body).toBeLessThanOrEqual(width);
      expect(m.chart).toBeLessThanOrEqual(m.chartBox + 1);
      expect(m.chart).toBeGreaterThan(m.chartBox - 40);
      expect(m.boundary).toBeLessThanOrEqual(m.view);
      await page.screenshot({ path: join(SHOTS, `playground-phone-${width}.png`), fullPage: true });
      // Turned to a desktop width, the chart grows with its box.
      await page.setViewportSize({ width: 1400, height: 950 });
      await expect.poll(() => page.evaluate(() => document.querySelector('#chart canvas')!.getBoundingClientRect().width), { timeout: 5000 }).toBeGreaterThan(400);
      await page.screenshot({ path: join(SHOTS, 'playground-desktop.png') });
      await page.close();
    });
  }

  it('a new learning rate applies from the next iteration; more iterations continue after Done', async () => {
    const page = await open();
    await page.fill('#iterations', '400');
    await page.waitForTimeout(400);
    await page.click('#train');
    await done(page);
    const first = await state(page);
    expect(first.iteration).toBe(400);
    expect(await page.textContent('#train')).toBe('Continue');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.iteration === 800, null, { timeout: 120_000 });
    await done(page);
    expect(await page.inputValue('#iterations')).toBe('800');
    const after = await state(page);
    // The same network went on: 800 costs, the first 400 unchanged, no restart at iteration 0.
    expect(after.costs).toHaveLength(800);
    expect(after.costs.slice(0, 400)).toEqual(first.costs);
    expect(after.costs.map(([i]) => i)).toEqual(Array.from({ length: 800 }, (_, i) => i));
    // Mid-run: the iteration count goes on past the change.
    await page.fill('#iterations', '1000000');
    await page.waitForTimeout(400);
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { deepnet: PageState }).deepnet.iteration > 1000);
    const readyCount = (await state(page)).readyCount;
    await page.fill('#lr', '0.3');
    await page.waitForTimeout(1000);
    const s = await state(page);
    expect(s.readyCount).toBe(readyCount);
    expect(s.iteration).toBeGreaterThan(1000);
    expect(s.costs.map(([i]) => i)).toEqual(Array.from({ length: s.costs.length }, (_, i) => i));
    await page.close();
  });

  it('an invalid field is marked and disables Train; the data seed shows only where it draws', async () => {
    const page = await open();
    expect(await page.isVisible('#data-seed-field')).toBe(false); // planar: the course's fixed flower
    await page.fill('#lr', 'fast');
    await expect.poll(() => page.isDisabled('#train')).toBe(true);
    expect(await page.$eval('#lr', (e) => e.classList.contains('invalid'))).toBe(true);
    expect(await page.isDisabled('#step')).toBe(true);
    await page.fill('#lr', '1.2');
    await expect.poll(() => page.isDisabled('#train')).toBe(false);
    const before = (await state(page)).readyCount;
    await page.selectOption('#data-name', 'moons');
    await rebuilt(page, before);
    expect(await page.isVisible('#data-seed-field')).toBe(true);
    // Load model is reachable by keyboard: its input is focusable, not display: none.
    expect(await page.$eval('#load', (e) => getComputedStyle(e).display !== 'none' && (e as HTMLInputElement).tabIndex >= 0)).toBe(true);
    await page.close();
  });

  it('a 3-class CSV shows softmax + CE; a 5-feature CSV says why there is no boundary; a broken one clears the view', async () => {
    const page = await open();
    await page.selectOption('#data-name', 'csv');
    const three = join(SHOTS, 'three.csv');
    writeFileSync(three, ['x1,x2,label', ...Array.from({ length: 60 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${['a', 'b', 'c'][i % 3]}`)].join('\n'));
    let before = (await state(page)).readyCount;
    await page.setInputFiles('#csv-file', three);
    await rebuilt(page, before);
    expect(await page.inputValue('#output')).toBe('softmax');
    expect(await page.inputValue('#cost')).toBe('ce');
    await page.selectOption('#normalize', 'standard');
    await page.fill('#iterations', '20');
    await page.waitForTimeout(400);
    await page.click('#train');
    await done(page);
    expect((await state(page)).lastError).toBe('');
    expect(await page.textContent('#stat-train')).not.toBe('–');
    const five = join(SHOTS, 'five.csv');
    writeFileSync(five, ['a,b,c,d,e,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i % 3},${i * i},${-i},${i % 2}`)].join('\n'));
    before = (await state(page)).readyCount;
    await page.setInputFiles('#csv-file', five);
    await rebuilt(page, before);
    expect(await page.isVisible('#boundary')).toBe(false);
    expect(await page.textContent('#boundary-note')).toContain('n_x = 5 features');
    const broken = join(SHOTS, 'broken-first-hour.csv');
    writeFileSync(broken, 'x1,x2,label\n1,2,0\n3,oops,1\n');
    await page.setInputFiles('#csv-file', broken);
    await expect.poll(() => page.textContent('#data-error')).toMatch(/broken-first-hour\.csv: row 2/);
    expect(await page.isDisabled('#train')).toBe(true);
    expect(await page.textContent('#stat-train')).toBe('–');
    expect(await page.textContent('#stat-iteration')).toBe('–');
    await page.close();
  });
});
