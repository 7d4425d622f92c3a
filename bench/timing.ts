/** Min and median of repeated runs: the machine is noisy, so many short runs, not one long one. */
export interface Timing {
  minMs: number;
  medianMs: number;
  runs: number;
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { minMs: sorted[0]!, medianMs: median, runs: sorted.length };
}

/** The time of each of `k` calls of fn, in ms. */
export function timeSteps(fn: () => void, k: number): number[] {
  const samples: number[] = [];
  for (let r = 0; r < k; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Runs fn once to warm up, then `reps` timed times. */
export function timeIt(fn: () => void, reps: number): Timing {
  fn();
  return summarize(timeSteps(fn, reps));
}
