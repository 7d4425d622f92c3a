import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { catFiles } from '../data/cat.js';
import type { Dataset } from '../data/dataset.js';
import { FASHION_MNIST_CLASSES, fashionMnistFiles, idxFiles, loadCsv, loadIdx } from '../data/files.js';
import { loadH5 } from '../data/h5.js';
import { generatePlanar, planarDataset } from '../data/planar.js';
import { circlesDataset, gaussianDataset, moonsDataset, spiralDataset, type SyntheticOptions, xorDataset } from '../data/synthetic.js';
import { DataError } from '../errors.js';
import type { DType } from '../matrix.js';

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
}

async function loadBuiltin(name: string, role: 'train' | 'test', dtype: DType): Promise<Dataset> {
  const seed = role === 'train' ? 1 : 2;
  let data: Dataset;
  if (name === 'cat') {
    const files = catFiles();
    data = await loadH5(role === 'train' ? files.train : files.test, { dtype });
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
  if (spec.startsWith('builtin:')) return loadBuiltin(spec.slice('builtin:'.length), role, flags.dtype);
  if (spec.startsWith('idx:')) {
    const [images, labels, extra] = spec.slice('idx:'.length).split(',');
    if (!images || extra !== undefined) throw new DataError(`${spec}: expected idx:IMAGES, idx:IMAGES,LABELS or idx:FOLDER`);
    return loadIdx(labels ? { images, labels } : idxFiles(images, role), { dtype: flags.dtype });
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5' || ext === '.hdf') return loadH5(spec, flags);
  if (ext === '.csv') return loadCsv(spec, { label: flags.label, dtype: flags.dtype });
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
