import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputPath } from '../io/paths.js';
import { loadModel } from './model.js';

interface ExportFlags {
  model?: string;
  onnx: string;
  json?: boolean;
}

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('export a saved model to ONNX (input X: (batch, n_x), samples as rows; output: probabilities (batch, n_L))')
    .argument('[model]', 'the model file, as --model gives it')
    .option('--model <file>', 'a model file written by train --out (.safetensors)')
    .requiredOption('--onnx <file>', 'the ONNX file to write')
    .option('--json', 'print one JSON object describing the export on stdout')
    .addHelpText(
      'after',
      '\nONNX puts samples in rows, so the graph computes A·Wᵀ + bᵀ per layer (Gemm, transB = 1) in float32.\n\nExamples:\n  $ deepnet export --model cat.safetensors --onnx cat.onnx\n  $ deepnet export cat.safetensors --onnx cat.onnx --json',
    )
    .action(async (positional: string | undefined, flags: ExportFlags, cmd: Command) => {
      if (positional !== undefined && flags.model !== undefined && positional !== flags.model) {
        cmd.error(`error: export: the model is given twice (${positional} and --model ${flags.model}); give it once`, { exitCode: 2 });
      }
      const model = flags.model ?? positional;
      if (model === undefined) cmd.error("error: required option '--model <file>' not specified", { exitCode: 2 });
      checkOutputPath(flags.onnx, '--onnx', [model]);
      const net = loadModel(model, '--model');
      const { layerDims, activations, leakySlope } = net.config;
      // The protobuf encoder loads for an export only, not with every command.
      const { exportOnnx } = await import('../io/onnx.js');
      const bytes = exportOnnx(net.parameters, { layerDims, activations, leakySlope, classes: net.classes });
      writeFileAtomic(flags.onnx, bytes, '--onnx');
      const result = { model, onnx: flags.onnx, bytes: bytes.length, layerDims, input: ['batch', layerDims[0]], output: ['batch', layerDims[net.L]] };
      if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(`wrote ${flags.onnx} (${bytes.length} bytes): input X (batch, ${layerDims[0]}), output probabilities (batch, ${layerDims[net.L]})\n`);
    });
}
