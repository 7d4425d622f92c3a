import { fileURLToPath } from 'node:url';
import type { DType } from '../matrix.js';
import { loadCatBytes } from './catBytes.js';
import type { Allocate, Dataset } from './dataset.js';
import { loadH5 } from './h5.js';

/** The course's cat/non-cat files, shipped in the package's data/ folder. */
export function catFiles(): { train: string; test: string } {
  return {
    train: fileURLToPath(new URL('../../data/train_catvnoncat.h5', import.meta.url)),
    test: fileURLToPath(new URL('../../data/test_catvnoncat.h5', import.meta.url)),
  };
}

/** The course's cat data: train (12288, 209) and test (12288, 50), pixels scaled by 1/255. */
export async function loadCat(dtype: DType = 'float64'): Promise<{ train: Dataset; test: Dataset }> {
  return { train: await loadCatSet('train', dtype), test: await loadCatSet('test', dtype) };
}

/**
 * One of the cat files: from the build's raw bytes of that file when they are there (X made by
 * `allocate` when given), else the HDF5 file.
 */
export async function loadCatSet(role: 'train' | 'test', dtype: DType = 'float64', allocate?: Allocate): Promise<Dataset> {
  const path = catFiles()[role];
  return loadCatBytes(path, role, dtype, undefined, allocate) ?? loadH5(path, { dtype });
}
