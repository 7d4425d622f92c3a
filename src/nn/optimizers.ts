import { ShapeError } from '../errors.js';
import { formatShape, Matrix } from '../matrix.js';
import { getBackend } from '../backend/select.js';
import type { Gradients, Parameters } from './parameters.js';

// The course's optimisers (Improving Deep Neural Networks, week 2), each written as the course
// writes it, elementwise and in the same order of operations, so the numbers match numpy's.

export type OptimizerName = 'gd' | 'momentum' | 'rmsprop' | 'adam';
export const OPTIMIZERS: readonly OptimizerName[] = ['gd', 'momentum', 'rmsprop', 'adam'];

/** A running average per parameter, keyed like the gradients: { dW1, db1, ... }. */
export type MovingAverages = Record<string, Matrix>;

const PARAMETER_KEY = /^[Wb]\d+$/;

function parameterKeys(parameters: Parameters): string[] {
  return Object.keys(parameters).filter((k) => PARAMETER_KEY.test(k));
}

function gradientOf(grads: Gradients, key: string, P: Matrix, op: string): Matrix {
  const dP = grads[`d${key}`];
  if (!dP) throw new ShapeError(`${op}: grads have no d${key}`);
  if (dP.rows !== P.rows || dP.cols !== P.cols) {
    throw new ShapeError(`${op}: d${key} ${formatShape(dP.shape)} must have the shape of ${key} ${formatShape(P.shape)}`);
  }
  return dP;
}

/** The course's initialize_velocity: v["dW1"] = zeros like W1, ... */
export function initializeVelocity(parameters: Parameters): MovingAverages {
  const v: MovingAverages = {};
  for (const k of parameterKeys(parameters)) v[`d${k}`] = Matrix.zeros(parameters[k]!.rows, parameters[k]!.cols, parameters[k]!.dtype);
  return v;
}

/** The course's initialize_adam: v and s, both zeros like the parameters. */
export function initializeAdam(parameters: Parameters): [MovingAverages, MovingAverages] {
  return [initializeVelocity(parameters), initializeVelocity(parameters)];
}

/** v = β v + (1 - β) dW; W = W - α v. Updates parameters and v in place and returns them. */
export function updateParametersWithMomentum(
  parameters: Parameters,
  grads: Gradients,
  v: MovingAverages,
  beta: number,
  learningRate: number,
): [Parameters, MovingAverages] {
  for (const k of parameterKeys(parameters)) {
    const P = parameters[k]!.data;
    const g = gradientOf(grads, k, parameters[k]!, 'updateParametersWithMomentum').data;
    const vk = v[`d${k}`]!.data;
    for (let t = 0; t < P.length; t++) {
      vk[t] = beta * vk[t]! + (1 - beta) * g[t]!;
      P[t] = P[t]! - learningRate * vk[t]!;
    }
  }
  return [parameters, v];
}

/** RMSprop as the lecture writes it: s = β₂ s + (1 - β₂) dW²; W = W - α dW / (√s + ε). */
export function updateParametersWithRmsprop(
  parameters: Parameters,
  grads: Gradients,
  s: MovingAverages,
  beta2: number,
  learningRate: number,
  epsilon: number,
): [Parameters, MovingAverages] {
  for (const k of parameterKeys(parameters)) {
    const P = parameters[k]!.data;
    const g = gradientOf(grads, k, parameters[k]!, 'updateParametersWithRmsprop').data;
    const sk = s[`d${k}`]!.data;
    for (let t = 0; t < P.length; t++) {
      sk[t] = beta2 * sk[t]! + (1 - beta2) * (g[t]! * g[t]!);
      P[t] = P[t]! - (learningRate * g[t]!) / (Math.sqrt(sk[t]!) + epsilon);
    }
  }
  return [parameters, s];
}

/**
 * The course's update_parameters_with_adam at step t (t counts updates from 1):
 * v = β₁ v + (1 - β₁) dW, v̂ = v / (1 - β₁ᵗ); s = β₂ s + (1 - β₂) dW², ŝ = s / (1 - β₂ᵗ);
 * W = W - α v̂ / (√ŝ + ε). Returns parameters, v, s (updated in place) and v̂, ŝ.
 */
export function updateParametersWithAdam(
  parameters: Parameters,
  grads: Gradients,
  v: MovingAverages,
  s: MovingAverages,
  t: number,
  learningRate = 0.01,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-8,
): [Parameters, MovingAverages, MovingAverages, MovingAverages, MovingAverages] {
  const vCorrected: MovingAverages = {};
  const sCorrected: MovingAverages = {};
  const c1 = 1 - beta1 ** t;
  const c2 = 1 - beta2 ** t;
  for (const k of parameterKeys(parameters)) {
    const Pm = parameters[k]!;
    const P = Pm.data;
    const g = gradientOf(grads, k, Pm, 'updateParametersWithAdam').data;
    const vk = v[`d${k}`]!.data;
    const sk = s[`d${k}`]!.data;
    const vc = Matrix.zeros(Pm.rows, Pm.cols, Pm.dtype);
    const sc = Matrix.zeros(Pm.rows, Pm.cols, Pm.dtype);
    for (let i = 0; i < P.length; i++) {
      vk[i] = beta1 * vk[i]! + (1 - beta1) * g[i]!;
      vc.data[i] = vk[i]! / c1;
      sk[i] = beta2 * sk[i]! + (1 - beta2) * (g[i]! * g[i]!);
      sc.data[i] = sk[i]! / c2;
      P[i] = P[i]! - (learningRate * vc.data[i]!) / (Math.sqrt(sc.data[i]!) + epsilon);
    }
    vCorrected[`d${k}`] = vc;
    sCorrected[`d${k}`] = sc;
  }
  return [parameters, v, s, vCorrected, sCorrected];
}

export interface OptimizerSettings {
  /** Momentum's β (default 0.9). */
  beta: number;
  /** Adam's β₁ (default 0.9). */
  beta1: number;
  /** Adam's and RMSprop's β₂ (default 0.999). */
  beta2: number;
  /** Adam's and RMSprop's ε (default 1e-8). */
  epsilon: number;
}

/**
 * An optimiser with its state: `update` changes the parameters in place; t counts updates from 1.
 * It updates the parameters of the dictionary it is given, so a loop that updates W1 itself (the
 * Gram form) passes the others only.
 */
export interface Optimizer {
  readonly name: OptimizerName;
  update(parameters: Parameters, grads: Gradients, learningRate: number, t: number): void;
  /** Momentum's velocity v (keyed dW1, db1, ...): the Gram form hands its own v[dW1] back here when it ends. */
  readonly velocity?: MovingAverages;
}

/** W := W - α dW for each parameter given: the core's update_parameters (one axpy per parameter), without its need for every layer's W and b. */
function updateEach(parameters: Parameters, grads: Gradients, learningRate: number): void {
  const backend = getBackend();
  for (const k of parameterKeys(parameters)) backend.axpy(-learningRate, gradientOf(grads, k, parameters[k]!, 'updateParameters'), parameters[k]!);
}

export function createOptimizer(name: OptimizerName, parameters: Parameters, settings: OptimizerSettings): Optimizer {
  switch (name) {
    case 'gd':
      // The core's update_parameters (the same axpy per parameter), so full-batch training is unchanged to the last bit.
      return { name, update: updateEach };
    case 'momentum': {
      const v = initializeVelocity(parameters);
      return { name, velocity: v, update: (p, g, lr) => void updateParametersWithMomentum(p, g, v, settings.beta, lr) };
    }
    case 'rmsprop': {
      const s = initializeVelocity(parameters);
      return { name, update: (p, g, lr) => void updateParametersWithRmsprop(p, g, s, settings.beta2, lr, settings.epsilon) };
    }
    case 'adam': {
      const [v, s] = initializeAdam(parameters);
      return {
        name,
        update: (p, g, lr, t) => void updateParametersWithAdam(p, g, v, s, t, lr, settings.beta1, settings.beta2, settings.epsilon),
      };
    }
  }
}
