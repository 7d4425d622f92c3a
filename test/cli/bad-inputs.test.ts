import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { deepnet } from '../helpers/cli.js';

// Each command fed bad flags and files: the exit code, one line on stderr naming the flag or file,
// no stack, and nothing written (the folder holds what it held, each file its bytes).
const dir = mkdtempSync(join(tmpdir(), 'deepnet-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

const csv = 'a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n';
writeFileSync(at('data.csv'), csv);
symlinkSync('data.csv', at('link.csv'));
writeFileSync(at('model.safetensors'), new Network({ layerDims: [2, 3, 1] }).toBytes());
const nan = new Network({ layerDims: [2, 3, 1] }).toBytes();
writeFileSync(at('nan.safetensors'), nan.map((b, i) => (i === nan.length - 1 ? 0xff : i === nan.length - 2 ? 0xff : b)));
writeFileSync(at('bad.h5'), 'not an hdf5 file');
mkdirSync(at('folder'));
writeFileSync(at('notes.txt'), 'x');

type Case = [command: string, args: string[], code: number, stderr: RegExp];
const M = at('model.safetensors');
const CASES: Case[] = [
  ['train', ['--data', at('data.csv'), '--out', at('data.csv'), '--iterations', '1', '--layers', '2'], 1, /--out ".*data\.csv": is the same file as/],
  ['train', ['--data', at('link.csv'), '--out', at('data.csv'), '--iterations', '1'], 1, /is the same file as/],
  ['train', ['--data', at('data.csv'), '--out', '', '--iterations', '1'], 1, /--out: an empty file name/],
  ['train', ['--data', at('data.csv'), '--out', at('folder'), '--iterations', '1'], 1, /is a folder; give a file name/],
  ['train', ['--data', at('data.csv'), '--out', at('none/m.safetensors'), '--iterations', '1'], 1, /folder .*none does not exist/],
  ['train', ['--data', at('data.csv'), '--plot', at('data.csv'), '--iterations', '1'], 1, /expected a \.svg or \.png|same file/],
  ['train', ['--data', at('data.csv'), '--plot', at('folder/x.svg'), '--out', at('folder/x.svg'), '--iterations', '1'], 1, /same file/],
  ['train', ['--data', at('data.csv'), '--layers', '1000000000', '--iterations', '1'], 1, /needs about .*B/],
  ['train', ['--data', at('missing.csv')], 1, /missing\.csv: no such file/],
  ['train', ['--data', at('folder') + '/x.h5'], 1, /x\.h5: no such file/],
  ['train', ['--data', at('bad.h5')], 1, /bad\.h5: not a readable HDF5 file/],
  ['train', ['--data', at('data.csv'), '--resume', at('nan.safetensors'), '--iterations', '1'], 1, /nan\.safetensors: tensor .* is NaN/],
  // An empty name is no file, not no model (it trained a new one).
  ['train', ['--data', at('data.csv'), '--resume', '', '--iterations', '1', '--out', at('m.safetensors')], 1, /^deepnet: error: --resume: an empty file name\n$/],
  ['train', ['--data', at('data.csv'), '--resume', M, '--normalize', 'standard', '--iterations', '1'], 1, /--normalize: a resumed model keeps the normalisation/],
  ['eval', ['--model', at('folder'), '--data', at('data.csv')], 1, /--model .*folder: is a folder/],
  ['eval', ['--model', at('none.safetensors'), '--data', at('data.csv')], 1, /--model .*none\.safetensors: no such file/],
  ['eval', ['--model', at('notes.txt'), '--data', at('data.csv')], 1, /notes\.txt: is 1 bytes long/],
  ['eval', ['--model', at('nan.safetensors'), '--data', at('data.csv')], 1, /is NaN: a model with NaN/],
  ['predict', ['--model', M, '--image', at('notes.txt')], 1, /notes\.txt|not a square RGB/],
  ['predict', ['--model', M, '--data', at('missing.csv')], 1, /missing\.csv: no such file/],
  ['export', [M, '--onnx', M], 1, /--onnx ".*model\.safetensors": is the same file as/],
  ['export', [M, '--onnx', at('folder')], 1, /--onnx .*: is a folder/],
  ['export', [M, '--onnx', at('none/m.onnx')], 1, /does not exist/],
  ['export', [at('none.safetensors'), '--onnx', at('m.onnx')], 1, /model .*none\.safetensors: no such file/],
  ['gradcheck', ['--data', at('missing.csv')], 1, /missing\.csv: no such file/],
  ['gradcheck', ['--data', at('bad.h5')], 1, /bad\.h5/],
  ['tune', ['--data', at('data.csv'), '--results', at('data.csv')], 1, /--results ".*data\.csv": is the same file as/],
  ['tune', ['--data', at('data.csv'), '--results', at('folder')], 1, /is a folder/],
  ['tune', ['--data', at('data.csv'), '--results', ''], 1, /--results: an empty file name/],
  ['shapes', ['--layers', 'x'], 2, /--layers <sizes>' argument 'x' is invalid/],
  // Number() reads 0x10 as 16: a learning rate nobody meant.
  ['train', ['--data', at('data.csv'), '--lr', '0x10'], 2, /--lr <alpha>' argument '0x10' is invalid. expected a finite number > 0/],
  ['tune', ['--data', at('data.csv'), '--lr', '0.1,0b1'], 2, /--lr <list>' argument '0.1,0b1' is invalid/],
  // The kernels run on at most 24 threads: 40 was taken and run on 24 without a word.
  ['train', ['--data', at('data.csv'), '--threads', '40', '--iterations', '1', '--out', at('m.safetensors')], 2, /--threads <n>' argument '40' is invalid. expected a whole number of threads from 1 to 24, got "40"/],
  ['train', ['--data', at('data.csv'), '--threads', '0', '--iterations', '1'], 2, /--threads <n>' argument '0' is invalid. expected a whole number of threads from 1 to 24/],
  ['train', ['--data', at('data.csv'), '--lambd', '0o7'], 2, /--lambd <l>' argument '0o7' is invalid/],
  ['worker', [], 1, /worker needs --queue/],
  ['jobs', ['status'], 1, /jobs needs --queue/],
  ['train', ['--worker-out', at('m.safetensors')], 1, /--worker-out needs --queue/],
  // A flag given twice: not its last value kept in silence (nothing trains, nothing is written).
  ['train', ['--data', at('data.csv'), '--lr', '0.1', '--out', at('m.safetensors'), '--lr', '0.2'], 2, /option '--lr <alpha>' was given twice \("0\.1", then "0\.2"\): give it once/],
  ['eval', ['--model', M, '--data', at('data.csv'), '--data=' + at('data.csv')], 2, /option '--data <file\|builtin:NAME>' was given twice/],
  ['tune', ['--data', at('data.csv'), '--lr', '0.1,0.2', '--lr', '0.3'], 2, /option '--lr <list>' was given twice \("0\.1,0\.2", then "0\.3"\)/],
  ['worker', ['--concurrency', '1', '--concurrency', '2'], 2, /option '--concurrency <n>' was given twice/],
];

describe('bad flags and files, per command: one line, no stack, nothing written', () => {
  const counts: Record<string, number> = {};
  for (const [command, args, code, stderr] of CASES) {
    counts[command] = (counts[command] ?? 0) + 1;
    it(`${command} ${args.map((a) => a.replace(dir, '.')).join(' ')}`, () => {
      const before = readdirSync(dir).sort().map((f) => [f, f === 'folder' ? readdirSync(at(f)).join() : readFileSync(at(f)).toString('base64')]);
      const r = deepnet([command, ...args], { cwd: dir, timeout: 60_000 });
      expect(r.stderr).toMatch(stderr);
      // One line; commander's usage errors (exit 2) add its hint of --help on a second.
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.length, r.stderr).toBe(code === 2 ? 2 : 1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(code);
      const after = readdirSync(dir).sort().map((f) => [f, f === 'folder' ? readdirSync(at(f)).join() : readFileSync(at(f)).toString('base64')]);
      expect(after).toEqual(before);
    });
  }
  it('counts', () => expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(CASES.length));
});
