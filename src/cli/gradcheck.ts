import type { Command } from 'commander';
import { DataError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { oneHot } from '../data/onehot.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { gradientCheck } from '../nn/gradcheck.js';
import { initializeParametersDeep } from '../nn/init.js';
import { resolveNetworkConfig } from '../nn/network.js';
import { NumpyRandom } from '../random.js';
import { loadData } from '../experiment/data.js';
import { fitOutputToLabels } from '../experiment/labels.js';
import { choice, layerList, nonNegativeInt, numberIn, positiveInt } from './parsers.js';

interface GradcheckFlags {
  layers: number[];
  data?: string;
  xKey?: string;
  yKey?: string;
  label?: string;
  samples: number;
  features: number;
  outputs: number;
  hidden: ActivationName;
  output: ActivationName;
  cost: CostName;
  seed: number;
  epsilon: number;
  maxParameters: number;
  json?: boolean;
}

/** The range of ε where the two-sided estimate means something: far below 1, far above the rounding of θ and J. */
export const EPSILON_RANGE = [1e-12, 1e-1] as const;

const epsilonValue = numberIn(
  `a step in [${EPSILON_RANGE[0]}, ${EPSILON_RANGE[1]}] (smaller steps measure the rounding of J, not its slope)`,
  (e) => e >= EPSILON_RANGE[0] && e <= EPSILON_RANGE[1],
);

export type Verdict = 'good' | 'ok' | 'bug' | 'rounding';

/**
 * The course's reading of the relative difference; 'rounding' where the difference is within ten
 * times what the rounding of J alone gives at this ε, so that it says nothing about backprop.
 */
export function verdict(difference: number, roundingDifference = 0): Verdict {
  if (difference < 1e-7) return 'good';
  if (difference < 2e-7) return 'ok';
  return roundingDifference * 10 >= difference ? 'rounding' : 'bug';
}

export interface GradcheckResult {
  layerDims: number[];
  m: number;
  /** Parameters checked: all of them, or a seeded sample of --max-parameters. */
  parameters: number;
  /** Parameters of the network. */
  total: number;
  difference: number;
  roundingDifference: number;
  verdict: Verdict;
  worst: { parameter: string; row: number; col: number; analytic: number; numerical: number };
}

export function gradcheckCommand(program: Command): void {
  program
    .command('gradcheck')
    .description("the course's gradient check: backprop's gradients against (J(θ+ε) - J(θ-ε)) / 2ε for every parameter")
    .option('--layers <sizes>', 'hidden layer sizes', layerList, [5, 3])
    .option('--data <file|builtin:NAME>', 'check on --samples random samples of a data set (default: random numpy data)')
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--label <name>', 'CSV column holding the labels (default: the last column)')
    .option('--samples <m>', 'batch size m', positiveInt, 3)
    .option('--features <n>', 'input size n_x of the random data (without --data)', positiveInt, 4)
    .option('--outputs <n>', 'output size n_L of the random data (without --data)', positiveInt, 1)
    .option('--hidden <g>', `hidden activation: ${ACTIVATIONS.join('|')}`, choice(ACTIVATIONS), 'relu')
    .option('--output <g>', `output activation: ${OUTPUT_ACTIVATIONS.join('|')}`, choice(OUTPUT_ACTIVATIONS), 'sigmoid')
    .option('--cost <name>', `cost: ${COSTS.join('|')}`, choice(COSTS), 'bce')
    .option('--seed <s>', 'numpy seed of the data and the initialisation', nonNegativeInt, 1)
    .option('--epsilon <e>', `the two-sided step ε, in [${EPSILON_RANGE[0]}, ${EPSILON_RANGE[1]}]`, epsilonValue, 1e-7)
    .option('--max-parameters <n>', 'check at most n parameters, a random sample drawn with --seed (each costs two forward passes)', positiveInt, 2000)
    .option('--json', 'print one JSON object with the results on stdout')
    .addHelpText(
      'after',
      '\nA relative difference below 1e-7 is good, below 2e-7 ok, anything larger points to a bug in backprop.\nEvery parameter costs two forward passes: keep the network and batch small.\n\nExamples:\n  $ deepnet gradcheck --layers 5,3\n  $ deepnet gradcheck --layers 4 --hidden tanh --cost mse --output linear --json',
    )
    .action(async (flags: GradcheckFlags, command: Command) => {
      const result = await run(flags, (flag) => command.getOptionValueSource(flag) === 'cli');
      const out = (line: string): void => void process.stdout.write(line + '\n');
      if (flags.json) return out(JSON.stringify(result));
      const checked = result.parameters < result.total ? `${result.parameters} of ${result.total} parameters, a random sample (--max-parameters, --seed ${flags.seed})` : `${result.parameters} parameters`;
      out(`gradient check of [${result.layerDims.join(', ')}] on m = ${result.m} samples (${checked})`);
      out(`relative difference: ${result.difference}`);
      const w = result.worst;
      out(`largest gap at ${w.parameter}[${w.row}, ${w.col}]: backprop ${w.analytic}, numerical ${w.numerical}`);
      out(
        result.verdict === 'good'
          ? 'good: backward propagation works (difference < 1e-7)'
          : result.verdict === 'ok'
            ? 'ok: difference < 2e-7, close to the limit of the two-sided estimate'
            : result.verdict === 'rounding'
              ? `inconclusive: at --epsilon ${flags.epsilon} the rounding of the cost alone gives a difference of about ${result.roundingDifference.toPrecision(2)}; try --epsilon 1e-7`
              : 'bug: there is a mistake in backward propagation (difference >= 2e-7)',
      );
      if (result.verdict === 'bug' && /relu/i.test(flags.hidden)) {
        out(`note: ReLU has a kink at z = 0 where the numerical estimate is meaningless; if ${w.parameter} sits on one, try --hidden tanh or another --seed`);
      }
    });
}

async function run(flags: GradcheckFlags, typed: (flag: 'output' | 'cost') => boolean): Promise<GradcheckResult> {
  let X: Matrix;
  let Y: Matrix;
  const rng = new NumpyRandom(flags.seed);
  if (flags.data) {
    const data = await loadData(flags.data, 'train', { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: 'float64' });
    if (flags.samples > data.X.cols) throw new DataError(`${data.source} has ${data.X.cols} samples, fewer than --samples ${flags.samples}`);
    // Labels through the whole set's classes, as train maps them (K > 2: softmax + CE unless typed).
    fitOutputToLabels(flags, typed, data, []);
    // A random batch (np.random.permutation with --seed): data sets are often sorted by class.
    const pick = rng.permutation(data.X.cols).slice(0, flags.samples);
    X = columns(data.X, pick);
    Y = columns(data.Y, pick);
  } else {
    // As the course's gradient_check_n_test_case: X = randn(n_x, m), labels drawn at random.
    X = Matrix.fromTypedArray(rng.randn(flags.features, flags.samples), flags.features, flags.samples);
    const u = rng.rand(flags.outputs, flags.samples);
    if (flags.output === 'softmax') {
      // One class per sample, one-hot over the --outputs units.
      const k = Matrix.fromTypedArray(Float64Array.from(u.subarray(0, flags.samples), (v) => Math.floor(v * flags.outputs)), 1, flags.samples);
      Y = oneHot(k, flags.outputs);
    } else {
      Y = Matrix.fromTypedArray(flags.output === 'linear' ? u : u.map((v) => (v > 0.5 ? 1 : 0)), flags.outputs, flags.samples);
    }
  }
  const layerDims = [X.rows, ...flags.layers, Y.rows];
  const config = resolveNetworkConfig({ layerDims, hidden: flags.hidden, output: flags.output, cost: flags.cost, seed: flags.seed });
  const parameters = initializeParametersDeep(layerDims, { seed: flags.seed });
  const r = gradientCheck(X, Y, parameters, { activations: config.activations, cost: config.cost, epsilon: flags.epsilon, maxParameters: flags.maxParameters, seed: flags.seed });
  return {
    layerDims,
    m: X.cols,
    parameters: r.count,
    total: r.total,
    difference: r.difference,
    roundingDifference: r.roundingDifference,
    verdict: verdict(r.difference, r.roundingDifference),
    worst: r.worst,
  };
}

/** The given columns of M, in that order. */
function columns(M: Matrix, pick: readonly number[]): Matrix {
  const out = Matrix.zeros(M.rows, pick.length, M.dtype);
  for (let i = 0; i < M.rows; i++) pick.forEach((j, c) => out.set(i, c, M.get(i, j)));
  return out;
}
