import { type NetworkChoice, preset } from '../nn/presets.js';

// What `train --preset` decides before the network is built (the class count's part is the
// experiment's fitOutputToLabels). A flag the user typed always wins; only flags left at their
// defaults are changed.

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
