import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitStandardization, applyNormalization } from '../../src/data/normalize.js';
import { linearForward } from '../../src/nn/layer.js';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { loadFixture } from '../helpers/fixtures.js';

// What a user of Network hands it: inputs of either dtype, raw (unnormalised) features, class
// indices; and the model file's normalisation and classes applied after a load.

const f = loadFixture('deep_small');
const X = Matrix.from(f.X);
const Y = Matrix.from(f.Y);

describe('Network takes inputs of either float dtype', () => {
  it('a float32 network trains on float64 data to the costs of float32 data, bit for bit', () => {
    const cast = new Network({ layerDims: f.layerDims, dtype: 'float32' }).fit(X, Y, { learningRate: 0.1, iterations: 20 });
    const native = new Network({ layerDims: f.layerDims, dtype: 'float32' }).fit(X.astype('float32'), Y.astype('float32'), { learningRate: 0.1, iterations: 20 });
    expect(cast).toEqual(native);
  });

  it('a float64 network evaluates float32 data, and predict, forward and cost cast too', () => {
    const net = new Network({ layerDims: f.layerDims });
    net.fit(X, Y, { learningRate: f.learningRate, iterations: 100 });
    const X32 = X.astype('float32');
    const Y32 = Y.astype('float32');
    expect(net.evaluate(X32, Y32)).toBe(net.evaluate(X.astype('float32').astype('float64'), Y));
    expect(net.predict(X32).dtype).toBe('float64');
    expect(net.forward(X32).toArray()).toEqual(net.forward(X32.astype('float64')).toArray());
    expect(net.cost(X32, Y)).toBe(net.cost(X32.astype('float64'), Y));
    // Mini-batch training (the options loop) casts the same way.
    const adam = new Network({ layerDims: f.layerDims, dtype: 'float32' }).fit(X, Y, { learningRate: 0.01, epochs: 3, batchSize: 4, optimizer: 'adam' });
    expect(adam).toHaveLength(3);
    expect(adam.every(Number.isFinite)).toBe(true);
  });

  it('the building blocks keep their strict dtype check', () => {
    const W = Matrix.zeros(4, 6, 'float32');
    expect(() => linearForward(X, W, Matrix.zeros(4, 1, 'float32'), 1)).toThrow(/W\[1\] is float32 but A\[0\] \(= X\) is float64/);
  });
});

describe('Network applies its normalisation and classes', () => {
  // Features on very different scales, as a CSV would have them.
  const raw = Matrix.from(f.X.map((row: number[], i: number) => row.map((v) => v * 10 ** i + 100 * i)));

  it('fit, predict and evaluate take raw X when normalization is set; a loaded model does the same', () => {
    const normalization = fitStandardization(raw);
    const normalized = applyNormalization(raw, normalization);
    const plain = new Network({ layerDims: f.layerDims });
    const costsPlain = plain.fit(normalized, Y, { learningRate: 0.1, iterations: 40 });
    const net = new Network({ layerDims: f.layerDims });
    net.normalization = normalization;
    expect(net.fit(raw, Y, { learningRate: 0.1, iterations: 40 })).toEqual(costsPlain);
    expect(net.forward(raw).toArray()).toEqual(plain.forward(normalized).toArray());

    const loaded = Network.fromBytes(net.toBytes());
    expect(loaded.normalization).toEqual(normalization);
    expect(loaded.forward(raw).toArray()).toEqual(plain.forward(normalized).toArray());
    expect(loaded.predict(raw).toArray()).toEqual(plain.predict(normalized).toArray());
    expect(loaded.evaluate(raw, Y)).toBe(plain.evaluate(normalized, Y));
    expect(loaded.cost(raw, Y)).toBe(plain.cost(normalized, Y));
    // Without the stored statistics the raw features saturate the network: the outputs differ.
    expect(plain.forward(raw).toArray()).not.toEqual(loaded.forward(raw).toArray());
  });

  it('predictClasses names each prediction by the model file\'s classes', () => {
    const net = new Network({ layerDims: f.layerDims });
    net.fit(X, Y, { learningRate: f.learningRate, iterations: 100 });
    net.classes = ['non-cat', 'cat'];
    const loaded = Network.fromBytes(net.toBytes());
    const expected = Array.from(net.predict(X).data, (k) => (k === 1 ? 'cat' : 'non-cat'));
    expect(loaded.predictClasses(X)).toEqual(expected);
    loaded.classes = null;
    expect(loaded.predictClasses(X)).toEqual(expected.map((c) => (c === 'cat' ? '1' : '0')));
    const regression = new Network({ layerDims: [6, 1], output: 'linear', cost: 'mse' });
    expect(() => regression.predictClasses(X)).toThrow(/predictClasses: a network with a linear output of 1 units predicts values, not classes/);
  });

  it('a softmax network takes class indices (1, m) as Y, as well as one-hot columns', () => {
    const net = new Network({ layerDims: [6, 5, 3], output: 'softmax', cost: 'ce' });
    const indices = Matrix.from([[0, 1, 2, 0, 1, 2, 0, 1, 2, 0]]);
    const oneHot = Matrix.zeros(3, 10);
    indices.data.forEach((k, j) => oneHot.set(k, j, 1));
    expect(net.cost(X, indices)).toBe(net.cost(X, oneHot));
    const a = new Network({ layerDims: [6, 5, 3], output: 'softmax', cost: 'ce' }).fit(X, indices, { learningRate: 0.5, iterations: 30 });
    const b = new Network({ layerDims: [6, 5, 3], output: 'softmax', cost: 'ce' }).fit(X, oneHot, { learningRate: 0.5, iterations: 30 });
    expect(a).toEqual(b);
    net.classes = ['setosa', 'versicolor', 'virginica'];
    expect(net.evaluate(X, indices)).toBe(net.evaluate(X, oneHot));
    expect(net.predictClasses(X).every((c) => net.classes!.includes(c))).toBe(true);
    expect(() => net.evaluate(X, Matrix.from([[0, 1, 2, 0, 1, 3, 0, 1, 2, 0]]))).toThrow(/evaluate: Y \(1, 10\) holds class indices, but sample 5 has 3; this network has classes 0\.\.2/);
  });
});

describe('Network.load and save: paths and URLs', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const net = new Network({ layerDims: [6, 3, 1], seed: 3 });
  net.normalization = { mean: [1, 2, 3, 4, 5, 6], std: [1, 2, 3, 4, 5, 6] };
  net.classes = ['no', 'yes'];
  const bytes = net.toBytes();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deepnet-load-'));
    server = createServer((req, res) => {
      if (req.url === '/model.safetensors') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      } else if (req.url === '/broken.safetensors') {
        res.end(bytes.subarray(0, 20));
      } else {
        res.writeHead(404, 'Not Found');
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads an http:// URL by fetch, with its normalisation and classes', async () => {
    const loaded = await Network.load(`${base}/model.safetensors`);
    expect(loaded.toBytes()).toEqual(bytes);
    expect(loaded.classes).toEqual(['no', 'yes']);
    const viaUrl = await Network.load(new URL(`${base}/model.safetensors`));
    expect(viaUrl.forward(X).toArray()).toEqual(net.forward(X).toArray());
  });

  it('names the URL in what goes wrong', async () => {
    await expect(Network.load(`${base}/missing.safetensors`)).rejects.toThrow(new RegExp(`^${base}/missing.safetensors: HTTP 404 Not Found$`));
    await expect(Network.load(`${base}/broken.safetensors`)).rejects.toThrow(new RegExp(`^${base}/broken.safetensors: `));
    await expect(Network.load('http://127.0.0.1:1/model.safetensors')).rejects.toThrow(/^http:\/\/127\.0\.0\.1:1\/model\.safetensors: cannot fetch/);
  });

  it('a missing file is "no such file", a folder is named as one', async () => {
    await expect(Network.load(join(dir, 'nope.safetensors'))).rejects.toThrow(/nope\.safetensors: no such file$/);
    await expect(Network.load(dir)).rejects.toThrow(/is a folder, not a model file$/);
    const path = join(dir, 'm.safetensors');
    writeFileSync(path, bytes);
    expect((await Network.load(path)).toBytes()).toEqual(bytes);
    await net.save(join(dir, 'saved.safetensors'));
    expect((await Network.load(new URL(`file://${join(dir, 'saved.safetensors')}`))).toBytes()).toEqual(bytes);
  });

  it('browser storage outside a browser is an error that says so', async () => {
    await expect(net.save('indexeddb://m')).rejects.toThrow(/^indexeddb:\/\/m: IndexedDB is not available here/);
    await expect(Network.load('indexeddb://m')).rejects.toThrow(/^indexeddb:\/\/m: IndexedDB is not available here/);
    await expect(net.save('downloads://m')).rejects.toThrow(/^downloads:\/\/m: downloads:\/\/ needs a page/);
    await expect(Network.load('downloads://m')).rejects.toThrow(/downloads:\/\/ only saves/);
    await expect(net.save('indexeddb://a/b')).rejects.toThrow(/a model name must be 1 to 200 printable characters without \/ or \\/);
  });
});
