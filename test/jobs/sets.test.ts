import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { JOB_VERSION, type TrainJob } from '../../src/jobs/payload.js';
import { prepareJob } from '../../src/jobs/sets.js';

// A queue worker maps a job's labels as the local command does: a train run through its training
// set's classes, a tune's trial through the classes the submitting tune found.

const dir = mkdtempSync(join(tmpdir(), 'deepnet-job-sets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, labels: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, ['a,b,y', ...labels.map((y, i) => `${i},${i % 3},${y}`)].join('\n') + '\n');
  return path;
}

const job = (kind: 'trial' | 'train', data: string, validation: string | null, classes: (number | string)[] | null): TrainJob => ({
  version: JOB_VERSION,
  kind,
  data,
  validation,
  xKey: null,
  yKey: null,
  label: null,
  dtype: 'float64',
  backend: 'reference',
  trial: { trial: 0, learningRate: 0.1, layers: [2], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, iterations: 1, classes },
  given: [],
  returnModel: false,
  modelPath: null,
});

describe('prepareJob', () => {
  it('a train job on labels 5/7: classes [5, 7], 0/1 targets', async () => {
    const { sets, trial } = await prepareJob(job('train', csv('57.csv', [5, 7, 7, 5, 5]), null, null));
    expect(trial.classes).toEqual([5, 7]);
    expect(Array.from(sets.Y.data)).toEqual([0, 1, 1, 0, 0]);
  });

  it("a trial whose data now hold a label the tune's classes lack fails, naming the label and the file", async () => {
    const data = csv('changed.csv', [0, 1, 2, 1, 0]);
    const validation = csv('v.csv', [0, 1]);
    await expect(prepareJob(job('trial', data, validation, [0, 1]))).rejects.toThrow(DataError);
    await expect(prepareJob(job('trial', data, validation, [0, 1]))).rejects.toThrow(/changed\.csv: sample 2 has label 2, which is not one of the model's classes \(0, 1\)/);
  });
});
