import type { Command } from 'commander';
import type { Matrix } from '../matrix.js';
import type { Network } from '../nn/network.js';
import { modelClasses } from '../experiment/labels.js';
import { loadData } from '../experiment/data.js';
import { checkLabels, className, labelsOf, loadModel, modelInput } from './model.js';

interface EvalFlags {
  model: string;
  data: string;
  xKey?: string;
  yKey?: string;
  label?: string;
  json?: boolean;
}

/** The result object of `eval --json`. */
export interface EvalResult {
  model: string;
  data: string;
  m: number;
  cost: number;
  accuracy: number;
  /** confusion[true][predicted] counts, for 0/1 labels or one-hot outputs; null for regression. */
  confusion: number[][] | null;
  classes: (number | string)[] | null;
}

export function evalCommand(program: Command): void {
  program
    .command('eval')
    .description('the cost, accuracy and confusion matrix of a saved model on a data set')
    .requiredOption('--model <file>', 'a model file written by train --out (.safetensors)')
    .option('--data <file|builtin:NAME>', 'data with labels (a built-in gives its test set)', 'builtin:cat')
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--label <name>', 'CSV column holding the labels (default: the last column)')
    .option('--json', 'print one JSON object with the results on stdout')
    .addHelpText('after', '\nExamples:\n  $ deepnet eval --model cat.safetensors                  # on the cat test set\n  $ deepnet eval --model cat.safetensors --data my_test.h5 --json')
    .action(async (flags: EvalFlags) => {
      const net = loadModel(flags.model);
      const result = await evaluate(net, flags);
      const out = (line: string): void => void process.stdout.write(line + '\n');
      if (flags.json) return out(JSON.stringify(result));
      out(`model ${flags.model} [${net.layerDims.join(', ')}] on ${flags.data} (m = ${result.m})`);
      out(`Cost: ${result.cost}`);
      out(`Accuracy: ${result.accuracy}`);
      if (result.confusion) {
        const K = result.confusion.length;
        const names = Array.from({ length: K }, (_, k) => className(net, k));
        const w = Math.max(8, ...names.map((s) => s.length), ...result.confusion.flat().map((v) => String(v).length)) + 2;
        out('Confusion matrix (rows: true class, columns: predicted):');
        out(''.padStart(w) + names.map((s) => s.padStart(w)).join(''));
        result.confusion.forEach((row, k) => out(names[k]!.padStart(w) + row.map((v) => String(v).padStart(w)).join('')));
      }
    });
}

async function evaluate(net: Network, flags: EvalFlags): Promise<EvalResult> {
  const data = await loadData(flags.data, 'test', { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: net.config.dtype });
  checkLabels(net, data, flags.model);
  const X = modelInput(net, data.X, data.source);
  const Y = data.Y.dtype === net.config.dtype ? data.Y : data.Y.astype(net.config.dtype);
  const AL = net.forward(X);
  const cost = net.cost(X, Y);
  const accuracy = net.evaluate(X, Y);
  // Class labels: 0/1 for one output unit, one-hot columns for several; anything else is regression.
  const binary = Array.from(Y.data).every((v) => v === 0 || v === 1);
  const isLabels = binary && (Y.rows === 1 || labelsOf(Y).every((_, j) => columnSum(Y, j) === 1));
  let confusion: number[][] | null = null;
  if (isLabels) {
    const K = Y.rows === 1 ? 2 : Y.rows;
    confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const truth = labelsOf(Y);
    labelsOf(AL).forEach((p, j) => confusion![truth[j]!]![p]!++);
  }
  return { model: flags.model, data: data.source, m: X.cols, cost, accuracy, confusion, classes: modelClasses(net) };
}

function columnSum(M: Matrix, j: number): number {
  let s = 0;
  for (let i = 0; i < M.rows; i++) s += M.get(i, j);
  return s;
}
