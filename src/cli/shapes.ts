import type { Command } from 'commander';
import { dimensionTable, formatDimensionTable } from '../nn/shapes.js';
import { layerList, positiveInt } from './parsers.js';

export function shapesCommand(program: Command): void {
  program
    .command('shapes')
    .description("print the course's table of dimensions (W, b, Z, A and their gradients) for a network")
    .requiredOption('--layers <sizes>', 'hidden layer sizes, e.g. 20,7,5', layerList)
    .option('--input <n_x>', 'input size n[0]', positiveInt, 12288)
    .option('--output <n_y>', 'output size n[L]', positiveInt, 1)
    .option('--m <m>', 'number of samples', positiveInt, 209)
    .option('--json', 'print the table as JSON')
    .addHelpText('after', '\nExample:\n  $ deepnet shapes --layers 20,7,5 --input 12288 --output 1 --m 209')
    .action((opts: { layers: number[]; input: number; output: number; m: number; json?: boolean }) => {
      const layerDims = [opts.input, ...opts.layers, opts.output];
      if (opts.json) {
        process.stdout.write(JSON.stringify({ layerDims, m: opts.m, layers: dimensionTable(layerDims, opts.m) }) + '\n');
      } else {
        process.stdout.write(formatDimensionTable(layerDims, opts.m) + '\n');
      }
    });
}
