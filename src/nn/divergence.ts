import { DivergenceError } from '../errors.js';
import { CLAMPED_LOSS, type CostName } from './costs.js';

// A run that diverged without a NaN: the costs keep the course's formulas finite by clamping a
// saturated output (costs.ts), so a far too large learning rate ends at a plateau of exactly
// clamped losses where every gradient is 0, or at a cost far above where it started. Both are
// told apart from any run that learns:
//  - pinned: PINNED_REPEATS equal costs in a row, each a whole number of clamped losses
//    (k * CLAMPED_LOSS / m, k >= 1): every output saturated, k samples certain of the wrong class.
//    A run that learns changes its cost, and a whole multiple of 36.7368/m is no accident.
//  - risen: the cost above RISE times its start (or, for cross-entropy, the cost of guessing, if
//    larger) for RISE_EPOCHS epochs in a row, or still there at the end. Mini-batch and Adam costs
//    are noisy, but not by a factor of ten for so long; a run that ends ten times worse than it
//    began made its model worse.

/** Equal, clamped costs in a row that make a pinned run. */
export const PINNED_REPEATS = 3;
/** How far above its start a cost must rise to count as diverging. */
export const RISE = 10;
/** Epochs in a row above it that make a run diverged (a run that ends above it is too). */
export const RISE_EPOCHS = 25;

export interface DivergenceWatchOptions {
  cost: CostName;
  /** Output units n_L (the cost of guessing is n_L log 2 for BCE, log K for CE). */
  units: number;
  /** Samples the epoch cost averages over. */
  m: number;
  /** For the hint. */
  learningRate: number;
  /** What one step is called in messages: 'iteration' (full batch) or 'epoch'. */
  step: 'iteration' | 'epoch';
}

export interface DivergenceWatch {
  /** Sees each epoch's cost; throws a DivergenceError once the run has diverged. */
  check(epoch: number, J: number): void;
  /** At the end of a run that was not stopped: a cost still far above its start is diverged too. */
  finish(): void;
}

/** The number of clamped losses J is made of (k >= 1), or 0 when J is not a whole multiple of them. */
function clampedCount(J: number, m: number): number {
  const k = Math.round((J * m) / CLAMPED_LOSS);
  return k >= 1 && Math.abs((J * m) / CLAMPED_LOSS - k) < 1e-6 ? k : 0;
}

export function watchDivergence(o: DivergenceWatchOptions): DivergenceWatch {
  const guess = o.cost === 'bce' ? o.units * Math.LN2 : o.cost === 'ce' ? Math.log(Math.max(2, o.units)) : 0;
  let start: number | undefined;
  let startEpoch = 0;
  let limit = Infinity;
  let previous = NaN;
  let repeats = 0;
  let above: number | undefined;
  let last: [number, number] | undefined;
  const hint = `Try a smaller learning rate (it is ${o.learningRate}).`;
  const rose = (epoch: number, J: number, why: string) =>
    new DivergenceError(
      `training diverged: the cost rose from ${start} at ${o.step} ${startEpoch} to ${J} at ${o.step} ${epoch} (over ${RISE} times its start) and ${why}. ${hint}`,
    );
  return {
    check(epoch, J) {
      if (start === undefined) {
        start = J;
        startEpoch = epoch;
        // A start of 0 (targets the initial network already gives) leaves nothing to compare with.
        const base = Math.max(J, guess);
        limit = base > 0 ? RISE * base : Infinity;
      }
      last = [epoch, J];
      repeats = J === previous ? repeats + 1 : 0;
      previous = J;
      if (o.cost !== 'mse' && repeats >= PINNED_REPEATS - 1) {
        const k = clampedCount(J, o.m);
        if (k > 0) {
          throw new DivergenceError(
            `training diverged: the cost is pinned at ${J} from ${o.step} ${epoch - repeats} to ${epoch} (it started at ${start}): every output is saturated at 0 or 1, ${k} of ${o.m} samples certain of the wrong class, and every gradient is 0. ${hint}`,
          );
        }
      }
      if (J > limit) {
        above ??= epoch;
        if (epoch - above + 1 >= RISE_EPOCHS) throw rose(epoch, J, `has stayed there for ${epoch - above + 1} ${o.step}s`);
      } else {
        above = undefined;
      }
    },
    finish() {
      if (last && above !== undefined) throw rose(last[0], last[1], 'was still there when training ended');
    },
  };
}
