import { ConfigError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { costFunction } from './costs.js';
import { lModelBackward, lModelForward, type ModelOptions } from './model.js';
import { type Gradients, numLayers, type Parameters } from './parameters.js';

export interface GradientCheckResult {
  /** ||grad - gradapprox|| / (||grad|| + ||gradapprox||), the course's relative difference. */
  difference: number;
  /** The parameter entry whose analytic and numerical gradients disagree the most. */
  worst: { parameter: string; row: number; col: number; analytic: number; numerical: number };
  /** How many parameters were perturbed. */
  count: number;
}

export interface GradientCheckOptions extends ModelOptions {
  /** The two-sided step (default 1e-7, the course's). */
  epsilon?: number;
  /** Computes the analytic gradients; defaults to the course's lModelBackward. */
  backward?: (X: Matrix, Y: Matrix, parameters: Parameters) => Gradients;
}

/**
 * The course's gradient_check_n: every parameter θ_i (W1, b1, ..., WL, bL in that order) is moved by
 * ±ε, the cost J is recomputed, and gradapprox_i = (J(θ + ε) - J(θ - ε)) / (2ε) is compared with the
 * backward pass's gradient. A difference below 1e-7 is good; above 2e-7 there is likely a bug.
 */
export function gradientCheck(X: Matrix, Y: Matrix, parameters: Parameters, options: GradientCheckOptions = {}): GradientCheckResult {
  const epsilon = options.epsilon ?? 1e-7;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new ConfigError(`gradientCheck: epsilon must be > 0, got ${epsilon}`);
  const cost = costFunction(options.cost ?? 'bce');
  const J = () => cost.cost(lModelForward(X, parameters, options)[0], Y);
  const grads =
    options.backward?.(X, Y, parameters) ??
    (() => {
      const [AL, caches] = lModelForward(X, parameters, options);
      return lModelBackward(AL, Y, caches, options);
    })();

  let diffSq = 0;
  let gradSq = 0;
  let approxSq = 0;
  let count = 0;
  let worst: GradientCheckResult['worst'] = { parameter: '', row: 0, col: 0, analytic: 0, numerical: 0 };
  let worstGap = -1;
  const L = numLayers(parameters);
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b'] as const) {
      const P = parameters[`${p}${l}`]!;
      const dP = grads[`d${p}${l}`];
      if (!dP) throw new ConfigError(`gradientCheck: the backward pass returned no d${p}${l}`);
      for (let t = 0; t < P.data.length; t++) {
        const theta = P.data[t]!;
        P.data[t] = theta + epsilon;
        const plus = J();
        P.data[t] = theta - epsilon;
        const minus = J();
        P.data[t] = theta;
        const approx = (plus - minus) / (2 * epsilon);
        const g = dP.data[t]!;
        diffSq += (g - approx) ** 2;
        gradSq += g * g;
        approxSq += approx * approx;
        count++;
        const gap = Math.abs(g - approx);
        if (gap > worstGap) {
          worstGap = gap;
          worst = { parameter: `${p}${l}`, row: Math.floor(t / P.cols), col: t % P.cols, analytic: g, numerical: approx };
        }
      }
    }
  }
  const denominator = Math.sqrt(gradSq) + Math.sqrt(approxSq);
  const difference = denominator === 0 ? 0 : Math.sqrt(diffSq) / denominator;
  return { difference, worst, count };
}
