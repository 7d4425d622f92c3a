import type { WebGpuBackend } from '../backend/webgpu/webgpu-backend.js';
import { ConfigError, DivergenceError, TrainingError } from '../errors.js';
import { getBackend } from '../backend/select.js';
import { Matrix } from '../matrix.js';
import { watchDivergence } from './divergence.js';
import type { GramChoice } from './gram.js';
import { layerActivations, type ModelOptions } from './model.js';
import { layerDimsOf, numLayers, type Parameters } from './parameters.js';
import { checkIterations, checkLearningRate, checkTrainingData } from './trainingChecks.js';
import { isPlainGradientDescent, type ResolvedTrainingOptions } from './trainingOptions.js';

// The course's full-batch gradient descent on the GPU. One iteration (forward, cost, backward,
// update) is built once as a list of dispatches over buffers that stay on the GPU, and replayed;
// the cost kernel appends each iteration's cost to a buffer, so the CPU reads back only the costs
// and the parameters, once every `readEvery` iterations. onIteration still sees every cost, and a
// stop or a divergence at iteration i leaves the parameters exactly as the CPU loop would: the
// iterations of that batch before i are run again from the batch's first parameters.
//
// With `gram`, layer 1 trains in Gram form as on the CPU (nn/gram.ts): K = Xᵀ·X and C0 = W0·X once,
// then Z[1] = C0 + U·K + b[1] and U := U - (α/m)·dZ[1] (gradient descent keeps s = 1). The GPU
// holds U in place of W[1]; W[1] = W0 + U·Xᵀ is computed once, on the CPU, when the run ends.

export interface GpuTrainingOptions {
  learningRate: number;
  iterations: number;
  /** Called with each iteration's cost (before its update), in order; false stops before that update. */
  onIteration?: (iteration: number, cost: number) => void | boolean | Promise<void | boolean>;
  /** Iterations between readbacks (default 32): more is less waiting on the GPU, fewer is livelier progress. */
  readEvery?: number;
  /** Layer 1 in Gram form (the caller decides, as fit does: firstLayerForm). */
  gram?: boolean;
}

/**
 * The GPU run of resolved fit options: the course's full-batch gradient descent, with its printing.
 * What else the CPU loop offers (mini-batches, optimisers, decay, L2, dropout, validation,
 * callbacks) is a ConfigError that says so, never silently dropped.
 */
export function gpuFitOptions(o: ResolvedTrainingOptions, where: string, gram?: GramChoice): GpuTrainingOptions {
  if (!isPlainGradientDescent(o)) {
    throw new ConfigError(
      `${where}: the webgpu backend trains with the course's full-batch gradient descent only; mini-batches, optimisers other than gd, decay, L2, dropout, validation and callbacks train on backend 'wasm'`,
    );
  }
  const { learningRate, epochs: iterations, printEvery, onIteration } = o;
  return {
    learningRate,
    iterations,
    gram: gram?.gram,
    onIteration: (i, J) => {
      if (printEvery > 0 && (i % printEvery === 0 || i === iterations - 1)) console.log(`Cost after iteration ${i}: ${J}`);
      return onIteration?.(i, J);
    },
  };
}

/** Full-batch gradient descent of `parameters` on (X, Y) on the GPU; returns every iteration's cost. */
export async function gradientDescentOnGpu(
  gpu: WebGpuBackend,
  X: Matrix,
  Y: Matrix,
  parameters: Parameters,
  options: GpuTrainingOptions,
  model: ModelOptions = {},
  where = 'fitAsync',
): Promise<number[]> {
  const { learningRate, iterations, onIteration } = options;
  const readEvery = options.readEvery ?? 32;
  checkLearningRate(learningRate);
  checkIterations(iterations);
  if (!Number.isInteger(readEvery) || readEvery < 1) throw new ConfigError(`${where}: readEvery must be a positive integer, got ${readEvery}`);
  // Every shape and kind is checked before anything is dispatched.
  const layerDims = layerDimsOf(parameters);
  checkTrainingData(X, Y, layerDims, where);
  const L = numLayers(parameters);
  for (const [name, M] of [['X', X], ['Y', Y], ...Object.entries(parameters)] as [string, Matrix][]) {
    if (M.dtype !== 'float32') throw new ConfigError(`${where}: the webgpu backend computes in float32 only (WebGPU has no float64), but ${name} is ${M.dtype}`);
  }
  const acts = layerActivations(L, model);
  const cost = model.cost ?? 'bce';
  const softmaxOut = acts[L - 1]!.name === 'softmax';
  if (softmaxOut !== (cost === 'ce')) {
    throw new ConfigError(`${where}: the webgpu backend trains a softmax output with cost 'ce' only (got output ${acts[L - 1]!.name} with cost '${cost}')`);
  }
  const m = X.cols;
  const held: Matrix[] = [];
  const gpuMatrix = (rows: number, cols: number, from?: Matrix): Matrix => {
    const M = gpu.allocate(rows, cols, 'float32');
    held.push(M);
    if (from) {
      M.data.set(from.data);
      gpu.write(M);
    }
    return M;
  };

  try {
    const Xg = gpuMatrix(X.rows, m, X);
    const Yg = gpuMatrix(Y.rows, m, Y);
    const W: Matrix[] = [];
    const b: Matrix[] = [];
    const Z: Matrix[] = [];
    const A: Matrix[] = [Xg];
    const dZ: Matrix[] = [];
    const dA: Matrix[] = [];
    const dW: Matrix[] = [];
    const db: Matrix[] = [];
    for (let l = 1; l <= L; l++) {
      W[l] = gpuMatrix(layerDims[l]!, layerDims[l - 1]!, parameters[`W${l}`]);
      b[l] = gpuMatrix(layerDims[l]!, 1, parameters[`b${l}`]);
      Z[l] = gpuMatrix(layerDims[l]!, m);
      A[l] = gpuMatrix(layerDims[l]!, m);
      dZ[l] = gpuMatrix(layerDims[l]!, m);
      if (l < L) dA[l] = gpuMatrix(layerDims[l]!, m);
      dW[l] = gpuMatrix(layerDims[l]!, layerDims[l - 1]!);
      db[l] = gpuMatrix(layerDims[l]!, 1);
    }
    // dAL, or dZ[L] itself for softmax + ce.
    const grad = softmaxOut ? dZ[L]! : gpuMatrix(layerDims[L]!, m);
    const costs = gpuMatrix(1, readEvery);
    const counter = gpuMatrix(1, 1);
    // The Gram form's K, C0 and U (W[1] on the GPU keeps W0): computed once, before the first iteration.
    const gram = options.gram
      ? { K: gpuMatrix(m, m), C0: gpuMatrix(layerDims[1]!, m), U: gpuMatrix(layerDims[1]!, m, Matrix.zeros(layerDims[1]!, m, 'float32')) }
      : undefined;
    if (gram) {
      // K and C0 are sums over all n[0] features (12288 for the cat data), computed once and used by
      // every iteration: in float64 on the CPU kernels, rounded once to float32. Summed in float32
      // on the GPU they drift the cat run off the course's accuracies; the CPU's float32 Gram form
      // stays on them because its kernels add blocks of 512 products, not one long running sum.
      const X64 = X.astype('float64');
      const K64 = Matrix.zeros(m, m, 'float64');
      const C064 = Matrix.zeros(layerDims[1]!, m, 'float64');
      getBackend().gemm(true, false, 1, X64, X64, 0, K64);
      getBackend().gemm(false, false, 1, parameters.W1!.astype('float64'), X64, 0, C064);
      gram.K.data.set(K64.data);
      gram.C0.data.set(C064.data);
      gpu.write(gram.K);
      gpu.write(gram.C0);
    }

    const iteration = gpu.capture(() => {
      for (let l = 1; l <= L; l++) {
        if (l === 1 && gram) {
          gpu.gemm(false, false, 1, gram.U, gram.K, 0, Z[1]!);
          gpu.axpy(1, gram.C0, Z[1]!);
        } else {
          gpu.gemm(false, false, 1, W[l]!, A[l - 1]!, 0, Z[l]!);
        }
        if (l === L && softmaxOut) {
          gpu.addBias(Z[l]!, b[l]!);
          gpu.softmax(Z[l]!, A[l]!);
        } else {
          gpu.biasActivationForward(acts[l - 1]!, Z[l]!, b[l]!, A[l]!);
        }
      }
      gpu.costGradient(cost, A[L]!, Yg, grad, costs, counter);
      let dAl = grad;
      for (let l = L; l >= 1; l--) {
        if (!(l === L && softmaxOut)) gpu.activationBackward(acts[l - 1]!, dAl, Z[l]!, A[l]!, dZ[l]!);
        // In Gram form dW[1] = (1/m) dZ[1]·Xᵀ is never formed: the update below moves U by dZ[1].
        if (!(l === 1 && gram)) gpu.gemm(false, true, 1 / m, dZ[l]!, A[l - 1]!, 0, dW[l]!);
        gpu.rowSums(dZ[l]!, 1 / m, db[l]!);
        if (l > 1) {
          gpu.gemm(true, false, 1, W[l]!, dZ[l]!, 0, dA[l - 1]!);
          dAl = dA[l - 1]!;
        }
      }
      for (let l = 1; l <= L; l++) {
        if (l === 1 && gram) gpu.axpy(-learningRate / m, dZ[1]!, gram.U);
        else gpu.axpy(-learningRate, dW[l]!, W[l]!);
        gpu.axpy(-learningRate, db[l]!, b[l]!);
      }
    });
    // What the GPU trains and the caller's copy of it: in Gram form, U in W[1]'s place.
    const U = gram ? Matrix.zeros(layerDims[1]!, m, 'float32') : undefined;
    const gpuParameters = Array.from({ length: L }, (_, i) => [i === 0 && gram ? gram.U : W[i + 1]!, b[i + 1]!]).flat();
    const callerParameters = Array.from({ length: L }, (_, i) => [i === 0 && U ? U : parameters[`W${i + 1}`]!, parameters[`b${i + 1}`]!]).flat();
    // In Gram form the caller's W[1] is W0 + U·Xᵀ of the last readback, computed when it is read
    // (onIteration may read it) and when the run ends.
    const W1 = parameters.W1!;
    const W0 = U ? W1.data.slice() : undefined;
    let fresh = true;
    /** W[1] = W0 + U·Xᵀ from the caller's U (the state of the last readback), on the CPU kernels. */
    const materialise = (): void => {
      if (!U || fresh) return;
      W1.data.set(W0!);
      getBackend().gemm(false, true, 1, U, X, 1, W1);
      fresh = true;
    };
    if (U) {
      Object.defineProperty(parameters, 'W1', {
        configurable: true,
        enumerable: true,
        get: () => {
          materialise();
          return W1;
        },
      });
    }

    /** Runs n iterations from the GPU's parameters and reads their costs and the parameters after them. */
    const run = async (first: number, n: number): Promise<void> => {
      counter.data[0] = 0;
      gpu.write(counter);
      gpu.replay(iteration, n);
      try {
        await gpu.read(costs, ...gpuParameters);
      } catch (e) {
        if (!(e instanceof TrainingError)) throw e;
        // A lost device: the parameters of the last readback, W[1] included.
        materialise();
        throw new TrainingError(`${e.message} during iterations ${first} to ${first + n - 1}; the parameters are kept as of iteration ${first} (the last readback)`, { cause: e });
      }
    };
    /** Sends the caller's parameters (as of iteration `from`) back up and runs to iteration `to`. */
    const rewind = async (from: number, to: number): Promise<void> => {
      for (let p = 0; p < gpuParameters.length; p++) {
        gpuParameters[p]!.data.set(callerParameters[p]!.data);
        gpu.write(gpuParameters[p]!);
      }
      if (to > from) {
        await run(from, to - from);
        keep();
      }
    };
    const keep = (): void => {
      for (let p = 0; p < gpuParameters.length; p++) callerParameters[p]!.data.set(gpuParameters[p]!.data);
      fresh = !U;
    };

    // The CPU loop's watch (nn/divergence.ts): a cost pinned at the clamp or far above its start.
    const watch = watchDivergence({ cost, units: layerDims[L]!, m, learningRate, step: 'iteration' });
    const history: number[] = [];
    for (let first = 0; first < iterations; first += readEvery) {
      const n = Math.min(readEvery, iterations - first);
      await run(first, n);
      for (let k = 0; k < n; k++) {
        const i = first + k;
        const J = costs.data[k]!;
        if (!Number.isFinite(J)) {
          await rewind(first, i);
          materialise();
          const last = history.length ? `the last finite cost was ${history[history.length - 1]} at iteration ${history.length - 1}` : 'no finite cost came before it';
          throw new DivergenceError(`training diverged: the cost is ${J} at iteration ${i}; ${last}. Try a smaller learning rate (it is ${learningRate}).`);
        }
        history.push(J);
        if ((await onIteration?.(i, J)) === false) {
          // Stop before iteration i's update: the parameters after iterations 0..i-1.
          await rewind(first, i);
          materialise();
          return history;
        }
        try {
          watch.check(i, J);
          if (i === iterations - 1) watch.finish();
        } catch (e) {
          // As the CPU loop, which checks after the update: the parameters after iterations 0..i.
          await rewind(first, i + 1);
          materialise();
          throw e;
        }
      }
      keep();
    }
    materialise();
    return history;
  } finally {
    for (const M of held) gpu.release(M);
    // W[1] a plain property again, holding the trained values (or those of the last readback).
    if (options.gram && Object.getOwnPropertyDescriptor(parameters, 'W1')?.get) {
      const trained = parameters.W1!;
      Object.defineProperty(parameters, 'W1', { configurable: true, enumerable: true, writable: true, value: trained });
    }
  }
}
