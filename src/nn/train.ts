import { DivergenceError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { type CostName, costFunction } from './costs.js';
import { watchDivergence } from './divergence.js';
import { initializeParameters, initializeParametersDeep, type InitName } from './init.js';
import { lModelBackward, lModelForward, type ModelOptions, updateParameters } from './model.js';
import { layerDimsOf, type Parameters } from './parameters.js';
import { withResidentData } from './resident.js';
import { checkIterations, checkLearningRate, checkTrainingData } from './trainingChecks.js';
import { firstLayerForm, trainLoop } from './trainLoop.js';
import type { TrainingOptions } from './trainingOptions.js';

export interface GradientDescentOptions extends ModelOptions {
  /** α (default 0.0075, the course's). */
  learningRate?: number;
  /** Number of full-batch iterations (default 2500). */
  iterations?: number;
  /** Called after each iteration's forward pass with the cost before its update; return false to stop. */
  onIteration?: (iteration: number, cost: number) => void | boolean;
}

/**
 * Full-batch gradient descent as the course runs it: forward, cost, backward, update, for each
 * iteration. Updates `parameters` in place and returns the cost of every iteration (before its update).
 * A cost that is NaN or Infinity stops training with a TrainingError naming the iteration.
 */
export function gradientDescent(X: Matrix, Y: Matrix, parameters: Parameters, options: GradientDescentOptions = {}): number[] {
  const { learningRate = 0.0075, iterations = 2500, onIteration } = options;
  checkLearningRate(learningRate);
  checkIterations(iterations);
  checkTrainingData(X, Y, layerDimsOf(parameters));
  const cost = costFunction(options.cost ?? 'bce');
  const costs: number[] = [];
  const watch = watchDivergence({ cost: cost.name, units: Y.rows, m: X.cols, learningRate, step: 'iteration' });
  withResidentData(X, Y, parameters, (X, Y, workspace) => {
    for (let i = 0; i < iterations; i++) {
      // Every matrix of an iteration comes from the workspace, reused by the next one; the
      // callback runs outside it.
      workspace.nextIteration();
      const [AL, caches, J] = workspace.run(() => {
        const [AL, caches] = lModelForward(X, parameters, options);
        return [AL, caches, cost.cost(AL, Y)] as const;
      });
      if (!Number.isFinite(J)) {
        const last = costs.length ? `the last finite cost was ${costs[costs.length - 1]} at iteration ${costs.length - 1}` : 'no finite cost came before it';
        throw new DivergenceError(
          `training diverged: the cost is ${J} at iteration ${i}; ${last}. Try a smaller learning rate (it is ${learningRate}).`,
        );
      }
      watch.check(i, J);
      costs.push(J);
      if (onIteration?.(i, J) === false) return;
      workspace.run(() => {
        const grads = lModelBackward(AL, Y, caches, { ...options, computeDA0: false });
        updateParameters(parameters, grads, learningRate, { inPlace: true });
      });
    }
    watch.finish();
  });
  return costs;
}

const COURSE_TRAINING_KEYS = ['batchSize', 'optimizer', 'beta', 'beta1', 'beta2', 'epsilon', 'decayRate', 'decayInterval', 'lambd', 'keepProb', 'shuffleSeed', 'dropoutSeed', 'gram'] as const;

/** The options of the course's second course (mini-batches, optimisers, decay, L2, dropout); see TrainingOptions. */
export type CourseTrainingOptions = Pick<TrainingOptions, (typeof COURSE_TRAINING_KEYS)[number]>;

export interface CourseModelOptions extends Omit<GradientDescentOptions, 'iterations'>, CourseTrainingOptions {
  /** The course's num_iterations (default 3000); with mini-batches, the number of epochs. */
  numIterations?: number;
  /** Print "Cost after iteration i: J" every 100 iterations and at the last, as the course does. */
  printCost?: boolean;
  seed?: number;
  init?: InitName;
}

export interface CourseModelResult {
  parameters: Parameters;
  /** The cost every 100 iterations (the course's costs list). */
  costs: number[];
  /** The cost of every iteration. */
  allCosts: number[];
}

function courseRun(X: Matrix, Y: Matrix, parameters: Parameters, options: CourseModelOptions): CourseModelResult {
  const { numIterations = 3000, printCost = false } = options;
  const costs: number[] = [];
  const onIteration = (i: number, J: number) => {
    if (i % 100 === 0 || i === numIterations - 1) {
      if (printCost) console.log(`Cost after iteration ${i}: ${J}`);
    }
    if (i % 100 === 0) costs.push(J);
    return options.onIteration?.(i, J);
  };
  // Any option of the second course, or the first layer in Gram form, runs the general training
  // loop; none, the course's own.
  const training = Object.fromEntries(COURSE_TRAINING_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  const loopOptions = { ...training, learningRate: options.learningRate ?? 0.0075, epochs: numIterations, onIteration };
  const plain = Object.keys(training).every((k) => k === 'gram') && !firstLayerForm(X, layerDimsOf(parameters), loopOptions, 'lLayerModel').gram;
  const allCosts = plain
    ? gradientDescent(X, Y, parameters, { ...options, iterations: numIterations, onIteration })
    : trainLoop(X, Y, parameters, loopOptions, options, 'lLayerModel').loss;
  return { parameters, costs, allCosts };
}

/**
 * The course's L_layer_model: [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID, initialised with
 * initialize_parameters_deep (seed 1), trained by full-batch gradient descent.
 */
export function lLayerModel(X: Matrix, Y: Matrix, layerDims: readonly number[], options: CourseModelOptions = {}): CourseModelResult {
  const parameters = initializeParametersDeep(layerDims, { seed: options.seed ?? 1, init: options.init, dtype: X.dtype });
  return courseRun(X, Y, parameters, options);
}

/**
 * The course's two_layer_model: LINEAR->RELU->LINEAR->SIGMOID with layersDims = [n_x, n_h, n_y],
 * initialised with initialize_parameters (seed 1, × 0.01).
 */
export function twoLayerModel(
  X: Matrix,
  Y: Matrix,
  layersDims: readonly [number, number, number],
  options: CourseModelOptions = {},
): CourseModelResult {
  const [nX, nH, nY] = layersDims;
  const parameters = initializeParameters(nX, nH, nY, { seed: options.seed ?? 1, dtype: X.dtype });
  return courseRun(X, Y, parameters, { ...options, activations: undefined, hidden: 'relu', output: 'sigmoid' });
}

export type { CostName };
