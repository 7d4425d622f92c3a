import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCsv } from '../../src/data/csv.js';
import { fitMinMax, fitStandardization } from '../../src/data/normalize.js';
import { planarDataset } from '../../src/data/planar.js';
import { Network } from '../../src/nn/network.js';
import { deepnet } from '../helpers/cli.js';
import { expectClose, loadFixture } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-cli-data-'));

interface Result {
  layerDims: number[];
  costs: [number, number][];
  trainAccuracy: number;
  testAccuracy: number | null;
}

function train(args: string[]): Result {
  const r = deepnet(['train', ...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Result;
}

describe('train --preset', () => {
  it('shallow on builtin:planar is the course week-3 run (fixture costs at 0 and 1000)', () => {
    const fx = loadFixture('week3_planar_shallow');
    const out = train(['--data', 'builtin:planar', '--preset', 'shallow', '--iterations', '1001', '--print-every', '1000', '--backend', 'reference']);
    expect(out.layerDims).toEqual([2, 4, 1]);
    expectClose(out.costs[0]![1], fx.costsViaDAL['0'], 1e-12, 'cost 0');
    expectClose(out.costs[1]![1], fx.costsViaDAL['1000'], 1e-9, 'cost 1000');
    expect(out.testAccuracy).not.toBeNull();
  });

  it('logistic on builtin:cat is the course week-2 run (fixture costs at 0 and 100)', () => {
    const fx = loadFixture('week2_logistic_cat');
    const out = train(['--preset', 'logistic', '--iterations', '101', '--print-every', '100', '--backend', 'reference']);
    expect(out.layerDims).toEqual([12288, 1]);
    expectClose(out.costs[0]![1], fx.costs['0'], 1e-12, 'cost 0');
    expectClose(out.costs[1]![1], fx.costs['100'], 1e-9, 'cost 100');
  });

  it('a flag the user gives beats the preset; an unknown preset is bad usage', () => {
    expect(train(['--data', 'builtin:planar', '--preset', 'shallow', '--layers', '6', '--iterations', '1']).layerDims).toEqual([2, 6, 1]);
    const r = deepnet(['train', '--preset', 'wide']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/expected one of logistic, shallow, deep/);
  });
});

describe('train --data routes', () => {
  it('K > 2 classes pick softmax + CE (builtin:gaussian, 3 blobs)', () => {
    const out = train(['--data', 'builtin:gaussian', '--layers', '5', '--lr', '0.5', '--iterations', '200']);
    expect(out.layerDims).toEqual([2, 5, 3]);
    expect(out.testAccuracy).toBeGreaterThan(0.8);
  });

  it('--output softmax alone brings its cost; two classes stay sigmoid + BCE', () => {
    expect(train(['--data', 'builtin:moons', '--layers', '3', '--output', 'softmax', '--iterations', '2']).layerDims).toEqual([2, 3, 2]);
    expect(train(['--data', 'builtin:moons', '--layers', '3', '--iterations', '2']).layerDims).toEqual([2, 3, 1]);
  });

  it('every generated built-in trains and has a test set', () => {
    for (const name of ['xor', 'circles', 'moons', 'spiral']) {
      const out = train(['--data', `builtin:${name}`, '--layers', '4', '--iterations', '2']);
      expect(out.layerDims[0], name).toBe(2);
      expect(out.testAccuracy, name).not.toBeNull();
    }
  });

  it('a CSV with string labels and --label', () => {
    const rows = Array.from({ length: 30 }, (_, j) => [['a', 'b', 'c'][j % 3]!, j % 3, (j * 7) % 5]);
    const path = join(dir, 'three.csv');
    writeFileSync(path, formatCsv(['kind', 'x1', 'x2'], rows));
    const out = train(['--data', path, '--label', 'kind', '--layers', '4', '--iterations', '300', '--lr', '0.5']);
    expect(out.layerDims).toEqual([2, 4, 3]);
    expect(out.trainAccuracy).toBe(1);
    const bad = deepnet(['train', '--data', path, '--label', 'nope']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/three.csv: no column named "nope" \(--label\); columns: kind, x1, x2/);
  });

  it('idx:FOLDER reads train-* for --data and t10k-* as the default test set', () => {
    const out = train(['--data', 'idx:data/fashion-mnist', '--layers', '8', '--iterations', '1']);
    expect(out.layerDims).toEqual([784, 8, 10]);
    expect(out.testAccuracy).not.toBeNull();
  });

  it('unknown built-ins and formats are one-line errors', () => {
    const r = deepnet(['train', '--data', 'builtin:iris']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown built-in data set "iris"; built-ins: builtin:cat, builtin:planar, .*builtin:fashion-mnist/);
    const t = deepnet(['train', '--data', 'table.tsv']);
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/cannot tell the format from the extension ".tsv"/);
  });

  it('--label on a file that is not CSV is an error', () => {
    const r = deepnet(['train', '--data', 'builtin:planar', '--label', 'y']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--label names a CSV column, but builtin:planar is not a .csv file/);
  });
});

describe('train --normalize', () => {
  it('keeps the training-set statistics in the model file', () => {
    const X = planarDataset().X;
    for (const [how, fit] of [['standard', fitStandardization], ['minmax', fitMinMax]] as const) {
      const model = join(dir, `${how}.safetensors`);
      train(['--data', 'builtin:planar', '--layers', '4', '--iterations', '2', '--normalize', how, '--out', model]);
      expect(Network.fromBytes(readFileSync(model)).normalization, how).toEqual(fit(X));
    }
    const r = deepnet(['train', '--normalize', 'zscore']);
    expect(r.status).toBe(2);
  });
});
