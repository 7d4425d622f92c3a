import { ConfigError } from '../errors.js';
import { assertSameShape, Matrix } from '../matrix.js';
import { outputMatrix } from './workspace.js';

// Each cost beside its dAL, the derivative of the per-sample loss (the 1/m enters in dW and db).

export type CostName = 'bce' | 'mse' | 'ce';
export const COSTS: readonly CostName[] = ['bce', 'mse', 'ce'];

// Saturation: sigmoid(z) rounds to exactly 1 for z > ~37 and to 0 for z < ~-745, where the course's
// log(1 - a) or y / a become -Infinity or NaN. Only there, a is moved to the nearest value that is
// not 0 or 1 (2^-53 from the edge): the cost stays finite, and everywhere else the course formula
// is untouched, so numpy parity holds bit for bit in the finite range.
const EDGE = 2 ** -53;
/** The loss of a sample whose output saturated on the wrong side: -log(2^-53) = 36.7368... */
export const CLAMPED_LOSS = -Math.log(EDGE);
function unsaturated(a: number): number {
  return a === 0 ? EDGE : a === 1 ? 1 - EDGE : a;
}

export interface Cost {
  readonly name: CostName;
  cost(AL: Matrix, Y: Matrix): number;
  dAL(AL: Matrix, Y: Matrix): Matrix;
}

/** Binary cross-entropy: -(1/m) Σ (y log a + (1 - y) log(1 - a)); dAL = -(y/a - (1 - y)/(1 - a)). */
export const binaryCrossEntropy: Cost = {
  name: 'bce',
  cost(AL, Y) {
    const a = AL.data;
    const y = Y.data;
    let s = 0;
    for (let t = 0; t < a.length; t++) {
      const at = unsaturated(a[t]!);
      const yt = y[t]!;
      // A 0/1 label needs one of the two logs: the other term is 0 · (a finite log), a zero that
      // leaves the sum's bits as they are. Other labels take the whole formula.
      if (yt === 1) s += Math.log(at);
      else if (yt === 0) s += Math.log(1 - at);
      else s += yt * Math.log(at) + (1 - yt) * Math.log(1 - at);
    }
    return -(1 / AL.cols) * s;
  },
  dAL(AL, Y) {
    const out = outputMatrix(AL.rows, AL.cols, AL.dtype);
    const a = AL.data;
    const y = Y.data;
    for (let t = 0; t < a.length; t++) {
      const at = unsaturated(a[t]!);
      const yt = y[t]!;
      out.data[t] = -(yt / at - (1 - yt) / (1 - at));
    }
    return out;
  },
};

/** Mean squared error: (1/m) Σ over units and samples of (a - y)²; dAL = 2 (a - y). */
export const meanSquaredError: Cost = {
  name: 'mse',
  cost(AL, Y) {
    const a = AL.data;
    const y = Y.data;
    let s = 0;
    for (let t = 0; t < a.length; t++) {
      const d = a[t]! - y[t]!;
      s += d * d;
    }
    return (1 / AL.cols) * s;
  },
  dAL(AL, Y) {
    const out = outputMatrix(AL.rows, AL.cols, AL.dtype);
    for (let t = 0; t < out.data.length; t++) out.data[t] = 2 * (AL.data[t]! - Y.data[t]!);
    return out;
  },
};

/**
 * Categorical cross-entropy for a softmax output of K units: -(1/m) Σ over units and samples of
 * y log a; dAL = -y / a. With softmax, lModelBackward skips dAL and uses dZ = A - Y, its product
 * with the softmax Jacobian, which stays exact where a rounds to 0.
 */
export const categoricalCrossEntropy: Cost = {
  name: 'ce',
  cost(AL, Y) {
    const a = AL.data;
    const y = Y.data;
    let s = 0;
    // Terms with y = 0 add nothing, even where a rounds to 0 (0 * log 0 would be NaN).
    for (let t = 0; t < a.length; t++) if (y[t] !== 0) s += y[t]! * Math.log(unsaturated(a[t]!));
    return -(1 / AL.cols) * s;
  },
  dAL(AL, Y) {
    const out = outputMatrix(AL.rows, AL.cols, AL.dtype);
    for (let t = 0; t < out.data.length; t++) out.data[t] = -Y.data[t]! / unsaturated(AL.data[t]!);
    return out;
  },
};

export function costFunction(name: string): Cost {
  switch (name) {
    case 'bce':
      return binaryCrossEntropy;
    case 'mse':
      return meanSquaredError;
    case 'ce':
      return categoricalCrossEntropy;
    default:
      throw new ConfigError(`unknown cost ${JSON.stringify(name)}; choose one of ${COSTS.join(', ')}`);
  }
}

/** The course's compute_cost(AL, Y), with the cost named (default binary cross-entropy). */
export function computeCost(AL: Matrix, Y: Matrix, cost: CostName = 'bce'): number {
  assertSameShape('computeCost', AL, `AL`, Y, 'Y');
  return costFunction(cost).cost(AL, Y);
}
