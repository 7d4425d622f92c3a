import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import type { DType } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { INITS, type InitName } from '../nn/init.js';
import { type FitOptions, Network } from '../nn/network.js';
import { firstLayerForm } from '../nn/trainLoop.js';
import { backendNames, resolveBackend, warmBackend, webgpuBackend } from '../backend/select.js';
import type { WebGpuBackend } from '../backend/webgpu/webgpu-backend.js';
import { BUILTINS, loadData, defaultTest } from '../experiment/data.js';
import { choice, layerList, nonNegativeInt, outputActivationOption, positiveInt, positiveNumber, threadCount } from './parsers.js';
import { MAX_THREADS } from '../backend/threads.js';
import { checkLabels, loadModel, modelInput } from './model.js';
import { terminalChart } from './chart.js';
import { costCurveSvg } from './plot.js';
import { addTrainingFlags, type TrainingFlags, trainingOptionsFrom } from './trainingFlags.js';
import { ConfigError, DataError, DeepnetError, FileError } from '../errors.js';
import { checkOutputPaths, dataSpecFiles } from '../io/paths.js';
import { backendDataOptions, checkMemory, evaluationBytes, processMemoryLimit } from '../nn/memory.js';
import { PRESETS } from '../nn/presets.js';
import { fitMinMax, fitStandardization } from '../data/normalize.js';
import { applyPreset, type Given } from './presets.js';
import { type ClassValue, classList, fitOutputToLabels } from '../experiment/labels.js';
import type { TrainResult } from '../experiment/trial.js';
import { optionalQueueOption, queueUrlFrom } from '../jobs/queueOption.js';
import { parseQueueUrl } from '../jobs/queueUrl.js';

interface TrainFlags extends TrainingFlags {
  preset?: string;
  label?: string;
  normalize?: 'standard' | 'minmax';
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
  threads?: number;
  printEvery: number;
  plot?: string;
  plotBoundary?: string;
  out?: string;
  resume?: string;
  json?: boolean;
  queue?: string | boolean;
  detach?: boolean;
  workerOut?: string;
}

export type { TrainResult };

export function trainCommand(program: Command): void {
  const command = program
    .command('train')
    .description("train a deep network; with no flags, the course's cat experiment ([12288, 20, 7, 5, 1], 2500 iterations)")
    .option('--data <file|builtin:NAME>', `training data: .h5, .csv, idx:IMAGES[,LABELS], idx:FOLDER or builtin:${BUILTINS.join('|')}`, 'builtin:cat')
    .option('--test <file|builtin:NAME>', "test data (default: a built-in's own test set, an idx folder's t10k files)")
    .option('--x-key <name>', 'HDF5 dataset holding the samples (default: *_x)')
    .option('--y-key <name>', 'HDF5 dataset holding the labels (default: *_y)')
    .option('--label <name>', 'CSV column holding the labels (default: the last column)')
    .option('--normalize <how>', 'scale inputs by training-set statistics, kept in the model file: standard|minmax', choice(['standard', 'minmax'] as const))
    .option('--preset <name>', `the course's networks: ${PRESETS.join('|')} (layers, activations, init, lr, iterations; flags given win)`, choice(PRESETS))
    .option('--layers <sizes>', 'hidden layer sizes ("none" for logistic regression)', layerList, [20, 7, 5])
    .option('--hidden <g>', `hidden activation: ${ACTIVATIONS.join('|')}`, choice(ACTIVATIONS), 'relu')
    .addOption(outputActivationOption())
    .option('--cost <name>', `cost: ${COSTS.join('|')}`, choice(COSTS), 'bce')
    .option('--lr <alpha>', 'learning rate', positiveNumber, 0.0075)
    .option('--iterations <n>', 'gradient-descent iterations', nonNegativeInt, 2500)
    .option('--seed <s>', "numpy seed of the initialisation", nonNegativeInt, 1)
    .option('--init <name>', `initialisation: ${INITS.join('|')}`, choice(INITS), 'xavier')
    .option('--dtype <dtype>', 'float64|float32', choice(['float64', 'float32'] as const), 'float64')
    .option('--backend <name>', 'kernels: auto|reference|wasm|webgpu (auto picks the fastest CPU kernels: wasm; webgpu is float32)', 'auto')
    .option('--threads <n>', `threads of the wasm kernels, 1-${MAX_THREADS} (default: one per core, at most 8); results do not depend on it`, threadCount)
    .option('--print-every <n>', 'print the cost every n iterations', positiveInt, 100)
    .option('--plot <file.svg|file.png>', 'draw the cost curve to an SVG or PNG file')
    .option('--plot-boundary <file.svg|file.png>', 'for 2-feature data: draw the decision boundary over the training points')
    .option('--out <file.safetensors>', 'save the trained model (written to a temporary file, then renamed)')
    .option('--resume <file.safetensors>', 'go on training a saved model (it keeps its layers, activations, cost and dtype: those flags, if given, must match)')
    .option('--json', 'print one JSON object with the results on stdout')
    .addOption(optionalQueueOption('train as a job on this Redis queue, by a `deepnet worker`, and wait for it'))
    .option('--detach', 'with --queue: print the job id and return (see `deepnet jobs`)')
    .option('--worker-out <file.safetensors>', "with --queue: the worker saves the model there, on its machine (e.g. a shared folder), instead of sending it back");
  addTrainingFlags(command)
    .addHelpText(
      'after',
      '\nExamples:\n  $ deepnet train                          # the course\'s cat experiment\n  $ deepnet train --out cat.safetensors && deepnet train --resume cat.safetensors --iterations 500 --out cat.safetensors\n  $ deepnet train --layers 7 --iterations 2500 --plot cost.svg\n  $ deepnet train --data my.h5 --test my_test.h5 --json',
    )
    .action(async (flags: TrainFlags, cmd: Command) => {
      await train(flags, cmd);
    });
}

async function train(flags: TrainFlags, cmd?: Command): Promise<void> {
  // A flag typed by the user beats --preset and the output chosen from the class count.
  const typedFlag = (flag: string): boolean => ['cli', 'env'].includes(cmd?.getOptionValueSource(flag) ?? '');
  const typed: Given = typedFlag;
  applyPreset(flags, typed);
  if (flags.epochs !== undefined) flags.iterations = flags.epochs;
  const queueUrl = queueUrlFrom(flags.queue);
  if (flags.detach && queueUrl === undefined) throw new ConfigError('--detach needs --queue');
  if (flags.workerOut !== undefined && queueUrl === undefined) throw new ConfigError('--worker-out needs --queue');
  if (flags.workerOut === '') throw new ConfigError('--worker-out: an empty file name');
  // --out may be the --resume model itself: it is read whole before training, and replaced atomically after.
  const inputs = [...dataSpecFiles(flags.data), ...dataSpecFiles(flags.test)];
  if (queueUrl !== undefined) {
    checkOutputPaths([['--out', flags.out]], inputs);
    return trainOnQueue(flags, typed, queueUrl);
  }
  // The plotting packages (an SVG rasteriser, a PNG encoder) load only for a run that plots.
  const png = flags.plot || flags.plotBoundary ? await import('./png.js') : undefined;
  if (flags.plot) png!.checkChartPath(flags.plot, '--plot');
  if (flags.plotBoundary) png!.checkChartPath(flags.plotBoundary, '--plot-boundary');
  const boundary = flags.plotBoundary ? await import('./boundary.js') : undefined;
  checkOutputPaths([['--out', flags.out], ['--plot', flags.plot], ['--plot-boundary', flags.plotBoundary]], inputs);
  // The GPU opens first: no adapter is a one-line error before any data is read.
  const gpu = flags.backend === 'webgpu' ? await openGpu(flags, typedFlag('dtype')) : undefined;
  // The kernels' threads start while the data are read (an unknown --backend is the network's error,
  // below); training does not wait for them: a thread that starts during a product joins it, and
  // one that fails to start leaves its share to the others (pool.ts), so nothing here awaits it.
  const kernels = !gpu && (flags.backend === 'auto' || backendNames().includes(flags.backend)) ? resolveBackend(flags.backend) : undefined;
  if (kernels) void warmBackend(flags.backend, flags.threads).catch(() => undefined);
  // `--resume ''` is an empty file name (an error), not no model.
  const resumed = flags.resume !== undefined ? loadModel(flags.resume, '--resume') : undefined;
  if (resumed) {
    checkResumedFlags(flags, typedFlag, resumed);
    flags.dtype = resumed.config.dtype;
  }
  // The built-in cat data are made in the kernels' own memory, where training and evaluation read them (no copy in).
  const allocate = kernels?.allocate && kernels.isResident ? kernels.allocate.bind(kernels) : undefined;
  const dataFlags = { xKey: flags.xKey, yKey: flags.yKey, label: flags.label, dtype: flags.dtype, allocate };
  const trainSet = await loadData(flags.data, 'train', dataFlags);
  const testSpec = flags.test ?? defaultTest(flags.data);
  const testSet = testSpec ? await loadData(testSpec, 'test', dataFlags) : undefined;
  // The labels' classes decide the output (K > 2: softmax + CE, one-hot); a resumed model keeps its
  // own output and classes, and both sets are mapped through them.
  let classes: ClassValue[] | null = null;
  if (resumed) {
    Object.assign(flags, { output: resumed.config.output, cost: resumed.config.cost });
    for (const set of [trainSet, testSet]) if (set) checkLabels(resumed, set, flags.resume);
  } else {
    classes = fitOutputToLabels(flags, typed, trainSet, [testSet]);
  }
  // Statistics of the training set only, kept in the model file: the network applies them to every set.
  const normalization = flags.normalize ? (flags.normalize === 'standard' ? fitStandardization : fitMinMax)(trainSet.X, `${trainSet.source} (--normalize ${flags.normalize})`) : null;
  if (resumed) {
    trainSet.X = modelInput(resumed, trainSet.X, trainSet.source);
    if (testSet) testSet.X = modelInput(resumed, testSet.X, testSet.source);
  }
  if (flags.plotBoundary && trainSet.X.rows !== 2) {
    throw new DataError(`--plot-boundary draws 2-feature data, but ${trainSet.source} has n_x = ${trainSet.X.rows} features`);
  }
  const layerDims = resumed ? [...resumed.layerDims] : [trainSet.X.rows, ...flags.layers, trainSet.Y.rows];
  const options = trainingOptionsFrom(flags);
  const keep = options.keepProb === undefined ? [] : Array.isArray(options.keepProb) ? options.keepProb : [options.keepProb];
  // The whole process: the data as loaded, the backend's own copy of them (wasm), and the test set
  // evaluated after training.
  const copies = kernels ? backendDataOptions(kernels, 'process') : {};
  checkMemory(layerDims, trainSet.X.cols, flags.dtype, {
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    dropout: keep.some((p) => p < 1),
    gram: options.gram,
    ...copies,
    otherBytes: testSet ? evaluationBytes(layerDims, testSet.X.cols, flags.dtype, copies) : 0,
    limitBytes: processMemoryLimit(),
    what: `training [${layerDims.join(', ')}] on m = ${trainSet.X.cols} (${flags.dtype})`,
  });
  const net = resumed ?? new Network({
    layerDims,
    hidden: flags.hidden,
    output: flags.output,
    cost: flags.cost,
    init: flags.init,
    seed: flags.seed,
    dtype: flags.dtype,
    backend: flags.backend,
    threads: flags.threads,
  });
  net.checkTrainingMemory(trainSet.X.cols, options);
  if (!resumed) net.classes = classes;
  if (normalization) net.normalization = normalization;

  const out = (line: string) => process.stdout.write(line + '\n');
  const fitOptions = { learningRate: flags.lr, iterations: flags.iterations, ...options };
  const form = firstLayerForm(trainSet.X, layerDims, fitOptions, 'train');
  if (gpu && !flags.json) out(`deepnet: webgpu on ${gpu.adapterName}${gpu.software ? ' (a software adapter: correct, but slower than the CPU)' : ''}`);
  if (!flags.json) {
    out(`deepnet: training [${layerDims.join(', ')}] on ${trainSet.source} (m = ${trainSet.X.cols}), ${flags.iterations} iterations, lr ${flags.lr}, ${flags.dtype}; ${form.why}`);
    // Labels other than the course's 0 and 1 became classes: said, so that a label column of 0.5s
    // or of -1 and 1 is seen as the classes it was read as.
    if (classes && !(classes.length === 2 && classes[0] === 0 && classes[1] === 1)) {
      const meaning = flags.output === 'softmax' ? 'output unit k is the k-th class' : `the output is the probability of ${classList([classes[1]!])} (against ${classList([classes[0]!])})`;
      out(`deepnet: ${classes.length} classes in the labels (${classList(classes)}): ${flags.output} + ${flags.cost}, ${meaning}`);
    }
  }
  // A progress bar on a terminal only (its package loads then).
  const bar = process.stderr.isTTY
    ? new (await import('cli-progress')).SingleBar({
        format: 'training |{bar}| {value}/{total} iterations | cost {cost} | {duration_formatted} elapsed, eta {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(flags.iterations, 0, { cost: '-' });

  const costs: [number, number][] = [];
  // Every iteration's cost, for the terminal chart.
  const curve: [number, number][] = [];
  const last = flags.iterations - 1;
  const started = performance.now();
  try {
    const runOptions: FitOptions = {
      ...fitOptions,
      onIteration: (i, J) => {
        curve.push([i, J]);
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
    };
    // The GPU reads its costs back asynchronously; the CPU kernels train synchronously.
    if (gpu) await net.fitAsync(trainSet.X, trainSet.Y, runOptions);
    else net.fit(trainSet.X, trainSet.Y, runOptions);
  } finally {
    bar?.stop();
    // Dawn's device would keep the process alive; what follows (evaluate, save) runs on the CPU.
    gpu?.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const trainAccuracy = net.evaluate(trainSet.X, trainSet.Y);
  const testAccuracy = testSet ? net.evaluate(testSet.X, testSet.Y) : null;

  // The model first: a plot that fails afterwards says so, and the trained model is kept.
  if (flags.out) writeFileAtomic(flags.out, net.toBytes(), '--out');
  const kept = (e: unknown): never => {
    if (!flags.out) throw e;
    const message = `${e instanceof Error ? e.message : String(e)} (the trained model is saved in ${flags.out})`;
    throw e instanceof DeepnetError ? Object.assign(e, { message }) : new FileError(message, { cause: e });
  };
  try {
    if (flags.plot) {
      // Every iteration's cost, not only the printed ones: the curve shows what training did.
      png!.writeChart(flags.plot, costCurveSvg(curve, { title: `Cost, learning rate ${flags.lr}, layers [${layerDims.join(', ')}]` }), '--plot');
    }
    if (flags.plotBoundary) {
      const title = `Decision boundary, layers [${layerDims.join(', ')}]`;
      png!.writeChart(flags.plotBoundary, boundary!.decisionBoundarySvg((G) => net.forward(G), trainSet.X, trainSet.Y, { title, classes: net.classes }), '--plot-boundary');
    }
  } catch (e) {
    kept(e);
  }
  const result: TrainResult = { layerDims, costs, trainAccuracy, testAccuracy, seconds, model: flags.out ?? null };
  if (flags.json) {
    out(JSON.stringify(result));
    return;
  }
  out(`Train accuracy: ${trainAccuracy}`);
  if (testAccuracy !== null) out(`Test accuracy: ${testAccuracy}`);
  out(`Time: ${seconds.toFixed(2)} s (${((seconds * 1000) / Math.max(1, flags.iterations)).toFixed(2)} ms per iteration)`);
  for (const line of terminalChart(curve)) out(line);
  if (flags.plot) out(`Cost curve: ${flags.plot}`);
  if (flags.plotBoundary) out(`Decision boundary: ${flags.plotBoundary}`);
  if (flags.out) out(`Model: ${flags.out}`);
}

/**
 * A resumed run keeps the model's layers, activations, cost and dtype, and initialises nothing: a
 * flag typed for one of them with another value would be dropped without a word (`--cost mse` went
 * on with bce, exit 0), so it is a ConfigError naming both; the model's own value is accepted.
 */
function checkResumedFlags(flags: TrainFlags, typed: (flag: keyof TrainFlags) => boolean, model: Network): void {
  const path = flags.resume!;
  const { activations, cost, dtype } = model.config;
  const hidden = [...new Set(activations.slice(0, -1))];
  const sizes = (dims: readonly number[]) => (dims.length === 0 ? 'none' : dims.join(','));
  // flag, its value, the model's, and what the model's is.
  const kept: [keyof TrainFlags, string, string, string][] = [
    ['layers', sizes(flags.layers), sizes(model.layerDims.slice(1, -1)), 'hidden layers'],
    ['hidden', flags.hidden, hidden.length === 0 ? 'none' : hidden.join(','), 'hidden activation'],
    ['output', flags.output, activations[activations.length - 1]!, 'output'],
    ['cost', flags.cost, cost, 'cost'],
    ['dtype', flags.dtype, dtype, 'dtype'],
  ];
  // A typed --preset stands for its network (its lr and iterations apply; its init and seed, as
  // any, have nothing to initialise): what it set where no flag was typed must be the model's too.
  const preset = typed('preset') ? flags.preset : undefined;
  const keeps = 'a resumed run keeps its layers, activations, cost and dtype';
  for (const [flag, given, own, what] of kept) {
    if (given === own) continue;
    if (typed(flag)) throw new ConfigError(`--${flag} ${given}: the resumed model ${path} has ${what} ${own}; ${keeps} (drop --${flag}, or train a new model without --resume)`);
    const byPreset = preset !== undefined && flag !== 'dtype' && !(flag === 'hidden' && flags.layers.length === 0);
    if (byPreset) throw new ConfigError(`--preset ${preset} has ${what} ${given}, but the resumed model ${path} has ${own}; ${keeps} (drop --preset, or train a new model without --resume)`);
  }
  if (flags.normalize) throw new ConfigError('--normalize: a resumed model keeps the normalisation it was trained with');
  for (const flag of ['seed', 'init'] as const) {
    if (typed(flag)) throw new ConfigError(`--${flag}: a resumed run starts from the parameters in ${path}, so nothing is initialised (drop --${flag})`);
  }
}

/** --backend webgpu: float32 (WebGPU has no float64), and the GPU opened or a ConfigError saying why not. */
async function openGpu(flags: TrainFlags, dtypeGiven: boolean): Promise<WebGpuBackend> {
  if (flags.resume !== undefined) throw new ConfigError('--backend webgpu trains a new network; --resume goes on with the backend the model was saved with');
  if (dtypeGiven && flags.dtype !== 'float32') throw new ConfigError('--backend webgpu computes in float32 only: WebGPU has no float64 (drop --dtype float64, or use --backend wasm)');
  flags.dtype = 'float32';
  return webgpuBackend();
}

/** train --queue: the plain gradient-descent run as a job; what a worker cannot do from a reference is refused. */
async function trainOnQueue(flags: TrainFlags, typed: Given, url: string): Promise<void> {
  const queue = parseQueueUrl(url);
  const local = { '--resume': flags.resume, '--normalize': flags.normalize, '--plot': flags.plot, '--plot-boundary': flags.plotBoundary };
  const unsupported = [...Object.entries(local).filter(([, v]) => v !== undefined).map(([k]) => k), ...Object.keys(trainingOptionsFrom(flags)).filter((k) => k !== 'gram').map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)];
  if (unsupported.length > 0) throw new ConfigError(`train --queue runs plain gradient descent without ${unsupported.join(', ')}; train locally for those`);
  // The queue's packages (BullMQ, ioredis) load only when a command uses the queue.
  const { queuedTrain } = await import('../jobs/queuedTrain.js');
  await queuedTrain({
    queue,
    detach: flags.detach === true,
    json: flags.json === true,
    data: flags.data,
    test: flags.test,
    xKey: flags.xKey,
    yKey: flags.yKey,
    label: flags.label,
    dtype: flags.dtype,
    backend: flags.backend,
    trial: { learningRate: flags.lr, layers: flags.layers, hidden: flags.hidden, output: flags.output, cost: flags.cost, init: flags.init, seed: flags.seed, iterations: flags.iterations, ...(flags.gram ? { gram: flags.gram } : {}) },
    given: (['output', 'cost'] as const).filter((f) => typed(f)),
    printEvery: flags.printEvery,
    out: flags.out,
    workerOut: flags.workerOut,
    chart: (points) => terminalChart(points),
  });
}
