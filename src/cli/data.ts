import { extname } from 'node:path';
import { catFiles } from '../data/cat.js';
import type { Dataset } from '../data/dataset.js';
import { loadH5 } from '../data/h5.js';
import { DataError } from '../errors.js';
import type { DType } from '../matrix.js';

export const BUILTINS = ['cat'] as const;

export interface DataFlags {
  xKey?: string;
  yKey?: string;
  dtype: DType;
}

/** `builtin:NAME` or a file path to a data set; `role` names it in messages (--data, --test). */
export async function loadData(spec: string, role: 'train' | 'test', flags: DataFlags): Promise<Dataset> {
  if (spec.startsWith('builtin:')) {
    const name = spec.slice('builtin:'.length);
    if (name === 'cat') {
      const files = catFiles();
      const data = await loadH5(role === 'train' ? files.train : files.test, { dtype: flags.dtype });
      return { ...data, source: `builtin:cat (${role})` };
    }
    throw new DataError(`unknown built-in data set ${JSON.stringify(name)}; built-ins: ${BUILTINS.map((b) => `builtin:${b}`).join(', ')}`);
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5' || ext === '.hdf') return loadH5(spec, flags);
  throw new DataError(`${spec}: cannot tell the format from the extension ${JSON.stringify(ext)}; deepnet reads HDF5 files (.h5, .hdf5)`);
}

/** The test set that goes with a training set when --test is not given. */
export function defaultTest(spec: string): string | undefined {
  return spec === 'builtin:cat' ? 'builtin:cat' : undefined;
}
