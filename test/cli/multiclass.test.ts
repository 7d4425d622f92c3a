import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix.js';
import { Network } from '../../src/nn/network.js';
import { deepnet as cli } from '../helpers/cli.js';

// A softmax model of K = 3 classes through the whole loop: train, eval, predict, export.
const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-multiclass-'));
const model = join(dir, 'spiral.safetensors');
let testAccuracy: number;

beforeAll(() => {
  const r = cli(['train', '--data', 'builtin:spiral', '--layers', '20', '--output', 'softmax', '--cost', 'ce', '--iterations', '300', '--lr', '1', '--out', model, '--json']);
  expect(r.status, r.stderr).toBe(0);
  testAccuracy = (JSON.parse(r.stdout) as { testAccuracy: number }).testAccuracy;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('softmax model (builtin:spiral, K = 3)', () => {
  it('eval: a 3 x 3 confusion matrix whose diagonal is the accuracy', () => {
    const r = cli(['eval', '--model', model, '--data', 'builtin:spiral', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as { m: number; accuracy: number; confusion: number[][] };
    expect(e.accuracy).toBe(testAccuracy);
    expect(e.accuracy).toBeGreaterThan(0.6);
    expect(e.confusion).toHaveLength(3);
    expect(e.confusion.flat().reduce((a, b) => a + b)).toBe(e.m);
    expect((e.confusion[0]![0]! + e.confusion[1]![1]! + e.confusion[2]![2]!) / e.m).toBeCloseTo(e.accuracy, 12);
  });

  it('predict: the argmax class with its softmax probability', () => {
    const r = cli(['predict', '--model', model, '--data', 'builtin:spiral', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const { predictions } = JSON.parse(r.stdout) as { predictions: { class: number; probability: number; output: number[] }[] };
    for (const p of predictions.slice(0, 20)) {
      expect(p.output.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      expect(p.probability).toBe(Math.max(...p.output));
      expect(p.class).toBe(p.output.indexOf(p.probability));
    }
  });

  it('export: ONNX Softmax over the units of each row, as deepnet computes', async () => {
    const onnx = join(dir, 'spiral.onnx');
    expect(cli(['export', model, '--onnx', onnx]).status).toBe(0);
    const net = Network.fromBytes(readFileSync(model));
    const X = [[0.1, -0.5, 0.9], [0.3, 0.2, -0.7]];
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from([0.1, 0.3, -0.5, 0.2, 0.9, -0.7]), [3, 2]) });
    const got = out.probabilities!.data as Float32Array;
    const AL = net.forward(Matrix.from(X));
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) expect(Math.abs(got[j * 3 + k]! - AL.get(k, j))).toBeLessThan(1e-5);
  });
});
