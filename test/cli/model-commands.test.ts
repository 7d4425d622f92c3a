import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCat } from '../../src/data/cat.js';
import type { Dataset } from '../../src/data/dataset.js';
import { Network } from '../../src/nn/network.js';
import { deepnet as cli } from '../helpers/cli.js';

let test: Dataset;
const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-model-'));
const model = join(dir, 'cat.safetensors');
let trained: { layerDims: number[]; costs: [number, number][]; testAccuracy: number; model: string };

const TRAIN = ['train', '--layers', '4', '--iterations', '30', '--print-every', '10', '--lr', '0.01', '--seed', '1'];

function json<T>(args: string[]): T {
  const r = cli(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  test = (await loadCat()).test;
  trained = json([...TRAIN, '--out', model, '--json']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train --out / --resume', () => {
  it('writes the model and names it in the JSON result', () => {
    expect(trained.model).toBe(model);
    expect(trained.layerDims).toEqual([12288, 4, 1]);
    const net = Network.fromBytes(readFileSync(model));
    expect(net.classes).toEqual(['non-cat', 'cat']);
    expect(net.evaluate(test.X, test.Y)).toBe(trained.testAccuracy);
  });

  it('two processes with the same seed write byte-identical files', () => {
    const again = join(dir, 'again.safetensors');
    json([...TRAIN, '--out', again, '--json']);
    expect(readFileSync(again).equals(readFileSync(model))).toBe(true);
  });

  it('30 iterations, saved, then 20 resumed = 50 in one go, cost for cost', () => {
    const straight = json<{ costs: [number, number][] }>([...TRAIN.slice(0, 3), '--iterations', '50', '--print-every', '10', '--lr', '0.01', '--json']);
    // Flags the model decides may be given with the model's own values.
    const resumed = json<{ costs: [number, number][]; layerDims: number[] }>([
      'train', '--resume', model, '--iterations', '20', '--print-every', '10', '--lr', '0.01', '--layers', '4', '--dtype', 'float64', '--cost', 'bce', '--json',
    ]);
    expect(resumed.layerDims).toEqual([12288, 4, 1]);
    const byIteration = new Map(straight.costs);
    // The cat data train the first layer in Gram form, which a resumed run starts afresh from the saved W[1]
    // (s·W0 + U·Xᵀ, summed in another order): the same costs to rounding, not to the bit.
    expect(resumed.costs.map(([i]) => i)).toEqual([0, 10, 19]);
    for (const [i, J] of resumed.costs) expect(Math.abs(J - byIteration.get(30 + i)!) / J, `iteration ${30 + i}`).toBeLessThan(1e-12);
  });

  it('a flag the resumed model decides, given another value, is refused: not dropped without a word', () => {
    const cases: [string[], RegExp][] = [
      [['--layers', '9,9'], /^deepnet: error: --layers 9,9: the resumed model .*cat\.safetensors has hidden layers 4; a resumed run keeps its layers, activations, cost and dtype \(drop --layers, or train a new model without --resume\)$/],
      [['--hidden', 'tanh'], /--hidden tanh: the resumed model .* has hidden activation relu;/],
      [['--output', 'softmax'], /--output softmax: the resumed model .* has output sigmoid;/],
      [['--cost', 'mse'], /--cost mse: the resumed model .* has cost bce;/],
      [['--dtype', 'float32'], /--dtype float32: the resumed model .* has dtype float64;/],
      [['--seed', '1'], /--seed: a resumed run starts from the parameters in .*cat\.safetensors, so nothing is initialised \(drop --seed\)/],
      [['--init', 'he'], /--init: a resumed run starts from the parameters/],
      // A preset stands for its network.
      [['--preset', 'deep'], /--preset deep has hidden layers 20,7,5, but the resumed model .*cat\.safetensors has 4; .* \(drop --preset, or train a new model without --resume\)/],
      [['--preset', 'shallow'], /--preset shallow has hidden activation tanh, but the resumed model .* has relu;/],
    ];
    const before = readFileSync(model);
    for (const [flags, message] of cases) {
      const r = cli(['train', '--resume', model, '--iterations', '5', '--out', model, ...flags]);
      expect(r.stderr.trim(), flags.join(' ')).toMatch(message);
      expect(r.status, flags.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
    }
    expect(readFileSync(model).equals(before)).toBe(true);
  });
});

describe('eval', () => {
  it('--json: cost, accuracy and a confusion matrix that add up', () => {
    const r = json<{ m: number; cost: number; accuracy: number; confusion: number[][]; classes: string[] }>(['eval', '--model', model, '--json']);
    const net = Network.fromBytes(readFileSync(model));
    expect(r.m).toBe(50);
    expect(r.accuracy).toBe(trained.testAccuracy);
    expect(r.cost).toBeCloseTo(net.cost(test.X, test.Y), 14);
    expect(r.confusion.flat().reduce((a, b) => a + b)).toBe(50);
    expect((r.confusion[0]![0]! + r.confusion[1]![1]!) / 50).toBe(r.accuracy);
    const cats = Array.from(test.Y.data).filter((y) => y === 1).length;
    expect(r.confusion[1]![0]! + r.confusion[1]![1]!).toBe(cats);
    expect(r.classes).toEqual(['non-cat', 'cat']);
  });

  it('text output names the classes', () => {
    const r = cli(['eval', '--model', model]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Accuracy: 0\.\d+$/m);
    expect(r.stdout).toMatch(/^\s+non-cat\s+\d+\s+\d+$/m);
    expect(r.stdout).toContain('rows: true class');
  });
});

describe('predict', () => {
  it('--data: one prediction per sample, agreeing with the network', () => {
    const r = json<{ predictions: { sample: number; class: number; label: string; probability: number; output: number[] }[] }>([
      'predict', '--model', model, '--data', 'builtin:cat', '--json',
    ]);
    const AL = Network.fromBytes(readFileSync(model)).forward(test.X);
    expect(r.predictions).toHaveLength(50);
    r.predictions.forEach((p, j) => {
      expect(p.sample).toBe(j);
      expect(p.output[0]).toBe(AL.get(0, j));
      expect(p.class).toBe(AL.get(0, j) > 0.5 ? 1 : 0);
      expect(p.label).toBe(p.class ? 'cat' : 'non-cat');
      expect(p.probability).toBe(p.class ? AL.get(0, j) : 1 - AL.get(0, j));
    });
  });

  it('text: one tab-separated line per sample', () => {
    const lines = cli(['predict', '--model', model, '--data', 'builtin:cat']).stdout.trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(lines[0]).toMatch(/^0\t(cat|non-cat)\t0\.\d+$/);
  });

  it('--image: a 64x64 PNG of test image 0 predicts what the data set does', () => {
    const png = new PNG({ width: 64, height: 64 });
    for (let p = 0; p < 64 * 64; p++) {
      for (let c = 0; c < 3; c++) png.data[p * 4 + c] = Math.round(test.X.get(p * 3 + c, 0) * 255);
      png.data[p * 4 + 3] = 255;
    }
    const file = join(dir, 'cat0.png');
    writeFileSync(file, PNG.sync.write(png));
    const r = json<{ predictions: { sample: string; output: number[] }[] }>(['predict', '--model', model, '--image', file, '--json']);
    expect(r.predictions[0]!.sample).toBe(file);
    expect(r.predictions[0]!.output[0]).toBe(Network.fromBytes(readFileSync(model)).forward(test.X.sliceColumns(0, 1)).get(0, 0));
  });

  it('a model of another input size names both sizes', async () => {
    const small = join(dir, 'small.safetensors');
    await new Network({ layerDims: [5, 2, 1] }).save(small);
    const r = cli(['predict', '--model', small, '--data', 'builtin:cat']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('deepnet: error: builtin:cat (test) has 12288 features per sample but the model takes n_x = 5 (layerDims [5, 2, 1])\n');
    const img = cli(['predict', '--model', small, '--image', join(dir, 'cat0.png')]);
    expect(img.status).toBe(1);
    expect(img.stderr).toContain('n_x = 5 inputs, which is not a square RGB image');
  });

  it('neither or both of --data and --image is an error', () => {
    const r = cli(['predict', '--model', model]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('deepnet: error: predict: give either --data or --image (one of them)\n');
  });
});

describe('export --onnx', () => {
  it('runs in onnxruntime-web with the outputs of deepnet within 1e-5 on the cat test set', async () => {
    const onnx = join(dir, 'cat.onnx');
    const r = json<{ onnx: string; input: unknown[]; output: unknown[] }>(['export', model, '--onnx', onnx, '--json']);
    expect(r).toMatchObject({ onnx, input: ['batch', 12288], output: ['batch', 1] });
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    expect(session.inputNames).toEqual(['X']);
    const rows = Float32Array.from(test.X.T.data); // (m, n_x): ONNX takes samples as rows
    const out = await session.run({ X: new ort.Tensor('float32', rows, [50, 12288]) });
    const got = out.probabilities!.data as Float32Array;
    const AL = Network.fromBytes(readFileSync(model)).forward(test.X);
    let worst = 0;
    for (let j = 0; j < 50; j++) worst = Math.max(worst, Math.abs(got[j]! - AL.get(0, j)));
    expect(worst).toBeLessThan(1e-5);
    // The outputs spread out enough for the comparison to mean something.
    expect(Math.max(...AL.data) - Math.min(...AL.data)).toBeGreaterThan(0.05);
  });
});

describe('gradcheck', () => {
  it('--json: the course check passes on a ReLU network', () => {
    const r = json<{ layerDims: number[]; difference: number; verdict: string; parameters: number }>(['gradcheck', '--layers', '5,3', '--json']);
    expect(r.layerDims).toEqual([4, 5, 3, 1]);
    expect(r.parameters).toBe(5 * 4 + 5 + 3 * 5 + 3 + 3 + 1);
    expect(r.difference).toBeLessThan(1e-7);
    expect(r.verdict).toBe('good');
  });

  it('--data with a softmax output: a random batch of the data, labels one-hot', () => {
    const r = json<{ layerDims: number[]; m: number; verdict: string }>(['gradcheck', '--layers', '5', '--data', 'builtin:spiral', '--output', 'softmax', '--cost', 'ce', '--samples', '6', '--json']);
    expect(r).toMatchObject({ layerDims: [2, 5, 3], m: 6, verdict: 'good' });
  });

  it("ReLU's kink: a spiral point at the origin puts z = 0 exactly, and the check says why it may fail", () => {
    // With seed 40, np.random.permutation(300)[:4] is [200, 272, 256, 266]: sample 200 is (0, 0), so Z1 = b1 = 0.
    const r = cli(['gradcheck', '--layers', '5', '--data', 'builtin:spiral', '--output', 'softmax', '--cost', 'ce', '--samples', '4', '--seed', '40']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('bug: there is a mistake in backward propagation (difference >= 2e-7)');
    expect(r.stdout).toMatch(/note: ReLU has a kink at z = 0 .* if b1 sits on one, try --hidden tanh/);
    const tanh = json<{ verdict: string }>(['gradcheck', '--layers', '5', '--hidden', 'tanh', '--data', 'builtin:spiral', '--output', 'softmax', '--cost', 'ce', '--samples', '4', '--seed', '40', '--json']);
    expect(tanh.verdict).toBe('good');
  });

  it('text output with tanh hidden layers and MSE', () => {
    const r = cli(['gradcheck', '--layers', '4', '--hidden', 'tanh', '--output', 'linear', '--cost', 'mse', '--outputs', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^relative difference: \d/m);
    expect(r.stdout).toContain('good: backward propagation works');
  });
});

describe('usage and errors', () => {
  for (const cmd of ['eval', 'predict', 'gradcheck', 'export', 'train']) {
    it(`${cmd} --help shows an example and exits 0`, () => {
      const r = cli([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Examples:\n  $ deepnet ${cmd}`);
    });
  }

  it('a missing required flag is bad usage (exit 2)', () => {
    const r = cli(['eval']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("required option '--model <file>' not specified");
  });

  it('a malformed model file is one line naming the file', () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, readFileSync(model).subarray(0, 100));
    const r = cli(['eval', '--model', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^deepnet: error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: header length \\d+ runs past the end of the file \\(100 bytes\\): the file is truncated\\n$`));
  });

  it('a missing model file is one line', () => {
    const r = cli(['export', join(dir, 'nope.safetensors'), '--onnx', join(dir, 'x.onnx')]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('no such file');
  });
});
