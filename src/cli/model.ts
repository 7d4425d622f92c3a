import type { Dataset } from '../data/dataset.js';
import { DataError } from '../errors.js';
import { mapSets, modelClasses } from '../experiment/labels.js';
import { readUserFile } from '../io/paths.js';
import type { Matrix } from '../matrix.js';
import { Network } from '../nn/network.js';

// What eval, predict, export and train --resume share: reading a model file, fitting data to it.

export function loadModel(path: string, flag = '--model'): Network {
  return Network.fromBytes(readUserFile(path, flag), path);
}

/** X checked against n_x (naming both sizes), in the network's dtype; the network applies its normalisation. */
export function modelInput(net: Network, X: Matrix, source: string): Matrix {
  const nx = net.layerDims[0]!;
  if (X.rows !== nx) {
    throw new DataError(`${source} has ${X.rows} features per sample but the model takes n_x = ${nx} (layerDims [${net.layerDims.join(', ')}])`);
  }
  return X.dtype === net.config.dtype ? X : X.astype(net.config.dtype);
}

/**
 * Maps the labels through the model's classes (a label it does not know is a DataError naming it and
 * the file), encoded for its output, and checks Y's rows against the output size n_L.
 */
export function checkLabels(net: Network, data: Dataset, model = 'the model'): void {
  const ny = net.layerDims[net.L]!;
  const classes = modelClasses(net);
  if (classes) mapSets(classes, net.config, `the classes of ${model}`, [data]);
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

/** Class k as text: the model's class (a label value or a name) when it has one, else the index. */
export function className(net: Network, k: number): string {
  return String(modelClasses(net)?.[k] ?? k);
}
