import { fileURLToPath } from 'node:url';
import { loadH5 } from '../src/data/h5.js';
import type { Dataset } from '../src/data/dataset.js';

// The compiled benchmark runs from bench/build/bench/, three folders below the repository.
const root = new URL('../../../', import.meta.url);

/** The course's cat data in float64: train X (12288, 209), test X (12288, 50). */
export async function catData(): Promise<{ train: Dataset; test: Dataset }> {
  const file = (name: string) => fileURLToPath(new URL(`data/${name}`, root));
  return { train: await loadH5(file('train_catvnoncat.h5')), test: await loadH5(file('test_catvnoncat.h5')) };
}

export function repoFile(path: string): string {
  return fileURLToPath(new URL(path, root));
}
