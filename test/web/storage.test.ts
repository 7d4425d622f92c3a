import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';

// Models in the browser, as TensorFlow.js users expect: net.save('indexeddb://NAME' |
// 'localstorage://NAME' | 'downloads://NAME') and Network.load('indexeddb://NAME' |
// 'localstorage://NAME' | URL), in Chromium, on the library bundled as a page bundles it.
const run = CHROMIUM !== undefined || process.env.CI === 'true';
const OUT = join(ROOT, 'test-output/web-storage');

type Lib = typeof import('./storage-entry.js');

let browser: Browser;
let server: Server;
let url: string;
let page: Page;
// A model the server hands out, trained in Node: the page must predict what Node predicts.
const served = new Network({ layerDims: [2, 5, 1], seed: 4, backend: 'reference' });
served.normalization = { mean: [0.5, -1], std: [2, 3] };
served.classes = ['blue', 'orange'];
const POINTS = [[0.1, 2, -3, 4], [1, -1, 0.5, 7]];

describe.runIf(run)('models in the browser', () => {
  beforeAll(async () => {
    await build({
      configFile: false,
      logLevel: 'error',
      build: { outDir: OUT, emptyOutDir: true, target: 'es2022', lib: { entry: join(ROOT, 'test/web/storage-entry.ts'), formats: ['es'], fileName: () => 'lib.js' } },
    });
    const files: Record<string, [string, Buffer | string]> = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "./lib.js"; window.lib = lib; window.libReady = true;</script>'],
      '/lib.js': ['text/javascript', readFileSync(join(OUT, 'lib.js'))],
      '/models/served.safetensors': ['application/octet-stream', Buffer.from(served.toBytes())],
    };
    // The bundle's own chunks, beside lib.js.
    for (const name of readdirSync(OUT)) if (name.endsWith('.js')) files[`/${name}`] ??= ['text/javascript', readFileSync(join(OUT, name))];
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (!file) {
        res.writeHead(404, 'Not Found');
        return res.end();
      }
      res.writeHead(200, { 'content-type': file[0] });
      res.end(file[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.newPage({ acceptDownloads: true });
    page.on('pageerror', (e) => {
      throw e;
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { libReady?: boolean }).libReady === true);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('saves to IndexedDB and localStorage and loads back the same bytes, normalisation and classes', async () => {
    const r = await page.evaluate(async () => {
      const { Network } = (window as unknown as { lib: Lib }).lib;
      const net = new Network({ layerDims: [2, 3, 1], seed: 7, backend: 'reference' });
      net.normalization = { mean: [1, 2], std: [3, 4] };
      net.classes = ['no', 'yes'];
      const bytes = Array.from(net.toBytes());
      await net.save('indexeddb://flower');
      await net.save('localstorage://flower');
      const a = await Network.load('indexeddb://flower');
      const b = await Network.load('localstorage://flower');
      return { bytes, a: Array.from(a.toBytes()), b: Array.from(b.toBytes()), classes: a.classes, normalization: b.normalization, keys: Object.keys(localStorage) };
    });
    expect(r.a).toEqual(r.bytes);
    expect(r.b).toEqual(r.bytes);
    expect(r.classes).toEqual(['no', 'yes']);
    expect(r.normalization).toEqual({ mean: [1, 2], std: [3, 4] });
    expect(r.keys).toEqual(['deepnet/models/flower']);
  });

  it('a saved name is overwritten by the next save; a missing one is an error naming it', async () => {
    const r = await page.evaluate(async () => {
      const { Network } = (window as unknown as { lib: Lib }).lib;
      await new Network({ layerDims: [2, 1], seed: 1, backend: 'reference' }).save('indexeddb://same');
      const second = new Network({ layerDims: [2, 4, 1], seed: 2, backend: 'reference' });
      await second.save('indexeddb://same');
      const errors: string[] = [];
      for (const where of ['indexeddb://nothing-here', 'localstorage://nothing-here', 'downloads://x']) {
        try {
          await Network.load(where);
        } catch (e) {
          errors.push(`${(e as { code: string }).code}: ${(e as Error).message}`);
        }
      }
      localStorage.setItem('deepnet/models/garbage', '%%%');
      try {
        await Network.load('localstorage://garbage');
      } catch (e) {
        errors.push((e as Error).message);
      }
      return { dims: (await Network.load('indexeddb://same')).layerDims, errors };
    });
    expect(r.dims).toEqual([2, 4, 1]);
    expect(r.errors).toEqual([
      'E_MODEL_FILE: indexeddb://nothing-here: no such model in IndexedDB',
      'E_MODEL_FILE: localstorage://nothing-here: no such model in localStorage',
      'E_CONFIG: downloads://x: downloads:// only saves; load the downloaded file by its path or bytes (Network.fromBytes)',
      'localstorage://garbage: the stored text is not base64: not a model saved by deepnet',
    ]);
  });

  it('downloads://NAME downloads NAME.safetensors, a model file Node loads', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(async () => {
        const { Network } = (window as unknown as { lib: Lib }).lib;
        await new Network({ layerDims: [2, 3, 1], seed: 5, backend: 'reference' }).save('downloads://my-model');
      }),
    ]);
    expect(download.suggestedFilename()).toBe('my-model.safetensors');
    const file = join(OUT, 'my-model.safetensors');
    await download.saveAs(file);
    expect(Network.fromBytes(readFileSync(file)).toBytes()).toEqual(new Network({ layerDims: [2, 3, 1], seed: 5 }).toBytes());
  });

  it('loads a URL by fetch and predicts what Node predicts, on raw inputs, with the class names', async () => {
    const r = await page.evaluate(async ([where, points]) => {
      const { Matrix, Network } = (window as unknown as { lib: Lib }).lib;
      const net = await Network.load(where);
      const X = Matrix.from(points);
      let missing = '';
      try {
        await Network.load(new URL('none.safetensors', where).href);
      } catch (e) {
        missing = (e as Error).message;
      }
      return { AL: Array.from(net.forward(X).data), classes: net.predictClasses(X), missing };
    }, [`${url}models/served.safetensors`, POINTS] as const);
    const X = (await import('../../src/matrix.js')).Matrix.from(POINTS);
    expect(r.AL).toEqual(Array.from(served.forward(X).data));
    expect(r.classes).toEqual(served.predictClasses(X));
    expect(r.missing).toBe(`${url}models/none.safetensors: HTTP 404 Not Found`);
  });
});
