import type { ActivationKernel } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { ConfigError, DivergenceError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
import type { Callback, EpochLogs, History, TrainingContext } from './callbacks.js';
import { costFunction } from './costs.js';
import { watchDivergence } from './divergence.js';
import { accuracy, layerActivations, lModelBackward, lModelForward, type ModelOptions, predict } from './model.js';
import { chooseForm, type GramChoice, GramFirstLayer } from './gram.js';
import { gatherColumns, miniBatchColumns, randomMiniBatches } from './minibatch.js';
import { argmaxColumns } from './softmax.js';
import { createOptimizer } from './optimizers.js';
import { layerDimsOf, numLayers, type Parameters } from './parameters.js';
import { addL2Gradients, computeCostWithRegularization, dropoutBackward, keepProbPerLayer, lModelForwardWithDropout } from './regularization.js';
import { withResidentData, withResidentDataAsync } from './resident.js';
import type { Workspace } from './workspace.js';
import { checkTrainingData } from './trainingChecks.js';
import { type ResolvedTrainingOptions, resolveTrainingOptions, type TrainingOptions } from './trainingOptions.js';

// The training loop with the options of the course's second course: mini-batches, optimisers,
// learning-rate decay, L2, dropout, validation and callbacks. With the defaults (full batch, gd, no
// regulariser) each iteration is the core's gradientDescent step, operation for operation, so the
// course's costs come out the same to the last bit.
//
// The loop is a generator that yields each callback call; trainLoop runs it synchronously and
// trainLoopAsync awaits what callbacks return, so both share one loop.

interface HookCall {
  callback: Callback;
  hook: keyof Callback;
  args: unknown[];
}

function* calls(callbacks: readonly Callback[], hook: keyof Callback, args: unknown[], after?: () => void): Generator<HookCall> {
  for (const callback of callbacks) {
    if (!callback[hook]) continue;
    yield { callback, hook, args };
    after?.();
  }
}

/** The training set a run fits after its validation split, and the set it validates on. */
function splitData(X: Matrix, Y: Matrix, o: ResolvedTrainingOptions): { Xt: Matrix; Yt: Matrix; validation: [Matrix, Matrix] | undefined } {
  if (o.validationData || o.validationSplit === 0) return { Xt: X, Yt: Y, validation: o.validationData };
  const mTrain = Math.floor(X.cols * (1 - o.validationSplit));
  return { Xt: X.sliceColumns(0, mTrain), Yt: Y.sliceColumns(0, mTrain), validation: [X.sliceColumns(mTrain, X.cols), Y.sliceColumns(mTrain, X.cols)] };
}

/** The form layer 1 of this run trains in (nn/gram.ts), from options already resolved. */
function formOf(X: Matrix, layerDims: readonly number[], o: ResolvedTrainingOptions, where: string): GramChoice {
  const m = o.validationData || o.validationSplit === 0 ? X.cols : Math.floor(X.cols * (1 - o.validationSplit));
  return chooseForm(
    o.gram,
    {
      n0: layerDims[0]!,
      n1: layerDims[1]!,
      m,
      dtype: X.dtype,
      optimizer: o.optimizer,
      epochs: o.epochs,
      batches: o.batchSize === undefined ? 1 : Math.ceil(m / o.batchSize),
      lambd: o.lambd,
      readsEveryEpoch: o.validationData !== undefined || o.validationSplit > 0 || o.callbacks.some((c) => c.onEpochEnd || c.onEpochBegin || c.onBatchEnd),
    },
    where,
  );
}

/**
 * Which form the first layer of a training run with these options trains in: gram true for the Gram
 * form, and one line that says so and why (the CLI prints it first). Checks the options as fit does.
 */
export function firstLayerForm(X: Matrix, layerDims: readonly number[], options: TrainingOptions = {}, where = 'fit'): GramChoice {
  return formOf(X, layerDims, resolveTrainingOptions(options, X.cols, layerDims.length - 1, where), where);
}

function* loop(
  X: Matrix,
  Y: Matrix,
  parameters: Parameters,
  options: TrainingOptions,
  model: ModelOptions,
  where: string,
  workspace: Workspace,
): Generator<HookCall, History> {
  const layerDims = layerDimsOf(parameters);
  checkTrainingData(X, Y, layerDims, where);
  const L = numLayers(parameters);
  const o = resolveTrainingOptions(options, X.cols, L, where);
  const costName = model.cost ?? 'bce';
  const cost = costFunction(costName);

  const { Xt, Yt, validation } = splitData(X, Y, o);
  if (o.validationData) checkTrainingData(o.validationData[0], o.validationData[1], layerDims, `${where} validationData`);
  const output = layerActivations(L, model)[L - 1]!.name;
  // Classifiers report accuracy: 0/1 labels for sigmoid, class indices (from one-hot Y) for softmax.
  const classifies = output === 'sigmoid' || output === 'softmax';

  const keep = keepProbPerLayer(o.keepProb, L);
  const dropout = keep.some((p) => p < 1);
  const dropoutRng = dropout ? new NumpyRandom(o.dropoutSeed) : undefined;
  const optimizer = createOptimizer(o.optimizer, parameters, o);
  // Layer 1 in Gram form: W1 is materialised when something reads it, and the optimiser updates the rest.
  let gram = formOf(X, layerDims, o, where).gram ? new GramFirstLayer(getBackend(), Xt, parameters.W1!, o.optimizer === 'momentum') : undefined;
  const rest: Parameters = Object.fromEntries(Object.entries(parameters).filter(([k]) => k !== 'W1'));
  // The loop reads its own view of the parameters. During a Gram run the caller's object (a
  // Network's parameters, which onIteration and callbacks may read) gives W1 through a getter that
  // materialises it first, so no reader ever sees a stale W1; a write goes into W1 and restarts the form.
  const params: Parameters = gram ? { ...parameters } : parameters;
  const W1 = parameters.W1!;
  const exposeW1 = (lazy: boolean): void => {
    Object.defineProperty(
      parameters,
      'W1',
      lazy
        ? {
            configurable: true,
            enumerable: true,
            get: () => {
              gram?.show();
              return W1;
            },
            set: (M: Matrix) => {
              gram?.show();
              if (M.rows !== W1.rows || M.cols !== W1.cols || M.dtype !== W1.dtype) {
                throw new ShapeError(`${where}: W1 is (${W1.rows}, ${W1.cols}) ${W1.dtype} during training; a callback assigned a (${M.rows}, ${M.cols}) ${M.dtype} matrix`);
              }
              W1.data.set(M.data);
            },
          }
        : { configurable: true, enumerable: true, writable: true, value: W1 },
    );
  };
  if (gram) exposeW1(true);
  // After a callback: one that wrote W1 starts the form again from it, or hands layer 1 to the direct form.
  const afterCallback = (): void => {
    if (!gram?.changed() || gram.rebase()) return;
    if (optimizer.velocity) gram.velocity(optimizer.velocity.dW1!);
    gram.dispose();
    gram = undefined;
    exposeW1(false);
  };

  let stopRequested = false;
  const context: TrainingContext = {
    // W1 materialises when it is read (see exposeW1).
    get parameters() {
      return parameters;
    },
    stopTraining: () => void (stopRequested = true),
    get stopRequested() {
      return stopRequested;
    },
  };
  const history: History = { epoch: [], loss: [], learningRate: [], stoppedEarly: false };
  if (validation) {
    history.valLoss = [];
    if (classifies) history.valAccuracy = [];
  }
  let lastLogs: EpochLogs | undefined;
  let t = 0;
  const watch = watchDivergence({ cost: costName, units: Y.rows, m: Xt.cols, learningRate: o.learningRate, step: o.batchSize === undefined ? 'iteration' : 'epoch' });

  try {
    yield* calls(o.callbacks, 'onTrainBegin', [{}, context], afterCallback);
    for (let epoch = 0; epoch < o.epochs && !stopRequested; epoch++) {
      const learningRate = o.learningRate / (1 + o.decayRate * Math.floor(epoch / o.decayInterval));
      if (o.callbacks.length > 0) yield* calls(o.callbacks, 'onEpochBegin', [epoch, { learningRate }, context], afterCallback);
      // The Gram form reads its batch's columns of K and C0, never X's: it gathers only Y.
      const columns = gram && o.batchSize !== undefined ? miniBatchColumns(Xt.cols, o.batchSize, o.shuffleSeed + 1 + epoch) : null;
      const batches: [Matrix, Matrix][] = columns
        ? columns.map((c) => [Xt, gatherColumns(Yt, c)])
        : o.batchSize === undefined
          ? [[Xt, Yt]]
          : randomMiniBatches(Xt, Yt, o.batchSize, o.shuffleSeed + 1 + epoch);
      let epochCost = 0;
      let weighted = 0;
      let seen = 0;
      let ran = 0;
      for (let b = 0; b < batches.length && !stopRequested; b++) {
        const batch = batches[b]!;
        const Xb = batch[0];
        const Yb = batch[1];
        const mb = Yb.cols;
        const batchColumns = columns?.[b] ?? null;
        const layer = gram;
        const first = layer ? (act: ActivationKernel) => layer.forward(batchColumns, params.b1!, act) : undefined;
        // Every matrix of a step comes from the workspace, reused by the next step; callbacks run outside it.
        // This loop runs unoptimised for thousands of iterations (V8 optimises a function this long
        // late): its hooks are skipped when there are no callbacks, its results read without
        // destructuring (an iterator each in unoptimised code).
        workspace.nextIteration();
        const { AL, caches, masks, J } = workspace.run(() => {
          const out = dropoutRng ? lModelForwardWithDropout(Xb, params, keep, dropoutRng, model, first) : lModelForward(Xb, params, model, first);
          const AL = out[0];
          return { AL, caches: out[1], masks: out[2] ?? [], J: o.lambd > 0 ? computeCostWithRegularization(AL, Yb, params, o.lambd, costName, layer?.squares()) : cost.cost(AL, Yb) };
        });
        if (!Number.isFinite(J)) {
          const at = batches.length === 1 ? `iteration ${epoch}` : `epoch ${epoch}, mini-batch ${b}`;
          const last = history.loss.length ? `the last finite epoch cost was ${history.loss[history.loss.length - 1]} at epoch ${history.loss.length - 1}` : 'no finite cost came before it';
          throw new DivergenceError(`training diverged: the cost is ${J} at ${at}; ${last}. Try a smaller learning rate (it is ${learningRate}).`);
        }
        ran++;
        if (batches.length === 1) {
          epochCost = J;
          // Full batch: report the cost before the update, and stop before it when asked, as gradientDescent does.
          const goOn = o.onIteration?.(epoch, J);
          afterCallback();
          if (goOn === false) {
            stopRequested = true;
            break;
          }
        } else {
          weighted += J * mb;
          seen += mb;
        }
        t++;
        workspace.run(() => {
          const grads = lModelBackward(AL, Yb, caches, { ...model, computeDA0: false, computeDW1: !layer, maskDA: dropoutRng ? dropoutBackward(masks, keep) : undefined });
          if (o.lambd > 0) addL2Gradients(grads, params, o.lambd, mb, layer ? 2 : 1);
          optimizer.update(layer ? rest : params, grads, learningRate, t);
          layer?.update(grads.dZ1!, batchColumns, learningRate, o.lambd, o.optimizer === 'momentum' ? o.beta : undefined);
        });
        if (o.callbacks.length > 0) yield* calls(o.callbacks, 'onBatchEnd', [b, { loss: J, size: mb }, context], afterCallback);
      }
      // A callback stopped training before this epoch's first batch: the epoch did not happen.
      if (ran === 0) break;
      if (batches.length > 1) {
        // The course's cost_total / m (over the samples seen, if a callback stopped mid-epoch).
        epochCost = weighted / seen;
        if (o.onIteration?.(epoch, epochCost) === false) stopRequested = true;
        afterCallback();
      }
      watch.check(epoch, epochCost);
      if (o.printEvery > 0 && (epoch % o.printEvery === 0 || epoch === o.epochs - 1)) console.log(`Cost after iteration ${epoch}: ${epochCost}`);
      const logs: EpochLogs = { loss: epochCost, learningRate };
      if (validation) {
        const [Xv, Yv] = validation;
        gram?.materialise();
        logs.valLoss = cost.cost(lModelForward(Xv, params, model)[0], Yv);
        history.valLoss!.push(logs.valLoss);
        if (classifies) {
          logs.valAccuracy = accuracy(predict(Xv, params, model), output === 'softmax' ? argmaxColumns(Yv) : Yv);
          history.valAccuracy!.push(logs.valAccuracy);
        }
      }
      history.epoch.push(epoch);
      history.loss.push(epochCost);
      history.learningRate.push(learningRate);
      lastLogs = logs;
      if (o.callbacks.length > 0) yield* calls(o.callbacks, 'onEpochEnd', [epoch, logs, context], afterCallback);
    }
    if (!stopRequested) watch.finish();
    history.stoppedEarly = stopRequested && history.epoch.length < o.epochs;
    yield* calls(o.callbacks, 'onTrainEnd', [lastLogs, context], afterCallback);
    return history;
  } finally {
    // The parameters end holding W1 whichever way the run ends (a diverged run's last W1 included).
    gram?.materialise();
    gram?.dispose();
    if (gram) exposeW1(false);
  }
}

function invoke(call: HookCall): unknown {
  return (call.callback[call.hook] as (...args: unknown[]) => unknown).apply(call.callback, call.args);
}

/**
 * Trains `parameters` in place on (X, Y) with the given options; returns the History (history.loss:
 * the cost of every epoch). Callbacks must be synchronous here: one that returns a promise is an
 * error that says to use trainLoopAsync (Network.fitAsync).
 */
export function trainLoop(X: Matrix, Y: Matrix, parameters: Parameters, options: TrainingOptions = {}, model: ModelOptions = {}, where = 'fit'): History {
  return withResidentData(X, Y, parameters, (X, Y, workspace) => {
    const run = loop(X, Y, parameters, options, model, where, workspace);
    try {
      for (let step = run.next(); ; step = run.next()) {
        if (step.done) return step.value;
        const out = invoke(step.value);
        if (out instanceof Promise) {
          out.catch(() => undefined);
          throw new ConfigError(`${where}: callback ${step.value.hook} returned a promise; the synchronous ${where} cannot wait for it: use fitAsync (or trainLoopAsync)`);
        }
      }
    } finally {
      // A callback that threw leaves the loop suspended: end it, so that it leaves the parameters whole.
      run.return(undefined as never);
    }
  });
}

/** trainLoop that awaits each callback (async callbacks: saving checkpoints, drawing, yielding to the UI). */
export async function trainLoopAsync(
  X: Matrix,
  Y: Matrix,
  parameters: Parameters,
  options: TrainingOptions = {},
  model: ModelOptions = {},
  where = 'fitAsync',
  /** Wraps each synchronous stretch of training, e.g. in withBackend (whose scope cannot span an await). */
  around: <T>(fn: () => T) => T = (fn) => fn(),
): Promise<History> {
  return withResidentDataAsync(around(getBackend), X, Y, parameters, async (X, Y, workspace) => {
    const run = loop(X, Y, parameters, options, model, where, workspace);
    try {
      for (let step = around(() => run.next()); ; step = around(() => run.next())) {
        if (step.done) return step.value;
        await invoke(step.value);
      }
    } finally {
      around(() => run.return(undefined as never));
    }
  });
}
