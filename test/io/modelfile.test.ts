import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/errors.js';
import { decodeModel, normalizeInput } from '../../src/io/modelfile.js';
import { DEEPNET_VERSION } from '../../src/io/version.js';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { NumpyRandom } from '../../src/random.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-modelfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomX(n: number, m: number, seed: number, dtype: 'float64' | 'float32'): Matrix {
  const rng = new NumpyRandom();
  rng.seed(seed);
  return Matrix.fromTypedArray(dtype === 'float64' ? Float64Array.from(rng.randn(n * m)) : Float32Array.from(rng.randn(n * m)), n, m);
}

describe('model file round trip', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: same parameters bit for bit, same predictions, same bytes again`, () => {
      const net = new Network({ layerDims: [6, 5, 4, 1], hidden: 'tanh', seed: 3, dtype });
      const X = randomX(6, 30, 7, dtype);
      const Y = Matrix.fromTypedArray(dtype === 'float64' ? new Float64Array(30) : new Float32Array(30), 1, 30);
      Y.data.forEach((_, j, a) => (a[j] = X.get(0, j) > 0 ? 1 : 0));
      net.fit(X, Y, { learningRate: 0.1, iterations: 20 });
      net.classes = ['no', 'yes'];
      const bytes = net.toBytes();
      const back = Network.fromBytes(bytes, 'mem');
      expect(back.config).toEqual(net.config);
      expect(back.classes).toEqual(['no', 'yes']);
      for (const [k, W] of Object.entries(net.parameters)) {
        expect(back.parameters[k]!.dtype).toBe(dtype);
        expect(Array.from(back.parameters[k]!.data), k).toEqual(Array.from(W.data));
      }
      expect(Array.from(back.forward(X).data)).toEqual(Array.from(net.forward(X).data));
      expect(back.evaluate(X, Y)).toBe(net.evaluate(X, Y));
      expect(Buffer.from(back.toBytes()).equals(Buffer.from(bytes))).toBe(true);
      // An ArrayBuffer (what fetch() gives a browser) works too.
      const copy = bytes.slice();
      expect(Network.fromBytes(copy.buffer).config.layerDims).toEqual([6, 5, 4, 1]);
    });
  }

  it('keeps leaky ReLU slope, MSE cost, normalisation and per-layer activations', () => {
    const net = new Network({ layerDims: [2, 3, 1], activations: ['leakyRelu', 'linear'], leakySlope: 0.2, cost: 'mse', seed: 5 });
    net.normalization = { mean: [1, -2], std: [0.5, 4] };
    const back = Network.fromBytes(net.toBytes());
    expect(back.config.activations).toEqual(['leakyRelu', 'linear']);
    expect(back.config.leakySlope).toBe(0.2);
    expect(back.config.cost).toBe('mse');
    expect(back.normalization).toEqual({ mean: [1, -2], std: [0.5, 4] });
    const X = Matrix.from([[3, 1], [2, -6]]);
    expect(normalizeInput(X, back.normalization).toArray()).toEqual([[4, 0], [1, -1]]);
  });

  it('keeps a softmax output with categorical cross-entropy', () => {
    const net = new Network({ layerDims: [3, 4, 3], output: 'softmax', cost: 'ce', seed: 6 });
    const back = Network.fromBytes(net.toBytes());
    expect(back.config.activations).toEqual(['relu', 'softmax']);
    expect(back.config.cost).toBe('ce');
    const X = randomX(3, 5, 2, 'float64');
    expect(Array.from(back.forward(X).data)).toEqual(Array.from(net.forward(X).data));
  });

  it('two networks trained the same way give byte-identical files (no timestamps)', () => {
    const make = () => {
      const net = new Network({ layerDims: [4, 3, 1], seed: 2 });
      const X = randomX(4, 10, 1, 'float64');
      const Y = Matrix.from([[0, 1, 0, 1, 1, 0, 0, 1, 1, 0]]);
      net.fit(X, Y, { iterations: 15, learningRate: 0.05 });
      return Buffer.from(net.toBytes());
    };
    expect(make().equals(make())).toBe(true);
  });

  it('the metadata names the format, its version and the deepnet version (equal to package.json)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(DEEPNET_VERSION).toBe(pkg.version);
    const bytes = new Network({ layerDims: [2, 1] }).toBytes();
    expect(decodeModel(bytes).deepnetVersion).toBe(pkg.version);
  });

  it('save and load through a file; resume training from the loaded network', async () => {
    const X = randomX(3, 12, 4, 'float64');
    const Y = Matrix.from([[0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0]]);
    const straight = new Network({ layerDims: [3, 4, 1], seed: 9 });
    const costs = straight.fit(X, Y, { iterations: 40, learningRate: 0.1 });

    const first = new Network({ layerDims: [3, 4, 1], seed: 9 });
    first.fit(X, Y, { iterations: 25, learningRate: 0.1 });
    const path = join(dir, 'half.safetensors');
    await first.save(path);
    const resumed = await Network.load(path);
    const rest = resumed.fit(X, Y, { iterations: 15, learningRate: 0.1 });
    // 25 + 15 iterations in two processes' worth of steps = 40 in one go, exactly.
    expect(rest).toEqual(costs.slice(25));
    expect(Array.from(resumed.parameters.W1!.data)).toEqual(Array.from(straight.parameters.W1!.data));
  });

  it('load names the file in its errors', async () => {
    const path = join(dir, 'junk.safetensors');
    writeFileSync(path, 'not a model');
    await expect(Network.load(path)).rejects.toThrow(ModelFileError);
    await expect(Network.load(path)).rejects.toThrow(`${path}: header length`);
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy, json'], { encoding: 'utf8' }).status === 0;

// The safetensors layout read and written with nothing but json and numpy, as in DESIGN.md.
const PY_READ = `
import json, sys
import numpy as np
b = open(sys.argv[1], 'rb').read()
n = int.from_bytes(b[:8], 'little')
h = json.loads(b[8:8 + n])
out = {}
for k, v in h.items():
    if k == '__metadata__':
        continue
    s, e = v['data_offsets']
    dt = {'F32': '<f4', 'F64': '<f8'}[v['dtype']]
    out[k] = {'dtype': v['dtype'], 'values': np.frombuffer(b[8 + n + s:8 + n + e], dtype=dt).reshape(v['shape']).astype(np.float64).tolist()}
print(json.dumps({'metadata': h['__metadata__'], 'tensors': out}))
`;

const PY_WRITE = `
import json, sys
import numpy as np
np.random.seed(3)
dims = [4, 3, 1]
params = {}
for l in range(1, len(dims)):
    params['W%d' % l] = np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
    params['b%d' % l] = np.random.randn(dims[l], 1) * 0.1
X = np.random.randn(4, 5)
A = X
for l in range(1, len(dims)):
    Z = params['W%d' % l].dot(A) + params['b%d' % l]
    A = np.maximum(0, Z) if l < len(dims) - 1 else 1 / (1 + np.exp(-Z))
config = {'layerDims': dims, 'activations': ['relu', 'sigmoid'], 'leakySlope': 0.01, 'cost': 'bce',
          'dtype': 'float64', 'init': 'xavier', 'seed': 3, 'normalization': None, 'classes': None}
header = {'__metadata__': {'format': 'deepnet', 'format_version': '1', 'deepnet_version': '0.0.0', 'config': json.dumps(config)}}
data = b''
for name in sorted(params):  # any order: offsets say where each tensor is
    raw = params[name].astype('<f8').tobytes()
    header[name] = {'dtype': 'F64', 'shape': list(params[name].shape), 'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
hb = json.dumps(header).encode('utf-8')
open(sys.argv[1], 'wb').write(len(hb).to_bytes(8, 'little') + hb + data)
print(json.dumps({'X': X.tolist(), 'AL': A.tolist(), 'W1': params['W1'].tolist()}))
`;

describe.skipIf(!hasNumpy)('Python interop (json + numpy only)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`numpy reads our ${dtype} file: the same arrays at the offsets`, async () => {
      const net = new Network({ layerDims: [5, 3, 2, 1], seed: 1, dtype });
      net.classes = ['non-cat', 'cat'];
      const path = join(dir, `ours-${dtype}.safetensors`);
      await net.save(path);
      const r = spawnSync('python3', ['-c', PY_READ, path], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const got = JSON.parse(r.stdout) as { metadata: Record<string, string>; tensors: Record<string, { dtype: string; values: number[][] }> };
      expect(got.metadata.format).toBe('deepnet');
      expect(JSON.parse(got.metadata.config!).classes).toEqual(['non-cat', 'cat']);
      expect(Object.keys(got.tensors).sort()).toEqual(['W1', 'W2', 'W3', 'b1', 'b2', 'b3']);
      for (const [k, M] of Object.entries(net.parameters)) {
        expect(got.tensors[k]!.dtype).toBe(dtype === 'float64' ? 'F64' : 'F32');
        expect(got.tensors[k]!.values, k).toEqual(M.toArray());
      }
    });
  }

  it('deepnet reads a file numpy wrote, and predicts what numpy computes', () => {
    const path = join(dir, 'numpy.safetensors');
    const r = spawnSync('python3', ['-c', PY_WRITE, path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const py = JSON.parse(r.stdout) as { X: number[][]; AL: number[][]; W1: number[][] };
    const net = Network.fromBytes(readFileSync(path), path);
    expect(net.config.layerDims).toEqual([4, 3, 1]);
    expect(net.parameters.W1!.toArray()).toEqual(py.W1);
    const AL = net.forward(Matrix.from(py.X));
    AL.toArray()[0]!.forEach((a, j) => expect(Math.abs(a - py.AL[0]![j]!)).toBeLessThan(1e-15));
  });
});
