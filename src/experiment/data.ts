import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { loadCatSet } from '../data/cat.js';
import type { Allocate, Dataset } from '../data/dataset.js';
import { FASHION_MNIST_CLASSES, fashionMnistFiles, idxFiles, loadIdx } from '../data/files.js';
import { loadH5 } from '../data/h5.js';
import { generatePlanar, planarDataset } from '../data/planar.js';
import { circlesDataset, gaussianDataset, moonsDataset, spiralDataset, type SyntheticOptions, xorDataset } from '../data/synthetic.js';
import { DataError } from '../errors.js';
import type { DType } from '../matrix.js';
import type { ActivationName } from '../nn/activations.js';
import type { CostName } from '../nn/costs.js';
import { type ClassValue, fitOutputToLabels } from './labels.js';

// Data by their spec, as every command and the queue worker name them: builtin:NAME, idx:...,
// or a file. Node-only (the playground builds its data sets in the page).

export const BUILTINS = ['cat', 'planar', 'xor', 'circles', 'moons', 'spiral', 'gaussian', 'fashion-mnist'] as const;

// The generated built-ins draw their test set with the next seed: new points from the same distribution.
const GENERATED: Record<string, (options: SyntheticOptions) => Dataset> = {
  xor: xorDataset,
  circles: circlesDataset,
  moons: moonsDataset,
  spiral: spiralDataset,
  gaussian: gaussianDataset,
};

export interface DataFlags {
  xKey?: string;
  yKey?: string;
  /** The CSV label column (default: the last). */
  label?: string;
  dtype: DType;
  /** A model's input size n_x, when known: a CSV of exactly n_x columns has no label column. */
  features?: number;
  /** Where the built-in cat data's X is made (the backend that trains on it): no copy into its memory. */
  allocate?: Allocate;
}

async function loadBuiltin(name: string, role: 'train' | 'test', dtype: DType, allocate?: Allocate): Promise<Dataset> {
  const seed = role === 'train' ? 1 : 2;
  let data: Dataset;
  if (name === 'cat') {
    data = await loadCatSet(role, dtype, allocate);
  } else if (name === 'planar') {
    // The course's flower is the training set; the test set is the same recipe with seed 2.
    data = role === 'train' ? planarDataset(dtype) : generatePlanar({ seed, dtype });
  } else if (name === 'fashion-mnist') {
    data = loadIdx(fashionMnistFiles(role), { dtype, classes: FASHION_MNIST_CLASSES });
  } else if (GENERATED[name]) {
    data = GENERATED[name]!({ seed, dtype });
  } else {
    throw new DataError(`unknown built-in data set ${JSON.stringify(name)}; built-ins: ${BUILTINS.map((b) => `builtin:${b}`).join(', ')}`);
  }
  return { ...data, source: `builtin:${name} (${role})` };
}

/**
 * `builtin:NAME`, `idx:IMAGES[,LABELS]` or `idx:FOLDER`, or a file (.h5/.hdf5, .csv) to a data set;
 * `role` names it in messages (--data, --test) and picks a folder's train-* or t10k-* files.
 */
export async function loadData(spec: string, role: 'train' | 'test', flags: DataFlags): Promise<Dataset> {
  if (flags.label !== undefined && extname(spec).toLowerCase() !== '.csv') {
    throw new DataError(`--label names a CSV column, but ${spec} is not a .csv file`);
  }
  if (spec.startsWith('builtin:')) return loadBuiltin(spec.slice('builtin:'.length), role, flags.dtype, flags.allocate);
  if (spec.startsWith('idx:')) {
    const [images, labels, extra] = spec.slice('idx:'.length).split(',');
    if (!images || extra !== undefined) throw new DataError(`${spec}: expected idx:IMAGES, idx:IMAGES,LABELS or idx:FOLDER`);
    return loadIdx(labels ? { images, labels } : idxFiles(images, role), { dtype: flags.dtype });
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5' || ext === '.hdf') return loadH5(spec, flags);
  // The CSV parser is loaded only for a CSV file (csvFile.ts).
  if (ext === '.csv') return (await import('../data/csvFile.js')).loadCsv(spec, { label: flags.label, dtype: flags.dtype, features: flags.features });
  throw new DataError(
    `${spec}: cannot tell the format from the extension ${JSON.stringify(ext)}; deepnet reads HDF5 (.h5, .hdf5), CSV (.csv), idx:PATH and builtin:NAME`,
  );
}

/** The test set that goes with a training set when --test is not given: a built-in's own, or an IDX folder's t10k files. */
export function defaultTest(spec: string): string | undefined {
  if (spec.startsWith('builtin:')) return spec;
  const path = spec.slice('idx:'.length);
  return spec.startsWith('idx:') && existsSync(path) && statSync(path).isDirectory() ? spec : undefined;
}

/** The flags that decide a search's data (and its output layer, from the classes). */
export interface SearchDataFlags extends DataFlags {
  data: string;
  validation?: string;
  output: ActivationName;
  cost: CostName;
}

/** The last `fraction` of the samples as validation data, the rest for training. */
function holdOut(data: Dataset, fraction: number): [Dataset, Dataset] {
  const m = data.X.cols;
  const mv = Math.ceil(m * fraction);
  if (m - mv < 1) throw new DataError(`${data.source} has ${m} samples: too few to hold out validation data (use --validation)`);
  return [
    { ...data, X: data.X.sliceColumns(0, m - mv), Y: data.Y.sliceColumns(0, m - mv) },
    { ...data, X: data.X.sliceColumns(m - mv, m), Y: data.Y.sliceColumns(m - mv, m), source: `${data.source}, last ${mv} samples` },
  ];
}

/**
 * The training and validation sets of a search, as every trial sees them (a queue worker loads
 * them the same way from the job's references), mapped through the training set's classes (or a
 * queued trial's, which the submitting tune found); may
 * set flags.output/cost from the class count.
 */
export async function tuneData(
  flags: SearchDataFlags,
  given: (flag: 'output' | 'cost') => boolean,
  /** The classes the submitting tune found (a queued trial): the labels map through them. */
  fixed?: readonly ClassValue[],
): Promise<{ train: Dataset; validation: Dataset; classes: ClassValue[] | null }> {
  const dataFlags = { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: flags.dtype };
  let train = await loadData(flags.data, 'train', dataFlags);
  const validationSpec = flags.validation ?? defaultTest(flags.data);
  let validation: Dataset;
  if (validationSpec) validation = await loadData(validationSpec, 'test', dataFlags);
  else [train, validation] = holdOut(train, 0.2);
  const classes = fitOutputToLabels(flags, given, train, [validation], fixed);
  if (validation.X.rows !== train.X.rows || validation.Y.rows !== train.Y.rows) {
    throw new DataError(`${validation.source} has (${validation.X.rows}, ${validation.Y.rows}) features/labels per sample but ${train.source} has (${train.X.rows}, ${train.Y.rows})`);
  }
  return { train, validation, classes };
}
