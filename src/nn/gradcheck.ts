import { ConfigError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { NumpyRandom } from '../random.js';
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
  /** How many parameters the network has (count < total when a sample was checked). */
  total: number;
  /**
   * The relative difference that the rounding of J alone can cause at this epsilon (each estimate is
   * off by about 2^-52 |J| / ε): when it is near the difference, the check says nothing about backprop.
   */
  roundingDifference: number;
}

export interface GradientCheckOptions extends ModelOptions {
  /** The two-sided step (default 1e-7, the course's). */
  epsilon?: number;
  /** Check at most this many parameters, drawn at random (default: every one, as the course does). */
  maxParameters?: number;
  /** numpy seed of that draw (default 1). */
  seed?: number;
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

  const L = numLayers(parameters);
  const names = Array.from({ length: L }, (_, i) => [`W${i + 1}`, `b${i + 1}`]).flat();
  const total = names.reduce((n, name) => n + parameters[name]!.data.length, 0);
  const max = options.maxParameters ?? Infinity;
  if (!(max >= 1)) throw new ConfigError(`gradientCheck: maxParameters must be at least 1, got ${max}`);
  // Each checked parameter costs two forward passes: past the cap, a seeded sample of them.
  const picked = total > max ? new Set(new NumpyRandom(options.seed ?? 1).permutation(total).slice(0, max)) : null;
  const J0 = J();

  let diffSq = 0;
  let gradSq = 0;
  let approxSq = 0;
  let count = 0;
  let worst: GradientCheckResult['worst'] = { parameter: '', row: 0, col: 0, analytic: 0, numerical: 0 };
  let worstGap = -1;
  let flat = 0;
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b'] as const) {
      const P = parameters[`${p}${l}`]!;
      const dP = grads[`d${p}${l}`];
      if (!dP) throw new ConfigError(`gradientCheck: the backward pass returned no d${p}${l}`);
      for (let t = 0; t < P.data.length; t++, flat++) {
        if (picked && !picked.has(flat)) continue;
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
  const noise = Math.sqrt(count) * ((Number.EPSILON * Math.max(Math.abs(J0), Number.MIN_VALUE)) / epsilon);
  const roundingDifference = denominator === 0 ? (noise > 0 ? Infinity : 0) : noise / denominator;
  return { difference, worst, count, total, roundingDifference };
}
