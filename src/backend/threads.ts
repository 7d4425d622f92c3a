// How many threads a user may ask the kernels for: one rule for the library (Network's `threads`),
// every command's --threads and the playground's ?threads=, so that no count is cut down unseen.

/** The most threads the wasm kernels run on: their control block has this many thread slots. */
export const MAX_THREADS = 24;

/** The rule, as every message states it. */
export const THREADS_RULE = `a whole number of threads from 1 to ${MAX_THREADS}`;

/** Whether n is a thread count the kernels run as asked. */
export function isThreadCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_THREADS;
}
