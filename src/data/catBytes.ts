import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DType, Matrix } from '../matrix.js';
import { type Allocate, type Dataset, scaledInto } from './dataset.js';

/** What `npm run build` writes beside the compiled code (scripts/cat-bytes.mjs). */
interface Manifest {
  format: string;
  classes: string[];
  train: Entry;
  test: Entry;
}
interface Entry {
  m: number;
  n: number;
  x: string;
  y: string;
  h5Sha256: string;
}

// 2: x is feature by feature, (n, m) as X is (1 was sample by sample).
const FORMAT = 'deepnet cat bytes 2';
/** dist/cat-bytes/ for the compiled module; the source tree has none, and reads the HDF5 files. */
export const CAT_BYTES_DIR = fileURLToPath(new URL('../cat-bytes/', import.meta.url));

/**
 * The cat data from the raw bytes the build wrote, exactly as loadH5 reads the HDF5 file `h5Path`
 * (X (12288, m) = pixels / 255, Y (1, m), the classes), without loading HDF5's wasm. Only when the
 * bytes were written from this very file (its SHA-256 is the manifest's) and are whole; otherwise
 * undefined, and the caller reads the HDF5 file itself. X is made by `allocate` when given.
 */
export function loadCatBytes(h5Path: string, role: 'train' | 'test', dtype: DType, dir = CAT_BYTES_DIR, allocate?: Allocate): Dataset | undefined {
  let manifest: Manifest;
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    manifest = JSON.parse(readFileSync(`${dir}cat.json`, 'utf8')) as Manifest;
    const entry = manifest.format === FORMAT ? manifest[role] : undefined;
    if (!entry || !Array.isArray(manifest.classes)) return undefined;
    if (createHash('sha256').update(readFileSync(h5Path)).digest('hex') !== entry.h5Sha256) return undefined;
    x = readFileSync(`${dir}${entry.x}`);
    y = readFileSync(`${dir}${entry.y}`);
    if (x.length !== entry.m * entry.n || y.length !== entry.m || entry.m === 0) return undefined;
  } catch {
    // No bytes (the source tree, a build without them) or an unreadable file: the HDF5 reader decides.
    return undefined;
  }
  const { m, n } = manifest[role];
  const X = allocate?.(n, m, dtype) ?? Matrix.zeros(n, m, dtype);
  scaledInto(x, X.data, 255);
  const Y = Matrix.zeros(1, m, dtype);
  for (let s = 0; s < m; s++) Y.data[s] = y[s]!;
  return { X, Y, classes: manifest.classes.map(String), source: h5Path };
}
