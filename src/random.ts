import { RandomError } from './errors.js';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * numpy's legacy generator (`np.random.seed`, `np.random.rand`, `np.random.randn`), so that the
 * course's seeded initialisations come out the same as in its notebooks.
 *
 * - MT19937 seeded with the reference init_genrand, as numpy's legacy seeding does for an integer.
 * - rand(): 53-bit doubles from two 32-bit outputs, (a >>> 5) * 2^26 + (b >>> 6), over 2^53.
 * - randn(): the Marsaglia polar method with one cached value (numpy's legacy_gauss).
 *
 * The MT stream and rand() are bit-identical to numpy. randn() uses JavaScript's Math.log where
 * numpy calls the C library's log(): they disagree in the last bit on a few percent of inputs, so a
 * randn value can differ from numpy's by 1-2 ulp (tested within 4 ulp). We chose Math.log because it
 * is the same in every JavaScript engine we run on (Node and browsers share fdlibm's algorithm), so
 * seeded results are identical in Node and in the playground; numpy's own values differ across CPUs
 * for the same reason (glibc picks an FMA or a non-FMA log at run time).
 */
export class NumpyRandom {
  private readonly mt = new Uint32Array(N);
  /** The tempered outputs of the state in mt, made 624 at a time with each twist (one tight loop). */
  private readonly out = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** np.random.seed(s): s must be an integer in [0, 2^32 - 1], as numpy requires. */
  seed(s: number): this {
    // numpy's own messages: a TypeError for a non-integer, a ValueError for one out of range.
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new RandomError(
        `seed ${String(s)}: Cannot cast scalar from dtype('float64') to dtype('int64') according to the rule 'safe' (a seed must be an integer between 0 and 2**32 - 1)`,
      );
    }
    if (s < 0 || s > 0xffffffff) throw new RandomError(`Seed must be between 0 and 2**32 - 1, got ${s}`);
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
    return this;
  }

  /** The next raw 32-bit output of MT19937. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    return this.out[this.pos++]!;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    const out = this.out;
    for (let i = 0; i < N; i++) {
      let t = mt[i]!;
      t ^= t >>> 11;
      t ^= (t << 7) & 0x9d2c5680;
      t ^= (t << 15) & 0xefc60000;
      t ^= t >>> 18;
      out[i] = t;
    }
    this.pos = 0;
  }

  /** One uniform double in [0, 1), as numpy's legacy random_sample. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal value, as numpy's legacy_gauss (polar Box-Muller, second value cached). */
  nextGaussian(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const g = this.gauss;
      this.gauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** np.random.rand(d0, d1, ...): uniform values, filled in row-major order. */
  rand(...dims: number[]): Float64Array {
    const out = new Float64Array(sizeOf('rand', dims));
    for (let i = 0; i < out.length; i++) out[i] = this.nextDouble();
    return out;
  }

  /** np.random.randn(d0, d1, ...): standard normal values, filled in row-major order. */
  randn(...dims: number[]): Float64Array {
    const out = new Float64Array(sizeOf('randn', dims));
    for (let i = 0; i < out.length; i++) out[i] = this.nextGaussian();
    return out;
  }

  /** np.random.permutation(n) (legacy): a Fisher-Yates shuffle of 0..n-1 driven by bounded integers. */
  permutation(n: number): number[] {
    sizeOf('permutation', [n]);
    const arr = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.boundedInt(i);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }

  /** A uniform integer in [0, max], numpy's legacy masked rejection sampling (random_interval). */
  private boundedInt(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    if (max <= 0xffffffff) {
      let value: number;
      do value = (this.nextUint32() & mask) >>> 0;
      while (value > max);
      return value;
    }
    throw new RandomError(`permutation: n = ${max + 1} is larger than 2^32`);
  }
}

function sizeOf(op: string, dims: number[]): number {
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RandomError(`${op}: dimensions must be non-negative integers, got (${dims.join(', ')})`);
    }
    size *= d;
  }
  return size;
}
