import { ConfigError } from '../errors.js';
import type { ActivationName } from './activations.js';
import type { CostName } from './costs.js';
import type { InitName } from './init.js';

// The course's three networks by name: what --preset sets before the user's own flags.

export type PresetName = 'logistic' | 'shallow' | 'deep';
export const PRESETS: readonly PresetName[] = ['logistic', 'shallow', 'deep'];

/** What makes one of the course's networks, besides its data: presets, train flags and tune trials share it. */
export interface NetworkChoice {
  /** Hidden layer sizes; input and output sizes come from the data. */
  layers: number[];
  hidden: ActivationName;
  output: ActivationName;
  cost: CostName;
  init: InitName;
  seed: number;
}

export interface Preset extends NetworkChoice {
  learningRate: number;
  iterations: number;
}

const presets: Record<PresetName, Preset> = {
  // Week 2: logistic regression, w and b initialised to zeros, α = 0.005, 2000 iterations.
  logistic: { layers: [], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'zeros', seed: 1, learningRate: 0.005, iterations: 2000 },
  // Week 3: one tanh hidden layer of 4 units, randn * 0.01 after np.random.seed(2), α = 1.2, 10000 iterations.
  shallow: { layers: [4], hidden: 'tanh', output: 'sigmoid', cost: 'bce', init: 'small', seed: 2, learningRate: 1.2, iterations: 10000 },
  // Week 4: L_layer_model [n_x, 20, 7, 5, 1], ReLU, randn / sqrt(n[l-1]) after seed 1, α = 0.0075, 2500 iterations.
  deep: { layers: [20, 7, 5], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, learningRate: 0.0075, iterations: 2500 },
};

/** The preset's settings (a copy); an unknown name is a ConfigError listing the known ones. */
export function preset(name: string): Preset {
  if (!(PRESETS as readonly string[]).includes(name)) {
    throw new ConfigError(`unknown preset ${JSON.stringify(name)}; choose one of ${PRESETS.join(', ')}`);
  }
  const p = presets[name as PresetName];
  return { ...p, layers: [...p.layers] };
}

/**
 * The output layer and cost for K classes: one sigmoid unit with binary cross-entropy for two,
 * K softmax units with categorical cross-entropy for more.
 */
export function outputForClasses(K: number): { units: number; output: ActivationName; cost: CostName } {
  if (!Number.isInteger(K) || K < 2) throw new ConfigError(`a classifier needs at least 2 classes, got ${K}`);
  return K === 2 ? { units: 1, output: 'sigmoid', cost: 'bce' } : { units: K, output: 'softmax', cost: 'ce' };
}
