import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { parseCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';
import { classesOf, classIndices, fitOutputToLabels, MAX_CLASSES, modelClasses, type OutputChoice } from '../../src/experiment/labels.js';
import { Matrix } from '../../src/matrix.js';

// Labels -> classes -> output and cost: the distinct labels are the classes, whatever numbers hold them.

const set = (labels: number[], source = 'labels.csv', classes?: string[]): Dataset => ({
  X: Matrix.zeros(2, labels.length),
  Y: Matrix.from([labels]),
  classes,
  source,
});
const defaults = (): OutputChoice => ({ output: 'sigmoid', cost: 'bce' });
const typed = (...flags: string[]) => (flag: string) => flags.includes(flag);

function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('fitOutputToLabels', () => {
  it('labels 5/7: two classes, sigmoid + BCE on 0/1 targets', () => {
    const choice = defaults();
    const train = set([7, 5, 5, 7]);
    expect(fitOutputToLabels(choice, typed(), train, [])).toEqual([5, 7]);
    expect(choice).toEqual({ output: 'sigmoid', cost: 'bce' });
    expect(Array.from(train.Y.data)).toEqual([1, 0, 0, 1]);
  });

  it('labels -1/+1 train BCE on 0/1, never on -1', () => {
    const train = set([-1, 1, 1, -1]);
    expect(fitOutputToLabels(defaults(), typed(), train, [])).toEqual([-1, 1]);
    expect(Array.from(train.Y.data)).toEqual([0, 1, 1, 0]);
  });

  it('labels 5, 6, 7: three softmax units, no phantom classes', () => {
    const choice = defaults();
    const train = set([5, 6, 7, 6]);
    expect(fitOutputToLabels(choice, typed(), train, [])).toEqual([5, 6, 7]);
    expect(choice).toEqual({ output: 'softmax', cost: 'ce' });
    expect(train.Y.shape).toEqual([3, 4]);
    expect(train.Y.toArray()).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 1],
      [0, 0, 1, 0],
    ]);
  });

  it('a label of 1e9 is one more class, not a one-hot of a billion rows', () => {
    const train = set([0, 1, 1e9, 1]);
    expect(fitOutputToLabels(defaults(), typed(), train, [])).toEqual([0, 1, 1e9]);
    expect(train.Y.shape).toEqual([3, 4]);
  });

  it('classes sort numbers numerically, strings as text', () => {
    expect(classesOf(set([10, 9, 100, 9]))).toEqual([9, 10, 100]);
    expect(classesOf(parseCsv('x,y\n1,b\n2,B\n3,a\n', 'c.csv'))).toEqual(['B', 'a', 'b']);
  });

  it('one class is an error naming the file', () => {
    expect(dataError(() => fitOutputToLabels(defaults(), typed(), set([3, 3, 3], 'one.csv'), []))).toMatch(/^one\.csv: every sample has the label 3: one class; a classifier needs at least 2/);
  });

  it(`more than ${MAX_CLASSES} distinct labels are refused as real-valued targets`, () => {
    const labels = Array.from({ length: MAX_CLASSES + 1 }, (_, i) => i / 7);
    expect(dataError(() => fitOutputToLabels(defaults(), typed(), set(labels, 'r.csv'), []))).toMatch(/^r\.csv: 1001 distinct labels.*--cost mse --output linear/);
  });

  it('a forced --cost bce on three classes is an error (BCE needs targets in [0, 1])', () => {
    const message = dataError(() => fitOutputToLabels(defaults(), typed('cost'), set([0, 1, 2], 'k3.csv'), []));
    expect(message).toMatch(/^k3\.csv has 3 classes, but --output sigmoid with --cost bce trains one unit on targets in \[0, 1\]/);
  });

  it('--cost ce alone brings softmax, --output softmax alone brings CE', () => {
    const a = defaults();
    a.cost = 'ce';
    fitOutputToLabels(a, typed('cost'), set([0, 1, 0]), []);
    expect(a.output).toBe('softmax');
    const b: OutputChoice = { output: 'softmax', cost: 'bce' };
    const train = set([4, 9, 4]);
    fitOutputToLabels(b, typed('output'), train, []);
    expect(b.cost).toBe('ce');
    expect(train.Y.shape).toEqual([2, 3]);
  });

  it('regression (--cost mse, linear output) keeps the labels as they are', () => {
    const train = set([0.25, -3.5, 1e9]);
    expect(fitOutputToLabels({ output: 'linear', cost: 'mse' }, typed('output', 'cost'), train, [])).toBeNull();
    expect(Array.from(train.Y.data)).toEqual([0.25, -3.5, 1e9]);
  });

  it('the test set maps through the training set classes; a label they lack is named with both files', () => {
    const test = set([7, 5], 'test.csv');
    fitOutputToLabels(defaults(), typed(), set([5, 7, 7], 'train.csv'), [test]);
    expect(Array.from(test.Y.data)).toEqual([1, 0]);
    const bad = set([5, 6], 'bad.csv');
    expect(dataError(() => fitOutputToLabels(defaults(), typed(), set([5, 7], 'train.csv'), [bad]))).toBe(
      'bad.csv: sample 1 has label 6, which is not one of the classes of train.csv (5, 7)',
    );
  });

  it('CSV text classes are not numbered per file: a test file with 2 of the 3 classes maps by name', () => {
    const train = parseCsv('x,y\n1,cat\n2,dog\n3,emu\n', 'train.csv');
    const test = parseCsv('x,y\n1,emu\n2,dog\n', 'test.csv');
    // Numbered in its own file, emu would be 1 and dog 0.
    expect(Array.from(test.Y.data)).toEqual([1, 0]);
    fitOutputToLabels(defaults(), typed(), train, [test]);
    expect(test.Y.toArray()).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it("a label index outside the file's list_classes is a DataError naming the file", () => {
    const h5 = set([0, 1, 2], 'cat.h5', ['non-cat', 'cat']);
    expect(dataError(() => fitOutputToLabels(defaults(), typed(), h5, []))).toMatch(/^cat\.h5: sample 2 has label 2, but the file names 2 classes \("non-cat", "cat"\)/);
  });

  it('named classes keep the file order (the cat files: non-cat = 0, cat = 1) and numbers index them', () => {
    const train = set([1, 0, 1], 'train_catvnoncat.h5', ['non-cat', 'cat']);
    expect(fitOutputToLabels(defaults(), typed(), train, [])).toEqual(['non-cat', 'cat']);
    expect(Array.from(train.Y.data)).toEqual([1, 0, 1]);
    // A model of named classes on a file without names: the numbers index the names.
    expect(Array.from(classIndices(set([0, 1]), ['non-cat', 'cat'], 'the model').data)).toEqual([0, 1]);
    expect(dataError(() => classIndices(set([2]), ['non-cat', 'cat'], 'the model'))).toMatch(/sample 0 has label 2, which is not one of the model/);
  });

  it('a resumed model fixes the classes and refuses a label it does not know', () => {
    const train = set([0, 1, 5], 'more.csv');
    expect(dataError(() => fitOutputToLabels(defaults(), () => true, train, [], [0, 1]))).toBe("more.csv: sample 2 has label 5, which is not one of the model's classes (0, 1)");
  });
});

describe('modelClasses (model files with and without classes)', () => {
  const model = (classes: (number | string)[] | null, layerDims: number[], output: 'sigmoid' | 'softmax' | 'linear', cost: 'bce' | 'ce' | 'mse') => ({ classes, layerDims, config: { output, cost } });
  it('a file without classes: the outputs are class indices, as before classes were kept', () => {
    expect(modelClasses(model(null, [2, 1], 'sigmoid', 'bce'))).toEqual([0, 1]);
    expect(modelClasses(model(null, [2, 4], 'softmax', 'ce'))).toEqual([0, 1, 2, 3]);
    expect(modelClasses(model(null, [2, 1], 'linear', 'mse'))).toBeNull();
    expect(modelClasses(model(null, [2, 3], 'sigmoid', 'bce'))).toBeNull();
  });
  it('a file with classes: names (older files) or label values', () => {
    expect(modelClasses(model(['non-cat', 'cat'], [2, 1], 'sigmoid', 'bce'))).toEqual(['non-cat', 'cat']);
    expect(modelClasses(model([5, 7], [2, 1], 'sigmoid', 'bce'))).toEqual([5, 7]);
  });
});
