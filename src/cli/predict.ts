import type { Command } from 'commander';
import { DataError } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { Network } from '../nn/network.js';
import { loadData } from '../experiment/data.js';
import { className, labelsOf, loadModel, modelInput } from './model.js';

interface PredictFlags {
  model: string;
  data?: string;
  image?: string[];
  xKey?: string;
  yKey?: string;
  label?: string;
  json?: boolean;
}

export interface Prediction {
  /** The sample's index in --data, or the image file. */
  sample: number | string;
  /** The predicted class index (for one sigmoid unit: 1 when AL > 0.5). */
  class: number;
  /** Its name when the model has class names, else the index as text. */
  label: string;
  /** The model's probability of the predicted class. */
  probability: number;
  /** The output layer's activations AL for this sample. */
  output: number[];
}

export function predictCommand(program: Command): void {
  program
    .command('predict')
    .description("a saved model's prediction for each sample of a data set, or for image files")
    .requiredOption('--model <file>', 'a model file written by train --out (.safetensors)')
    .option('--data <file|builtin:NAME>', 'samples to predict (a built-in gives its test set)')
    .option('--image <files...>', "PNG or JPEG images, resized to the model's input as the course does for your own image")
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--label <name>', 'CSV column holding the labels (default: the last column)')
    .option('--json', 'print one JSON object { predictions: [...] } on stdout')
    .addHelpText(
      'after',
      '\nOne line per sample: sample, class, probability of that class.\n\nExamples:\n  $ deepnet predict --model cat.safetensors --image my_cat.jpg\n  $ deepnet predict --model cat.safetensors --data builtin:cat --json',
    )
    .action(async (flags: PredictFlags) => {
      if (!flags.data === !flags.image) throw new DataError('predict: give either --data or --image (one of them)');
      const net = loadModel(flags.model);
      const predictions = flags.image ? await predictImages(net, flags.image) : await predictData(net, flags);
      const out = (line: string): void => void process.stdout.write(line + '\n');
      if (flags.json) return out(JSON.stringify({ model: flags.model, predictions }));
      for (const p of predictions) out(`${p.sample}\t${p.label}\t${p.probability}`);
    });
}

async function predictData(net: Network, flags: PredictFlags): Promise<Prediction[]> {
  // The model's n_x tells a CSV of features only from one with a label column.
  const data = await loadData(flags.data!, 'test', { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: net.config.dtype, features: net.layerDims[0] });
  return predictions(net, modelInput(net, data.X, data.source), (j) => j);
}

async function predictImages(net: Network, files: string[]): Promise<Prediction[]> {
  // The image decoders load for image inputs only.
  const { loadImageColumn } = await import('../io/image.js');
  const nx = net.layerDims[0]!;
  const columns = files.map((f) => loadImageColumn(f, nx));
  const X = Matrix.zeros(nx, files.length, net.config.dtype);
  columns.forEach((col, j) => col.forEach((v, i) => X.set(i, j, v)));
  return predictions(net, modelInput(net, X, files.join(', ')), (j) => files[j]!);
}

function predictions(net: Network, X: Matrix, id: (j: number) => number | string): Prediction[] {
  const AL = net.forward(X);
  return labelsOf(AL).map((k, j) => {
    const output = Array.from({ length: AL.rows }, (_, i) => AL.get(i, j));
    const probability = AL.rows === 1 ? (k === 1 ? output[0]! : 1 - output[0]!) : output[k]!;
    return { sample: id(j), class: k, label: className(net, k), probability, output };
  });
}
