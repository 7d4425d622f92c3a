import type { Dataset } from '../data/dataset.js';
import { oneHot } from '../data/onehot.js';
import { DataError } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { ActivationName } from '../nn/activations.js';
import type { CostName } from '../nn/costs.js';
import { outputForClasses } from '../nn/presets.js';

// Labels -> classes -> output and cost, in one place for train, tune, eval, gradcheck, the queue
// worker and the playground. The distinct label values of the training set are the classes, sorted
// (numbers numerically, strings as text; a file that names its classes, as HDF5 list_classes does,
// keeps its own order); output unit k stands for classes[k]. Every other set is mapped through
// those classes, and a label they do not hold is an error naming it and the file.

/** A class as the labels hold it: a number, or a name (CSV text labels, HDF5 list_classes). */
export type ClassValue = number | string;

/** More distinct labels than this are real-valued targets, not classes (a one-hot of them would be huge). */
export const MAX_CLASSES = 1000;

export interface OutputChoice {
  output: ActivationName;
  cost: CostName;
}

const shown = (v: ClassValue) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

/** "0, 1, 2" or the first ten and a count. */
export function classList(classes: readonly ClassValue[]): string {
  const head = classes.slice(0, 10).map(shown).join(', ');
  return classes.length > 10 ? `${head}, ... (${classes.length} classes)` : head;
}

/** Regression (the labels as they are) or classification (labels mapped to classes). */
export function isRegression(choice: OutputChoice): boolean {
  return choice.cost === 'mse' && choice.output !== 'softmax';
}

function labelRow(data: Dataset): Float64Array | Float32Array {
  if (data.Y.rows !== 1) throw new DataError(`${data.source}: class labels must be one row (1, m), got (${data.Y.rows}, ${data.Y.cols})`);
  return data.Y.data;
}

/**
 * Each sample's class as the file means it: where the file names its classes (HDF5 list_classes,
 * CSV text labels) Y holds indices into the names, checked here; otherwise the label itself.
 */
export function labelValues(data: Dataset): ClassValue[] {
  const y = labelRow(data);
  const names = data.classes;
  if (!names) return Array.from(y);
  return Array.from(y, (k, j) => {
    if (!Number.isInteger(k) || k < 0 || k >= names.length) {
      throw new DataError(`${data.source}: sample ${j} has label ${k}, but the file names ${names.length} classes (${classList(names)}); a label must index them 0..${names.length - 1}`);
    }
    return names[k]!;
  });
}

const byValue = (a: ClassValue, b: ClassValue) =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;

/**
 * The classes of a training set: the names it declares, in their order, or its distinct labels
 * sorted. Fewer than two present classes, or more than MAX_CLASSES, is a DataError naming the file.
 */
export function classesOf(data: Dataset): ClassValue[] {
  const present = [...new Set(labelValues(data))].sort(byValue);
  const regression = 'for regression on these labels use --cost mse --output linear';
  if (present.length < 2) {
    throw new DataError(`${data.source}: every sample has the label ${present.length ? shown(present[0]!) : '(none)'}: one class; a classifier needs at least 2 (${regression})`);
  }
  const classes = data.classes ? [...data.classes] : present;
  if (classes.length > MAX_CLASSES) {
    throw new DataError(`${data.source}: ${classes.length} distinct labels: more than ${MAX_CLASSES} classes look like real-valued targets (${regression})`);
  }
  return classes;
}

/**
 * The class index (1, m) of every sample of `data` through `classes`; a label they do not hold is a
 * DataError naming it, the sample and the file. Numbers against named classes are indices into the
 * names, as the course's HDF5 files store them (a model trained on list_classes, data without).
 */
export function classIndices(data: Dataset, classes: readonly ClassValue[], whose: string): Matrix {
  const values = labelValues(data);
  const index = new Map<ClassValue, number>(classes.map((c, k) => [c, k]));
  const named = classes.every((c) => typeof c === 'string');
  const Y = Matrix.zeros(1, values.length, data.Y.dtype);
  values.forEach((v, j) => {
    let k = index.get(v);
    if (k === undefined && named && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < classes.length) k = v;
    if (k === undefined) throw new DataError(`${data.source}: sample ${j} has label ${shown(v)}, which is not one of ${whose} (${classList(classes)})`);
    Y.data[j] = k;
  });
  return Y;
}

/** The targets an output layer trains on: one-hot (K, m) for softmax, the 0/1 row for one sigmoid unit. */
export function encodeClasses(indices: Matrix, K: number, choice: OutputChoice, source: string): Matrix {
  if (choice.output === 'softmax') return oneHot(indices, K, source);
  if (K > 2) {
    throw new DataError(
      `${source} has ${K} classes, but --output ${choice.output} with --cost ${choice.cost} trains one unit on targets in [0, 1] (two classes); leave --output and --cost out for softmax + CE`,
    );
  }
  return indices;
}

/** Maps each set's labels through `classes` and encodes them for the output (sets without labels rows stay). */
export function mapSets(classes: readonly ClassValue[], choice: OutputChoice, whose: string, sets: readonly (Dataset | undefined)[]): void {
  for (const set of sets) {
    if (!set || set.Y.rows !== 1) continue;
    set.Y = encodeClasses(classIndices(set, classes, whose), classes.length, choice, set.source);
    // The labels are class indices now; the names live in `classes`.
    set.classes = undefined;
  }
}

/**
 * Fits the output to the training labels and maps every set through the classes: unless
 * --output/--cost were given, sigmoid + BCE for two classes and softmax + CE for more. `choice` is
 * updated in place; returns the classes (null for regression: `--cost mse` without softmax, whose
 * labels stay as they are). `fixed` are a resumed model's classes, used instead of the training set's.
 */
export function fitOutputToLabels(
  choice: OutputChoice,
  given: (flag: 'output' | 'cost') => boolean,
  train: Dataset,
  others: readonly (Dataset | undefined)[],
  fixed?: readonly ClassValue[],
): ClassValue[] | null {
  // --output softmax alone brings CE, and --cost ce alone brings softmax: they go together.
  if (choice.output === 'softmax' && !given('cost')) choice.cost = 'ce';
  if (choice.cost === 'ce' && !given('output')) choice.output = 'softmax';
  if (isRegression(choice) || train.Y.rows !== 1) return null;
  const classes = fixed ? [...fixed] : classesOf(train);
  if (!fixed && !given('output') && !given('cost')) {
    const { output, cost } = outputForClasses(classes.length);
    Object.assign(choice, { output, cost });
  }
  const whose = fixed ? "the model's classes" : `the classes of ${train.source}`;
  mapSets(classes, choice, whose, [train, ...others]);
  return classes;
}

/**
 * A saved model's classes: those kept in its file, or for a file without them (written before
 * classes were kept, or by the library) the class indices its output stands for: 0/1 for one
 * sigmoid unit, 0..K-1 for K softmax units. Null for regression and for several sigmoid units.
 */
export function modelClasses(model: { classes: readonly ClassValue[] | null; layerDims: readonly number[]; config: OutputChoice }): ClassValue[] | null {
  if (model.classes) return [...model.classes];
  const units = model.layerDims[model.layerDims.length - 1]!;
  if (isRegression(model.config)) return null;
  if (model.config.output === 'softmax') return Array.from({ length: units }, (_, k) => k);
  return units === 1 ? [0, 1] : null;
}
