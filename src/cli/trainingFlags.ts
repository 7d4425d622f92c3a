import type { Command } from 'commander';
import { GRAM_MODES } from '../nn/gram.js';
import { OPTIMIZERS } from '../nn/optimizers.js';
import type { TrainingOptions } from '../nn/trainingOptions.js';
import { choice, numberIn, positiveInt } from './parsers.js';

// The flags of the training options (mini-batches, optimisers, decay, L2, dropout). A malformed
// number is bad usage (exit 2) named by its flag; a value out of range for the data (a batch larger
// than m) is the training options validator's ConfigError (exit 1).

export type TrainingFlags = Pick<
  TrainingOptions,
  'epochs' | 'batchSize' | 'optimizer' | 'beta' | 'beta1' | 'beta2' | 'epsilon' | 'decayRate' | 'decayInterval' | 'lambd' | 'keepProb' | 'gram'
>;

/** --gram: the first layer in Gram form (train and tune). */
export const GRAM_FLAG = ['--gram <how>', `first layer in Gram form: ${GRAM_MODES.join('|')} (default auto: where it saves work)`] as const;

const unit = numberIn('a number in [0, 1)', (x) => x >= 0 && x < 1);
const keepOne = numberIn('keep_prob in (0, 1]', (x) => x > 0 && x <= 1);
const nonNegative = numberIn('a number >= 0', (x) => x >= 0);
const positive = numberIn('a number > 0', (x) => x > 0);

/** "0.8" (every hidden layer) or "0.8,0.6" (one per hidden layer). */
function keepProbList(value: string): number | number[] {
  const parts = value.split(',');
  return parts.length === 1 ? keepOne(value) : parts.map((p) => keepOne(p));
}

export function addTrainingFlags(command: Command): Command {
  return command
    .option('--epochs <n>', 'passes over the training set (replaces --iterations; in full-batch training an epoch is one iteration)', positiveInt)
    .option('--batch-size <n>', "mini-batch size, shuffled each epoch as the course's random_mini_batches (default: full batch)", positiveInt)
    .option('--optimizer <name>', `${OPTIMIZERS.join('|')} (default gd)`, choice(OPTIMIZERS))
    .option('--beta <b>', "momentum's beta (default 0.9)", unit)
    .option('--beta1 <b>', "Adam's beta1 (default 0.9)", unit)
    .option('--beta2 <b>', "Adam's and RMSprop's beta2 (default 0.999)", unit)
    .option('--epsilon <e>', "Adam's and RMSprop's epsilon (default 1e-8)", positive)
    .option('--decay-rate <r>', 'learning-rate decay: lr / (1 + r * floor(epoch / interval)) (default 0: none)', nonNegative)
    .option('--decay-interval <n>', 'epochs between decay steps (default 1)', positiveInt)
    .option('--lambd <l>', 'L2 regularisation lambda (default 0)', nonNegative)
    .option('--keep-prob <p>', 'inverted dropout keep_prob: one for every hidden layer, or a list like 0.8,0.6 (default 1)', keepProbList)
    .option(...GRAM_FLAG, choice(GRAM_MODES));
}

/** The options given on the command line (absent flags stay absent, so fit's defaults apply). */
export function trainingOptionsFrom(flags: TrainingFlags): TrainingOptions {
  const { batchSize, optimizer, beta, beta1, beta2, epsilon, decayRate, decayInterval, lambd, keepProb, gram } = flags;
  const all: TrainingOptions = { batchSize, optimizer, beta, beta1, beta2, epsilon, decayRate, decayInterval, lambd, keepProb, gram };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as TrainingOptions;
}
