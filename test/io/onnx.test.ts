import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { pythonWith } from '../helpers/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeOnnx, exportOnnx } from '../../src/io/onnx.js';
import { Matrix } from '../../src/matrix.js';
import type { ActivationName } from '../../src/nn/activations.js';
import { Network } from '../../src/nn/network.js';
import { NumpyRandom } from '../../src/random.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function onnxOf(net: Network): Uint8Array {
  const { layerDims, activations, leakySlope } = net.config;
  return exportOnnx(net.parameters, { layerDims, activations, leakySlope, classes: net.classes });
}

async function runOnnx(bytes: Uint8Array, X: Matrix): Promise<Float32Array> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from(X.T.data), [X.cols, X.rows]) });
  return out.probabilities!.data as Float32Array;
}

describe('ONNX export', () => {
  it('is a graph of Gemm (transB = 1) and activation nodes over X (batch, n_x)', () => {
    const net = new Network({ layerDims: [3, 4, 2, 1], hidden: 'leakyRelu', leakySlope: 0.05 });
    net.classes = ['a', 'b'];
    const model = decodeOnnx(onnxOf(net)) as any;
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ version: 13 }]);
    const g = model.graph;
    expect(g.node.map((n: any) => n.op_type)).toEqual(['Gemm', 'LeakyRelu', 'Gemm', 'LeakyRelu', 'Gemm', 'Sigmoid']);
    expect(g.node[0].input).toEqual(['X', 'W1', 'b1']);
    expect(g.node[0].attribute).toEqual([{ name: 'transB', i: 1, type: 2 }]);
    expect(g.node[1].attribute[0].f).toBeCloseTo(0.05, 7);
    expect(g.initializer.map((t: any) => [t.name, t.dims])).toEqual([['W1', [4, 3]], ['b1', [4]], ['W2', [2, 4]], ['b2', [2]], ['W3', [1, 2]], ['b3', [1]]]);
    expect(g.initializer[0].float_data).toEqual(Array.from(Float32Array.from(net.parameters.W1!.data)));
    expect(g.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 3 }]);
    expect(g.output[0].name).toBe('probabilities');
    expect(model.metadata_props).toContainEqual({ key: 'classes', value: '["a","b"]' });
  });

  it('the same network gives the same bytes', () => {
    const a = onnxOf(new Network({ layerDims: [3, 2, 1], seed: 4 }));
    const b = onnxOf(new Network({ layerDims: [3, 2, 1], seed: 4 }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  const cases: [string, { hidden?: ActivationName; output?: ActivationName; activations?: ActivationName[]; cost?: 'mse' | 'ce' }][] = [
    ['relu -> softmax (CE)', { output: 'softmax', cost: 'ce' }],
    ['relu -> sigmoid', {}],
    ['tanh -> sigmoid', { hidden: 'tanh' }],
    ['leakyRelu -> sigmoid', { hidden: 'leakyRelu' }],
    ['sigmoid, relu -> linear (MSE)', { activations: ['sigmoid', 'relu', 'linear'], cost: 'mse' }],
  ];
  for (const [name, opts] of cases) {
    it(`onnxruntime-web computes what deepnet computes: ${name}`, async () => {
      const net = new Network({ layerDims: [6, 8, 5, 2], seed: 2, init: 'he', ...opts });
      const rng = new NumpyRandom(7);
      const X = Matrix.fromTypedArray(rng.randn(6, 40), 6, 40);
      const got = await runOnnx(onnxOf(net), X);
      const AL = net.forward(X); // (2, 40); ONNX gives (40, 2)
      let worst = 0;
      for (let j = 0; j < 40; j++) for (let i = 0; i < 2; i++) worst = Math.max(worst, Math.abs(got[j * 2 + i]! - AL.get(i, j)));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

// The Python that has the onnx package (e.g. Debian's python3-onnx): DEEPNET_ONNX_PYTHON, else python3.
const onnxPython = pythonWith(['onnx'], process.env.DEEPNET_ONNX_PYTHON);
const python = onnxPython ?? 'python3';
const hasOnnx = onnxPython !== undefined;

describe.skipIf(!hasOnnx)("the onnx package's checker", () => {
  it('accepts the exported file', () => {
    const file = join(dir, 'net.onnx');
    writeFileSync(file, onnxOf(new Network({ layerDims: [5, 3, 1], hidden: 'tanh' })));
    const r = spawnSync(python, ['-c', 'import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print("ok")', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
});
