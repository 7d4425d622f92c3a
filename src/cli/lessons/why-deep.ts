import { withBackend } from '../../backend/select.js';
import { ConfigError } from '../../errors.js';
import { Matrix } from '../../matrix.js';
import type { ActivationName } from '../../nn/activations.js';
import { computeCost } from '../../nn/costs.js';
import { initializeParametersDeep } from '../../nn/init.js';
import { lModelBackward, lModelForward } from '../../nn/model.js';
import { createOptimizer } from '../../nn/optimizers.js';
import type { Lesson, LessonOptions } from './lesson.js';

// The lecture's circuit-theory argument: n-bit parity is a tree of XORs of depth log2(n), while a
// circuit of one hidden layer of AND/OR gates needs about 2^(n-1) of them. Here both kinds of
// network learn parity from all 2^n inputs, with about the same number of parameters, and the
// table says what happened.

export const WHY_DEEP_DEFAULTS = { minN: 2, maxN: 10, seed: 1, iterations: 3000 } as const;
const MAX_N = 14;
const HIDDEN: ActivationName = 'tanh';
const LEARNING_RATE = 0.01;
const ADAM = { beta: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** All 2^n bit patterns as columns of X (n, 2^n), bits as -1/+1 (centred, as inputs should be), and their parity Y (1, 2^n). */
export function parityData(n: number): { X: Matrix; Y: Matrix } {
  const m = 2 ** n;
  const X = Matrix.zeros(n, m);
  const Y = Matrix.zeros(1, m);
  for (let j = 0; j < m; j++) {
    let ones = 0;
    for (let i = 0; i < n; i++) {
      const bit = (j >> i) & 1;
      X.set(i, j, 2 * bit - 1);
      ones += bit;
    }
    Y.data[j] = ones % 2;
  }
  return { X, Y };
}

/** The XOR tree as layers: level k pairs up what is left, 2 units per XOR: 2·ceil(n / 2^k) units. */
export function deepDims(n: number): number[] {
  const dims = [n];
  for (let left = n; left > 1; left = Math.ceil(left / 2)) dims.push(2 * Math.ceil(left / 2));
  return [...dims, 1];
}

export function parameterCount(layerDims: readonly number[]): number {
  let p = 0;
  for (let l = 1; l < layerDims.length; l++) p += layerDims[l]! * (layerDims[l - 1]! + 1);
  return p;
}

/** One hidden layer with about as many parameters as `parameters`: h (n + 2) + 1 ≈ P. */
export function shallowDims(n: number, parameters: number): number[] {
  return [n, Math.max(1, Math.round((parameters - 1) / (n + 2))), 1];
}

export interface ParityRun {
  n: number;
  network: 'deep' | 'shallow';
  layerDims: number[];
  parameters: number;
  /** The best training accuracy reached (all 2^n inputs are the training set). */
  accuracy: number;
  /** The first iteration at which it was reached. */
  iterations: number;
}

/** Trains one network on n-bit parity: full batch, Adam, until every input is right or `iterations`. */
export function trainParity(n: number, network: 'deep' | 'shallow', layerDims: number[], seed: number, iterations: number): ParityRun {
  const { X, Y } = parityData(n);
  const parameters = initializeParametersDeep(layerDims, { seed, init: 'xavier' });
  const optimizer = createOptimizer('adam', parameters, ADAM);
  const options = { hidden: HIDDEN, output: 'sigmoid' as const };
  let best = -1;
  let bestAt = 0;
  for (let i = 0; i <= iterations; i++) {
    const [AL, caches] = lModelForward(X, parameters, options);
    let right = 0;
    for (let j = 0; j < AL.cols; j++) if ((AL.data[j]! > 0.5 ? 1 : 0) === Y.data[j]) right++;
    const accuracy = right / AL.cols;
    if (accuracy > best) [best, bestAt] = [accuracy, i];
    if (accuracy === 1 || i === iterations) break;
    if (!Number.isFinite(computeCost(AL, Y))) break;
    optimizer.update(parameters, lModelBackward(AL, Y, caches, { ...options, computeDA0: false }), LEARNING_RATE, i + 1);
  }
  return { n, network, layerDims, parameters: parameterCount(layerDims), accuracy: best, iterations: bestAt };
}

export function checkWhyDeepOptions(options: LessonOptions): Required<LessonOptions> {
  const o = { ...WHY_DEEP_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.minN) || o.minN < 2 || o.minN > MAX_N) throw new ConfigError(`--min-n must be an integer from 2 to ${MAX_N}, got ${o.minN}`);
  if (!Number.isInteger(o.maxN) || o.maxN < o.minN || o.maxN > MAX_N) {
    throw new ConfigError(`--max-n must be an integer from --min-n (${o.minN}) to ${MAX_N}, got ${o.maxN}`);
  }
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 32 - 1) throw new ConfigError(`--seed must be an integer from 0 to 2^32 - 1, got ${o.seed}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new ConfigError(`--iterations must be a positive integer, got ${o.iterations}`);
  return o;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
}

/** What the table shows, in a few sentences, whichever way it came out. */
export function whatItShows(runs: readonly ParityRun[]): string[] {
  const ns = [...new Set(runs.map((r) => r.n))];
  const get = (n: number, net: 'deep' | 'shallow') => runs.find((r) => r.n === n && r.network === net)!;
  const solved = (net: 'deep' | 'shallow') => ns.filter((n) => get(n, net).accuracy === 1);
  const deepOnly = ns.filter((n) => get(n, 'deep').accuracy === 1 && get(n, 'shallow').accuracy < 1);
  const shallowOnly = ns.filter((n) => get(n, 'shallow').accuracy === 1 && get(n, 'deep').accuracy < 1);
  const both = ns.filter((n) => get(n, 'deep').accuracy === 1 && get(n, 'shallow').accuracy === 1);
  const deepFaster = both.filter((n) => get(n, 'deep').iterations < get(n, 'shallow').iterations);
  const shallowFaster = both.filter((n) => get(n, 'shallow').iterations < get(n, 'deep').iterations);
  const list = (xs: number[]) => (xs.length ? `n = ${xs.join(', ')}` : 'no n');
  const lines = [
    `The deep networks learned parity exactly for ${solved('deep').length} of ${ns.length} sizes, the shallow ones for ${solved('shallow').length}.`,
    `Only deep: ${list(deepOnly)}; only shallow: ${list(shallowOnly)}. Where both did, deep needed fewer iterations for ${list(deepFaster)}, shallow for ${list(shallowFaster)}.`,
  ];
  const deepAhead = deepOnly.length + deepFaster.length;
  const shallowAhead = shallowOnly.length + shallowFaster.length;
  // One seed is one draw: call a side ahead only by a margin of two sizes or more.
  if (deepAhead >= shallowAhead + 2) {
    lines.push('With the same budget of parameters, depth helped here, as the XOR-tree argument suggests.');
  } else if (shallowAhead >= deepAhead + 2) {
    lines.push('Here depth did not help: with the same budget of parameters the shallow network learned parity as well or sooner.');
  } else {
    lines.push('Neither kind came out clearly ahead at this seed (other --seed values draw other starting weights).');
  }
  lines.push(
    "The lecture's 2^(n-1) counts AND/OR gates; a unit that thresholds a weighted sum computes parity from the number of ones with about n units in one layer, so both networks can represent it, and the table measures what gradient descent finds.",
  );
  return lines;
}

export const whyDeep: Lesson = {
  name: 'why-deep',
  notebook: 'Why deep representations? (week 4 lecture: circuit theory and deep learning)',
  summary: 'n-bit parity (n = 2..10): deep narrow networks against shallow ones with as many parameters',
  options: ['minN', 'maxN', 'seed', 'iterations'],
  run: async (print, options) =>
    // Matrices of at most 20 x 1024: the reference kernels, with float64's same bits as any backend.
    withBackend('reference', () => {
      const { minN, maxN, seed, iterations } = checkWhyDeepOptions(options);
      print(
        `n-bit parity on all 2^n inputs. deep: the XOR tree's layers, 2·ceil(n / 2^k) units at level k; shallow: one hidden layer with about the same number of parameters. ${HIDDEN} hidden units, sigmoid output, Adam (α = ${LEARNING_RATE}), at most ${iterations} iterations, weights from seed ${seed}.`,
      );
      const runs: ParityRun[] = [];
      const widths = [3, 8, 22, 10, 8, 10];
      print(pad(['n', 'network', 'layerDims', 'parameters', 'accuracy', 'iterations'], widths));
      for (let n = minN; n <= maxN; n++) {
        const deep = deepDims(n);
        for (const [network, dims] of [['deep', deep], ['shallow', shallowDims(n, parameterCount(deep))]] as const) {
          const r = trainParity(n, network, dims, seed, iterations);
          runs.push(r);
          print(pad([String(n), network, `[${dims.join(', ')}]`, String(r.parameters), r.accuracy.toFixed(4), String(r.iterations)], widths));
        }
      }
      for (const line of whatItShows(runs)) print(line);
      return { minN, maxN, seed, iterations, hidden: HIDDEN, learningRate: LEARNING_RATE, runs };
    }),
};
