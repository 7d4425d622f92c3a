import type { WasmHeap } from './heap.js';

/** How gemm cuts a product: k-blocks of `kc`, and column blocks (chunks) of at most `chunkCols`. */
export interface GemmBlocking {
  kc: number;
  chunkCols: number;
}

/** One candidate's best rate in the calibration. */
export interface BlockingTrial extends GemmBlocking {
  gflops: number;
}

/** The choice for one element size, with what it was chosen from. */
export interface Calibration {
  elementBytes: number;
  blocking: GemmBlocking;
  trials: BlockingTrial[];
  ms: number;
}

// A block sweeps its packed B panel (kc x chunkCols) once per 4-row panel of A, so the panel must
// stay in the core's L2: 2 MB on recent Xeons, 1 MB on EPYC Zen 4, 512 KB on Zen 2/3, 256 KB on
// older desktop cores. Candidates by panel size (64, 128, 256 KB), smallest first: on a 2 MB L2,
// panels of 512 KB to 2 MB measured no faster. kc = 256 keeps a 4 x kc slice of A and one
// kc x NR strip of B (4 + 8 KB in f32, 8 + 8 KB in f64) within half a 32 KB L1; kc = 512 measured
// no faster on a 48 KB one.
const KC = 256;
const CHUNKS: Record<number, number[]> = { 4: [64, 128, 256], 8: [32, 64, 128] };
const ROUNDS = 5;
// Within this fraction of the fastest, the larger panel is kept: fewer blocks, and the slower
// candidates were as likely paused by another process as slower.
const TIE = 0.95;

// Coarser than this (a page that is not cross-origin isolated rounds its clock to 0.1 ms or more),
// the smallest candidates cannot be timed: the middle one is used, which fits any L2 of 256 KB.
const FINEST_TICK_MS = 0.02;

const chosen = new Map<number, Calibration>();
// Each element size's candidates (made once: gemm asks at every product), the chosen one alone once calibrated.
const CANDIDATES: Record<number, GemmBlocking[]> = {};

/**
 * The blocking for `elementBytes` (4 or 8) on this processor: each candidate times a block shaped
 * like a large product's (more rows than columns, so its panel is swept row panel by row panel)
 * and the widest within TIE of the fastest is kept for the process. 10 to 40 ms once (the more,
 * the busier the cores); results never depend on the choice.
 */
export function gemmBlocking(heap: WasmHeap, elementBytes: number): GemmBlocking {
  let c = chosen.get(elementBytes);
  if (!c) {
    c = calibrate(heap, elementBytes);
    chosen.set(elementBytes, c);
    CANDIDATES[elementBytes] = [c.blocking];
  }
  return c.blocking;
}

/**
 * The blockings calibration chooses among for `elementBytes`, or only the chosen one once it has
 * run: a product cut the same way by each of them needs no calibration (gemm asks).
 */
export function blockingCandidates(elementBytes: number): readonly GemmBlocking[] {
  return (CANDIDATES[elementBytes] ??= CHUNKS[elementBytes]!.map((chunkCols) => ({ kc: KC, chunkCols })));
}

/** The calibrations run so far in this process (for the bench's report). */
export function calibrations(): Calibration[] {
  return [...chosen.values()];
}

function calibrate(heap: WasmHeap, s: number): Calibration {
  const t0 = performance.now();
  const k = heap.kernels;
  const candidates = CHUNKS[s]!.map((chunkCols) => ({ kc: KC, chunkCols }));
  if (clockTick() > FINEST_TICK_MS) {
    return { elementBytes: s, blocking: candidates[1]!, trials: [], ms: performance.now() - t0 };
  }
  const maxCols = Math.max(...CHUNKS[s]!);
  // One panel of rows more than columns: the block sweeps its B panel, as a large product does.
  const mr = k.gemmPanelRows();
  const rows = maxCols + mr;
  // op(A) already packed (rows x KC), B (KC x maxCols) and C (rows x maxCols), row-major.
  const aBytes = rows * KC * s;
  const bBytes = KC * maxCols * s;
  const cBytes = rows * maxCols * s;
  const workBytes = k.gemmWorkBytes(rows, maxCols, s, KC);
  const base = heap.alloc(aBytes + bBytes + cBytes + workBytes);
  const ap = base;
  const b = ap + aBytes;
  const c = b + bBytes;
  const work = c + cBytes;
  const n = (aBytes + bBytes) / s;
  const data = s === 4 ? new Float32Array(heap.buffer, base, n) : new Float64Array(heap.buffer, base, n);
  // Ordinary values: no subnormals, no overflow, nothing that would time differently from real data.
  data.fill(0.5);
  const gemmBlock = s === 4 ? k.gemmBlock32 : k.gemmBlock64;
  const best = candidates.map(() => Infinity);
  // Round 0 is untimed: the first calls of a kernel run before V8's optimizing compiler has it.
  for (let round = 0; round <= ROUNDS; round++) {
    candidates.forEach(({ kc, chunkCols }, i) => {
      const r = chunkCols + mr;
      const t = performance.now();
      gemmBlock(0, kc, 1, ap, b, maxCols, 0, c, maxCols, 0, r, 0, chunkCols, work, kc);
      if (round > 0) best[i] = Math.min(best[i]!, (performance.now() - t) / (2 * r * chunkCols * kc));
    });
  }
  heap.release(base);
  const trials = candidates.map((cand, i) => ({ ...cand, gflops: 1 / (best[i]! * 1e6) }));
  const fastest = Math.max(...trials.map((t) => t.gflops));
  const pick = trials.filter((t) => t.gflops >= TIE * fastest).pop()!;
  return { elementBytes: s, blocking: { kc: pick.kc, chunkCols: pick.chunkCols }, trials, ms: performance.now() - t0 };
}

let tick: number | undefined;

/**
 * The smallest step of performance.now(), in ms, measured once: the least of up to five steps, so
 * that a thread paused by the OS between two readings (a busy machine) does not pass for a coarse
 * clock (at most about 10 ms of spinning on a 1 ms clock).
 */
function clockTick(): number {
  if (tick !== undefined) return tick;
  tick = Infinity;
  for (let i = 0; i < 5 && tick > FINEST_TICK_MS; i++) {
    let a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    a = b;
    while (b === a) b = performance.now();
    tick = Math.min(tick, b - a);
  }
  return tick;
}
