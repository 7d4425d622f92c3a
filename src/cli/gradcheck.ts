import type { Command } from 'commander';
import { DataError } from '../errors.js';
import { Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { classCount, oneHot } from '../data/onehot.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { gradientCheck } from '../nn/gradcheck.js';
import { initializeParametersDeep } from '../nn/init.js';
import { resolveNetworkConfig } from '../nn/network.js';
import { NumpyRandom } from '../random.js';
import { loadData } from './data.js';
import { choice, layerList, nonNegativeInt, positiveInt, positiveNumber } from './parsers.js';

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
  json?: boolean;
}

/** The course's reading of the relative difference. */
export function verdict(difference: number): 'good' | 'ok' | 'bug' {
  return difference < 1e-7 ? 'good' : difference < 2e-7 ? 'ok' : 'bug';
}

export interface GradcheckResult {
  layerDims: number[];
  m: number;
  parameters: number;
  difference: number;
  verdict: 'good' | 'ok' | 'bug';
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
    .option('--epsilon <e>', 'the two-sided step ε', positiveNumber, 1e-7)
    .option('--json', 'print one JSON object with the results on stdout')
    .addHelpText(
      'after',
      '\nA relative difference below 1e-7 is good, below 2e-7 ok, anything larger points to a bug in backprop.\nEvery parameter costs two forward passes: keep the network and batch small.\n\nExamples:\n  $ deepnet gradcheck --layers 5,3\n  $ deepnet gradcheck --layers 4 --hidden tanh --cost mse --output linear --json',
    )
    .action(async (flags: GradcheckFlags) => {
      const result = await run(flags);
      const out = (line: string): void => void process.stdout.write(line + '\n');
      if (flags.json) return out(JSON.stringify(result));
      out(`gradient check of [${result.layerDims.join(', ')}] on m = ${result.m} samples (${result.parameters} parameters)`);
      out(`relative difference: ${result.difference}`);
      const w = result.worst;
      out(`largest gap at ${w.parameter}[${w.row}, ${w.col}]: backprop ${w.analytic}, numerical ${w.numerical}`);
      out(
        result.verdict === 'good'
          ? 'good: backward propagation works (difference < 1e-7)'
          : result.verdict === 'ok'
            ? 'ok: difference < 2e-7, close to the limit of the two-sided estimate'
            : 'bug: there is a mistake in backward propagation (difference >= 2e-7)',
      );
      if (result.verdict === 'bug' && /relu/i.test(flags.hidden)) {
        out(`note: ReLU has a kink at z = 0 where the numerical estimate is meaningless; if ${w.parameter} sits on one, try --hidden tanh or another --seed`);
      }
    });
}

async function run(flags: GradcheckFlags): Promise<GradcheckResult> {
  let X: Matrix;
  let Y: Matrix;
  const rng = new NumpyRandom(flags.seed);
  if (flags.data) {
    const data = await loadData(flags.data, 'train', { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: 'float64' });
    if (flags.samples > data.X.cols) throw new DataError(`${data.source} has ${data.X.cols} samples, fewer than --samples ${flags.samples}`);
    // A random batch (np.random.permutation with --seed): data sets are often sorted by class.
    const pick = rng.permutation(data.X.cols).slice(0, flags.samples);
    X = columns(data.X, pick);
    Y = columns(data.Y, pick);
    if (flags.output === 'softmax' && Y.rows === 1) Y = oneHot(Y, classCount(data.Y, data.classes), data.source);
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
  const r = gradientCheck(X, Y, parameters, { activations: config.activations, cost: config.cost, epsilon: flags.epsilon });
  return { layerDims, m: X.cols, parameters: r.count, difference: r.difference, verdict: verdict(r.difference), worst: r.worst };
}

/** The given columns of M, in that order. */
function columns(M: Matrix, pick: readonly number[]): Matrix {
  const out = Matrix.zeros(M.rows, pick.length, M.dtype);
  for (let i = 0; i < M.rows; i++) pick.forEach((j, c) => out.set(i, c, M.get(i, j)));
  return out;
}
