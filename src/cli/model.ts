import { readFileSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { oneHot } from '../data/onehot.js';
import { DataError, ModelFileError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { Network } from '../nn/network.js';

// What eval, predict, export and train --resume share: reading a model file, fitting data to it.

export function loadModel(path: string): Network {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelFileError(`${path}: no such file`, { cause: e });
    if (code === 'EISDIR') throw new ModelFileError(`${path}: is a folder, not a model file`, { cause: e });
    throw e;
  }
  return Network.fromBytes(bytes, path);
}

/** X checked against n_x (naming both sizes), in the network's dtype; the network applies its normalisation. */
export function modelInput(net: Network, X: Matrix, source: string): Matrix {
  const nx = net.layerDims[0]!;
  if (X.rows !== nx) {
    throw new DataError(`${source} has ${X.rows} features per sample but the model takes n_x = ${nx} (layerDims [${net.layerDims.join(', ')}])`);
  }
  return X.dtype === net.config.dtype ? X : X.astype(net.config.dtype);
}

/** Checks Y's rows against the output size n_L; class indices (1, m) become one-hot for a softmax output. */
export function checkLabels(net: Network, data: Dataset): void {
  const ny = net.layerDims[net.L]!;
  if (data.Y.rows === 1 && ny > 1 && net.config.output === 'softmax') data.Y = oneHot(data.Y, ny, data.source);
  if (data.Y.rows !== ny) {
    throw new DataError(`${data.source} has ${data.Y.rows} label rows but the model outputs n_L = ${ny}`);
  }
}

/** A label per sample: 0/1 at 0.5 for one output unit, the argmax over rows for several. */
export function labelsOf(M: Matrix, threshold = true): number[] {
  const out: number[] = [];
  for (let j = 0; j < M.cols; j++) {
    if (M.rows === 1) {
      out.push(threshold ? (M.get(0, j) > 0.5 ? 1 : 0) : M.get(0, j));
      continue;
    }
    let best = 0;
    for (let i = 1; i < M.rows; i++) if (M.get(i, j) > M.get(best, j)) best = i;
    out.push(best);
  }
  return out;
}

/** The name of class k: the model's class names when it has them, else the number. */
export function className(net: Network, k: number): string {
  return net.classes?.[k] ?? String(k);
}
