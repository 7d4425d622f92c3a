import type { Dataset } from '../data/dataset.js';
import { classCount, oneHot } from '../data/onehot.js';
import { DataError } from '../errors.js';
import { type NetworkChoice, outputForClasses, preset } from '../nn/presets.js';

// What `train --preset` and the class count decide before the network is built. A flag the user
// typed always wins; only flags left at their defaults are changed.

export interface ChoiceFlags extends NetworkChoice {
  preset?: string;
  lr: number;
  iterations: number;
}

/** True when the user gave the flag (on the command line or in the environment). */
export type Given = (flag: keyof ChoiceFlags) => boolean;

/** Sets the preset's layers, activations, init, seed, learning rate and iterations where no flag was given. */
export function applyPreset(flags: ChoiceFlags, given: Given): void {
  if (flags.preset === undefined) return;
  const p = preset(flags.preset);
  const set = <K extends keyof ChoiceFlags>(key: K, value: ChoiceFlags[K]) => {
    if (!given(key)) flags[key] = value;
  };
  set('layers', p.layers);
  set('hidden', p.hidden);
  set('output', p.output);
  set('cost', p.cost);
  set('init', p.init);
  set('seed', p.seed);
  set('lr', p.learningRate);
  set('iterations', p.iterations);
}

/**
 * Picks the output for the training labels unless --output/--cost were given: sigmoid + BCE for
 * two classes, softmax + CE for K > 2. A softmax output gets one-hot labels (K, m) in both sets.
 */
export function fitOutputToLabels(flags: ChoiceFlags, given: Given, train: Dataset, test: Dataset | undefined): void {
  const K = train.Y.rows === 1 ? classCount(train.Y, train.classes) : 0;
  if (!given('output') && !given('cost') && K > 2) {
    const choice = outputForClasses(K);
    flags.output = choice.output;
    flags.cost = choice.cost;
  }
  // --output softmax alone: its cost is CE (BCE would be refused with a softmax output).
  if (flags.output === 'softmax' && !given('cost')) flags.cost = 'ce';
  if (flags.output !== 'softmax' || train.Y.rows !== 1) return;
  if (K < 2) {
    throw new DataError(`${train.source}: a softmax output needs class labels 0..K-1 (K >= 2) in one row; its labels are not class indices`);
  }
  const classes = Math.max(K, test && test.Y.rows === 1 ? classCount(test.Y, test.classes) : 0);
  train.Y = oneHot(train.Y, classes, train.source);
  if (test && test.Y.rows === 1) test.Y = oneHot(test.Y, classes, test.source);
}
