import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { readUserFile } from '../io/paths.js';
import type { DType } from '../matrix.js';
import type { Dataset } from './dataset.js';
import { idxDataset, type IdxArray, parseIdx } from './idx.js';

// Node-only: reading the IDX files whose format idx.ts parses (CSV files: csvFile.ts).

/** Largest decompressed IDX file accepted (the full MNIST training images are 47 MB). */
const MAX_IDX_BYTES = 1 << 30;


/** An IDX file, plain or gzip-compressed (recognised by its first two bytes, 1F 8B). */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array = readUserFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      throw new DataError(`${path}: gzip data that does not decompress (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  }
  return parseIdx(bytes, path);
}

/** The Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface IdxFiles {
  images: string;
  labels: string;
}

/**
 * The image and label files of an IDX set. `path` is an images file (its labels file is found by
 * the MNIST naming, images-idx3 -> labels-idx1) or a folder holding train-* and t10k-* files.
 */
export function idxFiles(path: string, role: 'train' | 'test'): IdxFiles {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const prefix = role === 'train' ? 'train' : 't10k';
    for (const ext of ['-ubyte.gz', '-ubyte']) {
      const images = join(path, `${prefix}-images-idx3${ext}`);
      const labels = join(path, `${prefix}-labels-idx1${ext}`);
      if (existsSync(images) && existsSync(labels)) return { images, labels };
    }
    throw new DataError(`${path}: no ${prefix}-images-idx3-ubyte[.gz] and ${prefix}-labels-idx1-ubyte[.gz] in this folder`);
  }
  if (!existsSync(path)) throw new DataError(`${path}: no such file or folder (idx: names an images file, a folder of train-*/t10k-* files, or IMAGES,LABELS)`);
  const name = basename(path);
  if (!name.includes('images-idx3')) {
    throw new DataError(`${path}: cannot tell its labels file; name the images file *images-idx3*, give both as idx:IMAGES,LABELS, or give the folder`);
  }
  return { images: path, labels: join(dirname(path), name.replace('images-idx3', 'labels-idx1')) };
}

/** An IDX image set with its labels: X (h·w, m) scaled by 1/255, Y (1, m) class indices. */
export function loadIdx(files: IdxFiles, options: { dtype?: DType; classes?: string[] } = {}): Dataset {
  return idxDataset(readIdx(files.images), readIdx(files.labels), files, options);
}

/** The Fashion-MNIST subset shipped in data/fashion-mnist (scripts/make_fashion_mnist_subset.py). */
export function fashionMnistFiles(role: 'train' | 'test'): IdxFiles {
  return idxFiles(fileURLToPath(new URL('../../data/fashion-mnist/', import.meta.url)), role);
}
