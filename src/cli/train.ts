import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import type { DType } from '../matrix.js';
import { ACTIVATIONS, type ActivationName } from '../nn/activations.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { INITS, type InitName } from '../nn/init.js';
import { Network } from '../nn/network.js';
import { loadData, defaultTest } from './data.js';
import { choice, layerList, nonNegativeInt, positiveInt, positiveNumber } from './parsers.js';
import { costCurveSvg } from './plot.js';

interface TrainFlags {
  data: string;
  test?: string;
  xKey?: string;
  yKey?: string;
  layers: number[];
  hidden: ActivationName;
  output: ActivationName;
  cost: CostName;
  lr: number;
  iterations: number;
  seed: number;
  init: InitName;
  dtype: DType;
  backend: string;
  printEvery: number;
  plot?: string;
  json?: boolean;
}

/** The result object of `train --json` (DESIGN.md's contract). */
export interface TrainResult {
  layerDims: number[];
  costs: [number, number][];
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
  model: string | null;
}

export function trainCommand(program: Command): void {
  program
    .command('train')
    .description("train a deep network; with no flags, the course's cat experiment ([12288, 20, 7, 5, 1], 2500 iterations)")
    .option('--data <file|builtin:NAME>', 'training data: an .h5 file or builtin:cat', 'builtin:cat')
    .option('--test <file|builtin:NAME>', 'test data (default: the cat test set with builtin:cat)')
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--layers <sizes>', 'hidden layer sizes ("none" for logistic regression)', layerList, [20, 7, 5])
    .option('--hidden <g>', `hidden activation: ${ACTIVATIONS.join('|')}`, choice(ACTIVATIONS), 'relu')
    .option('--output <g>', `output activation: ${ACTIVATIONS.join('|')}`, choice(ACTIVATIONS), 'sigmoid')
    .option('--cost <name>', `cost: ${COSTS.join('|')}`, choice(COSTS), 'bce')
    .option('--lr <alpha>', 'learning rate', positiveNumber, 0.0075)
    .option('--iterations <n>', 'gradient-descent iterations', nonNegativeInt, 2500)
    .option('--seed <s>', "numpy seed of the initialisation", nonNegativeInt, 1)
    .option('--init <name>', `initialisation: ${INITS.join('|')}`, choice(INITS), 'xavier')
    .option('--dtype <dtype>', 'float64|float32', choice(['float64', 'float32'] as const), 'float64')
    .option('--backend <name>', 'kernels: auto|reference (auto picks the fastest available)', 'auto')
    .option('--print-every <n>', 'print the cost every n iterations', positiveInt, 100)
    .option('--plot <file.svg>', 'draw the cost curve to an SVG file')
    .option('--json', 'print one JSON object with the results on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ deepnet train                          # the course\'s cat experiment\n  $ deepnet train --layers 7 --iterations 2500 --plot cost.svg\n  $ deepnet train --data my.h5 --test my_test.h5 --json',
    )
    .action(async (flags: TrainFlags) => {
      await train(flags);
    });
}

async function train(flags: TrainFlags): Promise<void> {
  const dataFlags = { xKey: flags.xKey, yKey: flags.yKey, dtype: flags.dtype };
  const trainSet = await loadData(flags.data, 'train', dataFlags);
  const testSpec = flags.test ?? defaultTest(flags.data);
  const testSet = testSpec ? await loadData(testSpec, 'test', dataFlags) : undefined;
  const layerDims = [trainSet.X.rows, ...flags.layers, trainSet.Y.rows];
  const net = new Network({
    layerDims,
    hidden: flags.hidden,
    output: flags.output,
    cost: flags.cost,
    init: flags.init,
    seed: flags.seed,
    dtype: flags.dtype,
    backend: flags.backend,
  });

  const out = (line: string) => process.stdout.write(line + '\n');
  if (!flags.json) {
    out(`deepnet: training [${layerDims.join(', ')}] on ${trainSet.source} (m = ${trainSet.X.cols}), ${flags.iterations} iterations, lr ${flags.lr}, ${flags.dtype}`);
  }
  const bar = process.stderr.isTTY
    ? new SingleBar({
        format: 'training |{bar}| {value}/{total} iterations | cost {cost} | {duration_formatted} elapsed, eta {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(flags.iterations, 0, { cost: '-' });

  const costs: [number, number][] = [];
  const last = flags.iterations - 1;
  const started = performance.now();
  try {
    net.fit(trainSet.X, trainSet.Y, {
      learningRate: flags.lr,
      iterations: flags.iterations,
      onIteration: (i, J) => {
        if (i % flags.printEvery === 0 || i === last) {
          costs.push([i, J]);
          if (!flags.json) {
            // Clear the bar's line first when both streams share the terminal.
            if (bar && process.stdout.isTTY) process.stderr.write('\r\x1b[K');
            out(`Cost after iteration ${i}: ${J}`);
          }
        }
        bar?.update(i + 1, { cost: J.toFixed(6) });
      },
    });
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const trainAccuracy = net.evaluate(trainSet.X, trainSet.Y);
  const testAccuracy = testSet ? net.evaluate(testSet.X, testSet.Y) : null;

  if (flags.plot) {
    writeFileAtomic(flags.plot, costCurveSvg(costs, { title: `Cost, learning rate ${flags.lr}, layers [${layerDims.join(', ')}]` }));
  }
  const result: TrainResult = { layerDims, costs, trainAccuracy, testAccuracy, seconds, model: null };
  if (flags.json) {
    out(JSON.stringify(result));
    return;
  }
  out(`Train accuracy: ${trainAccuracy}`);
  if (testAccuracy !== null) out(`Test accuracy: ${testAccuracy}`);
  out(`Time: ${seconds.toFixed(2)} s (${((seconds * 1000) / Math.max(1, flags.iterations)).toFixed(2)} ms per iteration)`);
  if (flags.plot) out(`Cost curve: ${flags.plot}`);
}
