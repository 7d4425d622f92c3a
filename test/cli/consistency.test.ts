import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costCurveSvg } from '../../src/cli/plot.js';
import { Network } from '../../src/nn/network.js';
import { deepnet as cli } from '../helpers/cli.js';

// The commands say the same thing the same way: a missing model file, --model, one default per flag.

const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-consistency-'));
const model = join(dir, 'm.safetensors');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await new Network({ layerDims: [2, 3, 1], seed: 2 }).save(model);
});


describe('a missing model file', () => {
  for (const args of [
    ['eval', '--model', 'nope.safetensors'],
    ['predict', '--model', 'nope.safetensors', '--data', 'builtin:xor'],
    ['export', '--model', 'nope.safetensors', '--onnx', 'x.onnx'],
    ['export', 'nope.safetensors', '--onnx', 'x.onnx'],
    ['train', '--resume', 'nope.safetensors', '--data', 'builtin:xor'],
  ]) {
    it(`${args[0]} ${args[1]}: "no such file", exit 1, naming the flag and the file`, () => {
      const r = cli(args, { cwd: dir });
      const flag = args[0] === 'train' ? '--resume' : '--model';
      expect(r.stderr).toBe(`deepnet: error: ${flag} nope.safetensors: no such file\n`);
      expect(r.status).toBe(1);
    });
  }
  it('a folder given as the model is named as one', () => {
    const r = cli(['eval', '--model', dir]);
    expect(r.stderr).toBe(`deepnet: error: --model ${dir}: is a folder, expected a file\n`);
    expect(r.status).toBe(1);
  });
});

describe('export --model', () => {
  it('takes --model like eval and predict, and the positional form gives the same file', () => {
    const a = cli(['export', '--model', model, '--onnx', join(dir, 'a.onnx'), '--json']);
    expect(a.stderr).toBe('');
    expect(JSON.parse(a.stdout)).toMatchObject({ model, onnx: join(dir, 'a.onnx'), input: ['batch', 2], output: ['batch', 1] });
    const b = cli(['export', model, '--onnx', join(dir, 'b.onnx')]);
    expect(b.status).toBe(0);
    expect(readFileSync(join(dir, 'a.onnx'))).toEqual(readFileSync(join(dir, 'b.onnx')));
  });

  it('no model, or two different ones, is bad usage (exit 2)', () => {
    const none = cli(['export', '--onnx', join(dir, 'c.onnx')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("required option '--model <file>' not specified");
    const two = cli(['export', model, '--model', 'other.safetensors', '--onnx', join(dir, 'c.onnx')]);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain(`the model is given twice (${model} and --model other.safetensors); give it once`);
  });
});

describe('help', () => {
  for (const cmd of ['train', 'tune']) {
    it(`${cmd} --output shows one default`, () => {
      const help = cli([cmd, '--help']).stdout.replace(/\s+/g, ' ');
      const output = help.slice(help.indexOf('--output <g>'), help.indexOf('--cost'));
      expect(output).toContain('(default: sigmoid for 2 classes, softmax for more)');
      expect(output.match(/default/g)).toHaveLength(1);
    });
  }
});

describe('cost curve', () => {
  it('a long run keeps each pixel column\'s lowest and highest cost: a one-iteration spike is drawn', () => {
    const points: [number, number][] = Array.from({ length: 20000 }, (_, i) => [i, 1 / (1 + i / 1000)]);
    points[12345] = [12345, 3];
    const svg = costCurveSvg(points, { height: 400 });
    const path = svg.match(/<path d="([^"]+)"/)![1]!;
    const ys = [...path.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys.length).toBeLessThan(4 * 640);
    // The spike (cost 3, the maximum, under the axis' 5% headroom) is drawn: y = 40 + (1 - 3 / 3.15) * 308.
    expect(Math.min(...ys)).toBeCloseTo(40 + (1 - 3 / 3.15) * 308, 1);
  });
});

