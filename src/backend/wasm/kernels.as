// deepnet's wasm kernels, AssemblyScript (compiled by build.mjs; named .as so tsc leaves it alone).
// Every pointer is a byte address in the memory (shared, or plain where SharedArrayBuffer is missing);
// JS owns allocation, the kernels never allocate.
// Each function exists for f32 and f64 (suffix 32/64) through one generic body.
//
// gemm is GotoBLAS-shaped: op(A) packed once into 4-row panels, op(B) packed per (k-block, column
// panel) into NR-wide strips, one 4 x NR SIMD micro-kernel. Packing is where the transposes happen,
// so all four transpose combinations run the same inner loop at the same speed.
// A product of few rows reads B (not transposed) where it lies instead: the same inner loop, with
// B's row stride for the packed strip's. The k-block and the panel widths come from the caller,
// measured for the processor (blocking.ts).
// Every C[i][j] is one accumulator summed over k in ascending order (mul then add, never fused),
// whatever tile, block or thread computes it: results do not depend on how C is split.

// Rows of the micro-kernel: 4 x 2 vectors of sums, B's two vectors and A's splat hold 11 of x64's 16
// SIMD registers; 5 rows (13 registers) measured 15-25% slower in V8 on x64, 3 rows no faster.
const MR: i32 = 4;
// gemmBlock's transB: 0 packs op(B) = B, 1 packs op(B) = Bᵀ, B_IN_PLACE reads B (not transposed) where it lies.
const B_IN_PLACE: i32 = 2;
// ... and B_SYMMETRIC packs op(B) = B, but skips the tiles wholly below C's diagonal: C = op(A)·B is
// symmetric (Xᵀ·X, op(A) = Bᵀ), and the caller mirrors the upper triangle into them. op(A)'s full
// panels are read from B where it lies, not packed (the whole of Xᵀ packed was 20 MB of new memory
// for the cat's K); ap holds only a partial last panel.
const B_SYMMETRIC: i32 = 3;
// ... and B_PREPACKED reads op(B) already packed whole (packWhole): every k-block's strips, for a B
// that a training run multiplies by every iteration (X); b is the packed block, ldb its strips.
const B_PREPACKED: i32 = 4;
// Bytes between the strips gemmBlock packs for itself, beyond their kc x NR: strips a multiple of
// 4 KB apart all start in the same L1 set, and packing B's rows writes to every strip in turn
// (1024^3 in f32: 7% faster on Zen 3 with the pad; the cat's W1·X 1.3x with rows-first packing).
const STRIP_PAD: usize = 64;
// The k-block kc is the caller's (wasm-backend.ts picks it for the processor): a tile's partial sum
// is stored between k-blocks in its own type, exactly, so kc changes no result.

// ---------------------------------------------------------------- gemm

/** ap[it][k][r] = op(A)[MR it + r][k] for the panels it0 <= it < it1; rows past M are zero. */
function packA<T>(transA: i32, M: i32, K: i32, a: usize, lda: i32, ap: usize, it0: i32, it1: i32): void {
  const s = <usize>sizeof<T>();
  const mt = min(it1, (M + MR - 1) / MR);
  const panelBytes = <usize>K * <usize>MR * s;
  if (transA) {
    // op(A)[i0 + r][k] = A[k][i0 + r]: row k of A holds MR neighbours for every panel, so A is read
    // once, row by row (panel by panel, it was read once per panel, a cache line per row each time).
    const full = M / MR;
    const rows = M - full * MR;
    for (let k = 0; k < K; k++) {
      const src = a + <usize>k * <usize>lda * s;
      const dst = ap + <usize>k * <usize>MR * s;
      for (let it = it0; it < min(full, mt); it++) {
        const from = src + <usize>(it * MR) * s;
        const to = dst + <usize>it * panelBytes;
        for (let h: usize = 0; h < <usize>MR * s; h += 16) v128.store(to + h, v128.load(from + h));
      }
      if (rows > 0 && full >= it0 && full < mt) {
        const from = src + <usize>(full * MR) * s;
        const to = dst + <usize>full * panelBytes;
        for (let r = 0; r < MR; r++) store<T>(to + <usize>r * s, r < rows ? load<T>(from + <usize>r * s) : <T>0);
      }
    }
    return;
  }
  // Full panels a vector of k at a time: MR rows' vectors transposed in registers (4 x 4 in f32,
  // two 2 x 2 in f64), MR values of one k per store.
  const fullPanels = M / MR;
  const step = <i32>(16 / sizeof<T>());
  const kVec = K / step * step;
  const rowBytes = <usize>lda * s;
  for (let it = it0; it < min(fullPanels, mt); it++) {
    const src = a + <usize>(it * MR) * rowBytes;
    let dst = ap + <usize>it * panelBytes;
    for (let k = 0; k < kVec; k += step) {
      const p = src + <usize>k * s;
      const r0 = v128.load(p);
      const r1 = v128.load(p + rowBytes);
      const r2 = v128.load(p + 2 * rowBytes);
      const r3 = v128.load(p + 3 * rowBytes);
      if (sizeof<T>() == 4) {
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(dst, i64x2.shuffle(t0, t1, 1, 3), 16);
        v128.store(dst, i64x2.shuffle(t2, t3, 0, 2), 32);
        v128.store(dst, i64x2.shuffle(t2, t3, 1, 3), 48);
      } else {
        v128.store(dst, i64x2.shuffle(r0, r1, 0, 2));
        v128.store(dst, i64x2.shuffle(r2, r3, 0, 2), 16);
        v128.store(dst, i64x2.shuffle(r0, r1, 1, 3), 32);
        v128.store(dst, i64x2.shuffle(r2, r3, 1, 3), 48);
      }
      dst += 64;
    }
    for (let k = kVec; k < K; k++) {
      for (let r = 0; r < MR; r++) store<T>(dst + <usize>r * s, load<T>(src + <usize>r * rowBytes + <usize>k * s));
      dst += <usize>MR * s;
    }
  }
  for (let it = max(it0, fullPanels); it < mt; it++) {
    const panel = ap + <usize>it * panelBytes;
    for (let r = 0; r < MR; r++) {
      const i = it * MR + r;
      let dst = panel + <usize>r * s;
      if (i >= M) {
        for (let k = 0; k < K; k++) {
          store<T>(dst, <T>0);
          dst += <usize>MR * s;
        }
        continue;
      }
      // op(A)[i][k] = A[i][k]: row i, copied along k.
      let src = a + <usize>i * <usize>lda * s;
      for (let k = 0; k < K; k++) {
        store<T>(dst, load<T>(src));
        src += s;
        dst += <usize>MR * s;
      }
    }
  }
}

/**
 * bp + jt strip + (k NR + q) elements = op(B)[kb + k][j0 + jt NR + q] for k < kc, q < NR; columns
 * past j1 are zero. `strip`: bytes from one strip to the next (kc NR elements, padded or not).
 */
function packB<T>(transB: i32, b: usize, ldb: i32, kb: i32, kc: i32, j0: i32, j1: i32, bp: usize, strip: usize, byRows: bool): void {
  const s = <usize>sizeof<T>();
  const NR = <i32>(32 / sizeof<T>());
  let jt = 0;
  let jFrom = j0;
  // B's rows short beside the slice packed (the cat's X: 209 columns): row by row, each row read in
  // order and the slices of the k-block lying almost end to end in memory, one stream; long rows
  // (10,000 columns) strip by strip, down the rows, measured faster (rows-first: 1.1-1.2x slower).
  // Only with padded strips (byRows): without, every row writes each strip in the same L1 set.
  if (!transB && byRows && 4 * (j1 - j0) >= ldb) {
    const full = (j1 - j0) / NR;
    let src = b + (<usize>kb * <usize>ldb + <usize>j0) * s;
    for (let k = 0; k < kc; k++) {
      let p = src;
      let d = bp + <usize>k * <usize>NR * s;
      for (let t = 0; t < full; t++) {
        v128.store(d, v128.load(p));
        v128.store(d, v128.load(p, 16), 16);
        p += 32;
        d += strip;
      }
      src += <usize>ldb * s;
    }
    jt = full;
    jFrom = j0 + full * NR;
  }
  for (let j = jFrom; j < j1; j += NR, jt++) {
    const w = min(NR, j1 - j);
    const dst0 = bp + <usize>jt * strip;
    if (!transB) {
      if (w == NR) {
        let src = b + (<usize>kb * <usize>ldb + <usize>j) * s;
        let dst = dst0;
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += <usize>ldb * s;
          dst += <usize>NR * s;
        }
      } else {
        // The last, partial strip, zero-padded.
        let src = b + (<usize>kb * <usize>ldb + <usize>j) * s;
        let dst = dst0;
        for (let k = 0; k < kc; k++) {
          for (let q = 0; q < NR; q++) store<T>(dst + <usize>q * s, q < w ? load<T>(src + <usize>q * s) : <T>0);
          src += <usize>ldb * s;
          dst += <usize>NR * s;
        }
      }
    } else if (w == NR) {
      transposeStrip<T>(b + (<usize>j * <usize>ldb + <usize>kb) * s, ldb, kc, dst0);
    } else {
      // op(B)[k][j] = B[j][k]: the last, partial strip element by element.
      for (let q = 0; q < NR; q++) {
        let dst = dst0 + <usize>q * s;
        if (q >= w) {
          for (let k = 0; k < kc; k++) {
            store<T>(dst, <T>0);
            dst += <usize>NR * s;
          }
          continue;
        }
        let src = b + (<usize>(j + q) * <usize>ldb + <usize>kb) * s;
        for (let k = 0; k < kc; k++) {
          store<T>(dst, load<T>(src));
          src += s;
          dst += <usize>NR * s;
        }
      }
    }
  }
}

/** dst[k][q] = src[q][k] for q < NR (rows ldb apart), k < kc: vector transposes of 4x4 (f32) or 2x2 (f64). */
function transposeStrip<T>(src: usize, ldb: i32, kc: i32, dst: usize): void {
  const s = <usize>sizeof<T>();
  const row = <usize>ldb * s;
  const NR = <usize>(32 / sizeof<T>());
  let k = 0;
  if (sizeof<T>() == 4) {
    // Two 4x4 blocks per 4 k: rows 0-3 and rows 4-7 of the strip.
    for (; k + 4 <= kc; k += 4) {
      for (let h: usize = 0; h < 2; h++) {
        const p = src + h * 4 * row + <usize>k * 4;
        const r0 = v128.load(p);
        const r1 = v128.load(p + row);
        const r2 = v128.load(p + 2 * row);
        const r3 = v128.load(p + 3 * row);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
        const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const q = dst + <usize>k * NR * 4 + h * 16;
        v128.store(q, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(q + NR * 4, i64x2.shuffle(t0, t1, 1, 3));
        v128.store(q + 2 * NR * 4, i64x2.shuffle(t2, t3, 0, 2));
        v128.store(q + 3 * NR * 4, i64x2.shuffle(t2, t3, 1, 3));
      }
    }
  } else {
    // Two 2x2 blocks per 2 k: rows 0-1 and rows 2-3 of the strip.
    for (; k + 2 <= kc; k += 2) {
      for (let h: usize = 0; h < 2; h++) {
        const p = src + h * 2 * row + <usize>k * 8;
        const r0 = v128.load(p);
        const r1 = v128.load(p + row);
        const q = dst + <usize>k * NR * 8 + h * 16;
        v128.store(q, i64x2.shuffle(r0, r1, 0, 2));
        v128.store(q + NR * 8, i64x2.shuffle(r0, r1, 1, 3));
      }
    }
  }
  for (; k < kc; k++) {
    for (let q: usize = 0; q < NR; q++) store<T>(dst + (<usize>k * NR + q) * s, load<T>(src + q * row + <usize>k * s));
  }
}

/**
 * The MR x NR tile at dst (rows dstRow bytes apart) = Σ_k pa[k][r] * pb[k][q] over kc steps, in
 * order, plus the partial sums at src (rows srcRow bytes apart) unless `first`. A's MR values of
 * one k lie together, aStep bytes from the next k's (MR elements packed, a row where A lies); B's
 * NR, bStep bytes. dst is a scratch tile, or C itself when nothing is left to do to the sums (last
 * k-block, alpha 1, beta 0).
 */
// @ts-ignore: decorator
@inline
function microKernel<T>(kc: i32, pa: usize, aStep: usize, pb: usize, bStep: usize, first: bool, src: usize, srcRow: usize, dst: usize, dstRow: usize): void {
  const s = sizeof<T>();
  let c00 = v128.splat<T>(<T>0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(src, 0); c01 = v128.load(src, 16);
    c10 = v128.load(src + srcRow, 0); c11 = v128.load(src + srcRow, 16);
    c20 = v128.load(src + 2 * srcRow, 0); c21 = v128.load(src + 2 * srcRow, 16);
    c30 = v128.load(src + 3 * srcRow, 0); c31 = v128.load(src + 3 * srcRow, 16);
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa, 0);
    c00 = v128.add<T>(c00, v128.mul<T>(a, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(pa, s);
    c10 = v128.add<T>(c10, v128.mul<T>(a, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(pa, 2 * s);
    c20 = v128.add<T>(c20, v128.mul<T>(a, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(pa, 3 * s);
    c30 = v128.add<T>(c30, v128.mul<T>(a, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(a, b1));
    pa += aStep;
    pb += bStep;
  }
  v128.store(dst, c00, 0); v128.store(dst, c01, 16);
  v128.store(dst + dstRow, c10, 0); v128.store(dst + dstRow, c11, 16);
  v128.store(dst + 2 * dstRow, c20, 0); v128.store(dst + 2 * dstRow, c21, 16);
  v128.store(dst + 3 * dstRow, c30, 0); v128.store(dst + 3 * dstRow, c31, 16);
}

/** C[i0 + r][j0 + q] = alpha * tile + beta * C (in f64, rounded once), for r < rows, q < cols. */
function writeTile<T>(pt: usize, c: usize, ldc: i32, i0: i32, j0: i32, rows: i32, cols: i32, alpha: f64, beta: f64): void {
  const s = <usize>sizeof<T>();
  const NR = <usize>(32 / sizeof<T>());
  for (let r = 0; r < rows; r++) {
    const src = pt + <usize>r * NR * s;
    const dst = c + (<usize>(i0 + r) * <usize>ldc + <usize>j0) * s;
    if (cols == <i32>NR) {
      writeRow<T>(src, dst, alpha, beta);
    } else if (beta == 0) {
      for (let q = 0; q < cols; q++) store<T>(dst + <usize>q * s, <T>(alpha * <f64>load<T>(src + <usize>q * s)));
    } else {
      for (let q = 0; q < cols; q++) {
        const p = dst + <usize>q * s;
        store<T>(p, <T>(alpha * <f64>load<T>(src + <usize>q * s) + beta * <f64>load<T>(p)));
      }
    }
  }
}

/** One full tile row (32 bytes): the same f64 arithmetic as the scalar loop, a vector at a time. */
// @ts-ignore: decorator
@inline
function writeRow<T>(src: usize, dst: usize, alpha: f64, beta: f64): void {
  finishRow<T>(v128.load(src), dst, alpha, beta);
  finishRow<T>(v128.load(src, 16), dst + 16, alpha, beta);
}

/**
 * Rows [i0, i1) and columns [j0, j1) of C = alpha op(A) op(B) + beta C, op(A) already packed at ap
 * (packA); i0 is a multiple of MR; k in blocks of KC. work: gemmWorkBytes(i1 - i0, j1 - j0, KC).
 */
function gemmBlock<T>(
  transB: i32, K: i32, alpha: f64, ap: usize, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32, i0: i32, i1: i32, j0: i32, j1: i32, work: usize, KC: i32,
): void {
  const s = <usize>sizeof<T>();
  const NR = <i32>(32 / sizeof<T>());
  if (transB == B_IN_PLACE && i1 - i0 == 1) {
    gemmRow<T>(K, alpha, ap + <usize>(i0 / MR) * <usize>K * <usize>MR * s, b, ldb, beta, c + <usize>i0 * <usize>ldc * s, j0, j1, work, KC);
    return;
  }
  if (transB == B_PREPACKED && i1 - i0 == 1) {
    gemmRowPacked<T>(K, alpha, ap + <usize>(i0 / MR) * <usize>K * <usize>MR * s, b, ldb, beta, c + <usize>i0 * <usize>ldc * s, j0, j1, work, KC);
    return;
  }
  const it0 = i0 / MR;
  const mt = (i1 - i0 + MR - 1) / MR;
  const width = <usize>((j1 - j0 + NR - 1) / NR * NR);
  const ntj = <i32>width / NR;
  const bp = work;
  const tiles = work + <usize>ntj * (<usize>KC * 32 + STRIP_PAD);
  const tileBytes = <usize>(MR * NR) * s;
  // The larger of packed A (this k-block) and packed B (this chunk) is walked once, in the outer
  // loop; the smaller is swept inside it and stays in cache. W1ᵀ·dZ1 (12288 rows, k = 20) needs
  // the rows outside, the cat network's other products and square ones the strips.
  const rowsOuter = <usize>mt * <usize>MR > width;
  // Tiles go straight to C when C = op(A)·op(B) exactly; otherwise through a scratch tile.
  const toC = alpha == 1 && beta == 0;
  const tileRow = <usize>NR * s;
  const cRow = <usize>ldc * s;
  for (let kb = 0; kb < K; kb += KC) {
    const kc = min(KC, K - kb);
    const first = kb == 0;
    const last = kb + kc == K;
    const stripBytes = <usize>kc * 32 + STRIP_PAD;
    // B in place (NN only): full strips are read from B's rows, ldb apart; a partial last strip is
    // still packed, zero-padded, so that no load runs past B's last row.
    const inPlace = transB == B_IN_PLACE;
    const fullStrips = inPlace ? (j1 - j0) / NR : 0;
    const upperOnly = transB == B_SYMMETRIC;
    // Symmetric (C = Bᵀ·B): op(A) = Bᵀ, its full panels read where B lies (row k of B holds MR
    // neighbours of each panel); only a partial last panel is packed, alone at ap.
    const aInPlace = upperOnly;
    // Prepacked: this k-block's strips, kc x NR each, from strip j0 / NR on (j0 is a multiple of NR).
    const packed = transB == B_PREPACKED ? b + <usize>(kb / KC) * <usize>ldb * <usize>KC * <usize>NR * s + <usize>(j0 / NR) * <usize>kc * <usize>NR * s : bp;
    if (transB == B_PREPACKED) {
      // nothing to pack
    } else if (!inPlace) packB<T>(upperOnly ? 0 : transB, b, ldb, kb, kc, j0, j1, bp, stripBytes, true);
    else if (j0 + fullStrips * NR < j1) packB<T>(0, b, ldb, kb, kc, j0 + fullStrips * NR, j1, bp + <usize>fullStrips * stripBytes, stripBytes, false);
    const outer = rowsOuter ? mt : ntj;
    const inner = rowsOuter ? ntj : mt;
    for (let o = 0; o < outer; o++) {
      for (let n = 0; n < inner; n++) {
        const t = rowsOuter ? o : n;
        const it = it0 + t;
        const jt = rowsOuter ? n : o;
        const direct = jt < fullStrips;
        const pb = direct ? b + (<usize>kb * <usize>ldb + <usize>(j0 + jt * NR)) * s : packed + <usize>jt * (transB == B_PREPACKED ? <usize>kc * 32 : stripBytes);
        const bStep: usize = direct ? <usize>ldb * s : 32;
        const i = it * MR;
        const j = j0 + jt * NR;
        const rows = min(MR, i1 - i);
        const aWhere = aInPlace && rows == MR;
        const pa = aWhere ? b + (<usize>kb * <usize>ldb + <usize>i) * s : ap + ((aInPlace ? 0 : <usize>it * <usize>K) + <usize>kb) * <usize>MR * s;
        const aStep = aWhere ? <usize>ldb * s : <usize>MR * s;
        const cols = min(NR, j1 - j);
        if (upperOnly && i >= j + cols) continue;
        // With one k-block a tile is written out at once, so one scratch tile (hot in L1) serves all.
        const pt = K <= KC ? tiles : tiles + (<usize>t * <usize>ntj + <usize>jt) * tileBytes;
        if (last && toC && rows == MR && cols == NR) {
          microKernel<T>(kc, pa, aStep, pb, bStep, first, pt, tileRow, c + (<usize>i * <usize>ldc + <usize>j) * s, cRow);
        } else {
          microKernel<T>(kc, pa, aStep, pb, bStep, first, pt, tileRow, pt, tileRow);
          if (last) writeTile<T>(pt, c, ldc, i, j, rows, cols, alpha, beta);
        }
      }
    }
  }
}

/**
 * One row of C (a vector times B: the logistic unit's U·K, its w·X): C[j] = alpha Σ_k a[k] B[k][j] + beta C[j]
 * for j in [j0, j1), a being row 0 of a packed panel (MR apart). Each C[j] is one sum over k in
 * ascending order in T, kept between k-blocks in `work` (so a k-block of B is read once, from
 * cache, for all the columns) and finished as writeTile finishes it: the bits of the 4-row
 * kernel's row 0 without its 3 empty rows. Four vectors of columns keep four chains in flight.
 */
function gemmRow<T>(K: i32, alpha: f64, pa: usize, b: usize, ldb: i32, beta: f64, c: usize, j0: i32, j1: i32, work: usize, KC: i32): void {
  const s = <usize>sizeof<T>();
  const L = <i32>(16 / sizeof<T>());
  const aStep = <usize>MR * s;
  const row = <usize>ldb * s;
  const vecEnd = j0 + (j1 - j0) / (4 * L) * (4 * L);
  for (let kb = 0; kb < K; kb += KC) {
    const kc = min(KC, K - kb);
    const first = kb == 0;
    const last = kb + kc == K;
    const a0 = pa + <usize>kb * aStep;
    const b0 = b + <usize>kb * row;
    for (let j = j0; j < vecEnd; j += 4 * L) {
      const part = work + <usize>(j - j0) * s;
      let c0 = v128.splat<T>(<T>0), c1 = c0, c2 = c0, c3 = c0;
      if (!first) {
        c0 = v128.load(part, 0); c1 = v128.load(part, 16); c2 = v128.load(part, 32); c3 = v128.load(part, 48);
      }
      let pb = b0 + <usize>j * s;
      let a = a0;
      for (let k = 0; k < kc; k++) {
        const av = v128.load_splat<T>(a);
        c0 = v128.add<T>(c0, v128.mul<T>(av, v128.load(pb, 0)));
        c1 = v128.add<T>(c1, v128.mul<T>(av, v128.load(pb, 16)));
        c2 = v128.add<T>(c2, v128.mul<T>(av, v128.load(pb, 32)));
        c3 = v128.add<T>(c3, v128.mul<T>(av, v128.load(pb, 48)));
        a += aStep;
        pb += row;
      }
      if (last) {
        const dst = c + <usize>j * s;
        finishRow<T>(c0, dst, alpha, beta);
        finishRow<T>(c1, dst + 16, alpha, beta);
        finishRow<T>(c2, dst + 32, alpha, beta);
        finishRow<T>(c3, dst + 48, alpha, beta);
      } else {
        v128.store(part, c0, 0); v128.store(part, c1, 16); v128.store(part, c2, 32); v128.store(part, c3, 48);
      }
    }
    for (let j = vecEnd; j < j1; j++) {
      const part = work + <usize>(j - j0) * s;
      let acc: T = first ? <T>0 : load<T>(part);
      let pb = b0 + <usize>j * s;
      let a = a0;
      for (let k = 0; k < kc; k++) {
        acc = acc + load<T>(a) * load<T>(pb);
        a += aStep;
        pb += row;
      }
      if (!last) {
        store<T>(part, acc);
        continue;
      }
      finishScalar<T>(acc, c + <usize>j * s, alpha, beta);
    }
  }
}

/**
 * gemmRow over a B packed whole (packWhole: per k-block, strips of kc x NR, `strips` of them): the
 * same sums in the same order, read from three strips at a time, each one stream through memory.
 * B's rows in place are ldb apart, a cache line or two from each for every k; the strips are
 * read in order (the logistic unit's U·K, 1 x 209 x 209, K kept packed).
 */
function gemmRowPacked<T>(K: i32, alpha: f64, pa: usize, b: usize, strips: i32, beta: f64, c: usize, j0: i32, j1: i32, work: usize, KC: i32): void {
  const s = <usize>sizeof<T>();
  const NR = <i32>(32 / sizeof<T>());
  const aStep = <usize>MR * s;
  // Three strips at a time: six accumulators. With four (eight accumulators, the other kernels'
  // count) V8 keeps this loop 1.7x slower (U·K 1 x 209 x 209 f64: 10.9 -> 6.3 µs, measured).
  const groupEnd = j0 + (j1 - j0) / (3 * NR) * (3 * NR);
  const fullEnd = j0 + (j1 - j0) / NR * NR;
  for (let kb = 0; kb < K; kb += KC) {
    const kc = min(KC, K - kb);
    const first = kb == 0;
    const last = kb + kc == K;
    const a0 = pa + <usize>kb * aStep;
    const stripBytes = <usize>kc * 32;
    // This k-block's strip of column j0 (a multiple of NR).
    const p0 = b + <usize>(kb / KC) * <usize>strips * <usize>KC * 32 + <usize>(j0 / NR) * stripBytes;
    for (let j = j0; j < groupEnd; j += 3 * NR) {
      const part = work + <usize>(j - j0) * s;
      let c0 = v128.splat<T>(<T>0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
      if (!first) {
        c0 = v128.load(part, 0); c1 = v128.load(part, 16); c2 = v128.load(part, 32);
        c3 = v128.load(part, 48); c4 = v128.load(part, 64); c5 = v128.load(part, 80);
      }
      let p = p0 + <usize>((j - j0) / NR) * stripBytes;
      let q = p + stripBytes;
      let r = q + stripBytes;
      let a = a0;
      for (let k = 0; k < kc; k++) {
        const av = v128.load_splat<T>(a);
        c0 = v128.add<T>(c0, v128.mul<T>(av, v128.load(p, 0)));
        c1 = v128.add<T>(c1, v128.mul<T>(av, v128.load(p, 16)));
        c2 = v128.add<T>(c2, v128.mul<T>(av, v128.load(q, 0)));
        c3 = v128.add<T>(c3, v128.mul<T>(av, v128.load(q, 16)));
        c4 = v128.add<T>(c4, v128.mul<T>(av, v128.load(r, 0)));
        c5 = v128.add<T>(c5, v128.mul<T>(av, v128.load(r, 16)));
        a += aStep;
        p += 32;
        q += 32;
        r += 32;
      }
      if (last) {
        const dst = c + <usize>j * s;
        finishRow<T>(c0, dst, alpha, beta);
        finishRow<T>(c1, dst + 16, alpha, beta);
        finishRow<T>(c2, dst + 32, alpha, beta);
        finishRow<T>(c3, dst + 48, alpha, beta);
        finishRow<T>(c4, dst + 64, alpha, beta);
        finishRow<T>(c5, dst + 80, alpha, beta);
      } else {
        v128.store(part, c0, 0); v128.store(part, c1, 16); v128.store(part, c2, 32);
        v128.store(part, c3, 48); v128.store(part, c4, 64); v128.store(part, c5, 80);
      }
    }
    for (let j = groupEnd; j < fullEnd; j += NR) {
      const part = work + <usize>(j - j0) * s;
      let c0 = v128.splat<T>(<T>0), c1 = c0;
      if (!first) {
        c0 = v128.load(part, 0); c1 = v128.load(part, 16);
      }
      let p = p0 + <usize>((j - j0) / NR) * stripBytes;
      let a = a0;
      for (let k = 0; k < kc; k++) {
        const av = v128.load_splat<T>(a);
        c0 = v128.add<T>(c0, v128.mul<T>(av, v128.load(p, 0)));
        c1 = v128.add<T>(c1, v128.mul<T>(av, v128.load(p, 16)));
        a += aStep;
        p += 32;
      }
      if (last) {
        const dst = c + <usize>j * s;
        finishRow<T>(c0, dst, alpha, beta);
        finishRow<T>(c1, dst + 16, alpha, beta);
      } else {
        v128.store(part, c0, 0); v128.store(part, c1, 16);
      }
    }
    // The last strip's columns up to j1 (its others are the packing's zeros).
    for (let j = fullEnd; j < j1; j++) {
      const part = work + <usize>(j - j0) * s;
      let acc: T = first ? <T>0 : load<T>(part);
      let p = p0 + <usize>((fullEnd - j0) / NR) * stripBytes + <usize>(j - fullEnd) * s;
      let a = a0;
      for (let k = 0; k < kc; k++) {
        acc = acc + load<T>(a) * load<T>(p);
        a += aStep;
        p += 32;
      }
      if (!last) {
        store<T>(part, acc);
        continue;
      }
      finishScalar<T>(acc, c + <usize>j * s, alpha, beta);
    }
  }
}

/** One sum to C as writeTile finishes it: as is for alpha 1, beta 0, else alpha v + beta C in f64, rounded once. */
// @ts-ignore: decorator
@inline
function finishScalar<T>(acc: T, dst: usize, alpha: f64, beta: f64): void {
  if (alpha == 1 && beta == 0) store<T>(dst, acc);
  else if (beta == 0) store<T>(dst, <T>(alpha * <f64>acc));
  else store<T>(dst, <T>(alpha * <f64>acc + beta * <f64>load<T>(dst)));
}

/**
 * One vector of sums to C as the scalar loop finishes it: as is for alpha 1, beta 0 (1 * v rounds
 * to v), else alpha v + beta C in f64 lanes, rounded once.
 */
// @ts-ignore: decorator
@inline
function finishRow<T>(v: v128, dst: usize, alpha: f64, beta: f64): void {
  if (alpha == 1 && beta == 0) {
    v128.store(dst, v);
    return;
  }
  const av = f64x2.splat(alpha);
  const bv = f64x2.splat(beta);
  if (sizeof<T>() == 8) {
    let r = f64x2.mul(av, v);
    if (beta != 0) r = f64x2.add(r, f64x2.mul(bv, v128.load(dst)));
    v128.store(dst, r);
    return;
  }
  let lo = f64x2.mul(av, f64x2.promote_low_f32x4(v));
  let hi = f64x2.mul(av, f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)));
  if (beta != 0) {
    const cv = v128.load(dst);
    lo = f64x2.add(lo, f64x2.mul(bv, f64x2.promote_low_f32x4(cv)));
    hi = f64x2.add(hi, f64x2.mul(bv, f64x2.promote_low_f32x4(i64x2.shuffle(cv, cv, 1, 0))));
  }
  v128.store(dst, i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2));
}

export function packA32(transA: i32, M: i32, K: i32, a: usize, lda: i32, ap: usize, it0: i32, it1: i32): void {
  packA<f32>(transA, M, K, a, lda, ap, it0, it1);
}
export function packA64(transA: i32, M: i32, K: i32, a: usize, lda: i32, ap: usize, it0: i32, it1: i32): void {
  packA<f64>(transA, M, K, a, lda, ap, it0, it1);
}
export function gemmBlock32(
  transB: i32, K: i32, alpha: f64, ap: usize, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32, i0: i32, i1: i32, j0: i32, j1: i32, work: usize, kc: i32,
): void {
  gemmBlock<f32>(transB, K, alpha, ap, b, ldb, beta, c, ldc, i0, i1, j0, j1, work, kc);
}
export function gemmBlock64(
  transB: i32, K: i32, alpha: f64, ap: usize, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32, i0: i32, i1: i32, j0: i32, j1: i32, work: usize, kc: i32,
): void {
  gemmBlock<f64>(transB, K, alpha, ap, b, ldb, beta, c, ldc, i0, i1, j0, j1, work, kc);
}

/**
 * op(B) (K x N) packed whole for gemmBlock's B_PREPACKED, in k-blocks of KC: k-block kb / KC starts
 * at dst + (kb / KC) * strips * KC * NR elements and holds its `strips` = ceil(N / NR) strips of
 * kc x NR, as packB writes them (the last one zero-padded). The same values in the same places as
 * the per-block packing, so the products are the same bits.
 */
function packWhole<T>(transB: i32, b: usize, ldb: i32, K: i32, N: i32, KC: i32, dst: usize): void {
  const NR = 32 / sizeof<T>();
  const strips = <usize>((N + <i32>NR - 1) / <i32>NR);
  for (let kb = 0; kb < K; kb += KC) {
    const kc = min(KC, K - kb);
    packB<T>(transB, b, ldb, kb, kc, 0, N, dst + <usize>(kb / KC) * strips * <usize>KC * 32, <usize>kc * 32, false);
  }
}
export function packWhole32(transB: i32, b: usize, ldb: i32, K: i32, N: i32, KC: i32, dst: usize): void {
  packWhole<f32>(transB, b, ldb, K, N, KC, dst);
}
export function packWhole64(transB: i32, b: usize, ldb: i32, K: i32, N: i32, KC: i32, dst: usize): void {
  packWhole<f64>(transB, b, ldb, K, N, KC, dst);
}

/** The rows of packA's panels: a block's first row, and packed A's rows (M rounded up), are multiples of it. */
export function gemmPanelRows(): i32 {
  return MR;
}

/** Bytes of `work` that gemmBlock needs for a block of `rows` x `cols` in k-blocks of `kc`. */
export function gemmWorkBytes(rows: i32, cols: i32, elementBytes: i32, kc: i32): i32 {
  const NR = 32 / elementBytes;
  const width = (cols + NR - 1) / NR * NR;
  return (kc * width + (rows + MR - 1) / MR * MR * width) * elementBytes + width / NR * <i32>STRIP_PAD;
}

// ---------------------------------------------------------------- elementwise
// Computed in f64 and rounded once, as the reference backend does, so these match it bit for bit.

const LINEAR = 0, SIGMOID = 1, TANH = 2, RELU = 3, LEAKY = 4;

// @ts-ignore: decorator
@inline
function g(kind: i32, slope: f64, z: f64): f64 {
  if (kind == SIGMOID) return 1 / (1 + Math.exp(-z));
  if (kind == TANH) return Math.tanh(z);
  if (kind == RELU) return z <= 0 ? 0 : z;
  if (kind == LEAKY) return z > 0 ? z : slope * z;
  return z;
}

// @ts-ignore: decorator
@inline
function dg(kind: i32, slope: f64, z: f64, a: f64): f64 {
  if (kind == SIGMOID) return a * (1 - a);
  if (kind == TANH) return 1 - a * a;
  if (kind == RELU) return z <= 0 ? 0 : 1;
  if (kind == LEAKY) return z > 0 ? 1 : slope;
  return 1;
}

function addBias<T>(z: usize, b: usize, rows: i32, cols: i32): void {
  const s = <usize>sizeof<T>();
  const L = 16 / sizeof<T>();
  for (let i = 0; i < rows; i++) {
    const bi = load<T>(b + <usize>i * s);
    const bv = v128.splat<T>(bi);
    let p = z + <usize>i * <usize>cols * s;
    let j = 0;
    for (; j + <i32>L <= cols; j += <i32>L, p += 16) v128.store(p, v128.add<T>(v128.load(p), bv));
    for (; j < cols; j++, p += s) store<T>(p, load<T>(p) + bi);
  }
}

function activationForward<T>(kind: i32, slope: f64, z: usize, a: usize, n: i32): void {
  const s = <usize>sizeof<T>();
  let t = 0;
  if (kind == RELU) {
    const L = 16 / sizeof<T>();
    // z <= 0 ? +0 : z, as the scalar rule (-0 gives +0, NaN stays NaN).
    const zero = v128.splat<T>(<T>0);
    for (; t + <i32>L <= n; t += <i32>L) {
      const o = <usize>t * s;
      const zv = v128.load(z + o);
      v128.store(a + o, v128.andnot(zv, v128.le<T>(zv, zero)));
    }
  }
  for (; t < n; t++) {
    const o = <usize>t * s;
    store<T>(a + o, <T>g(kind, slope, <f64>load<T>(z + o)));
  }
}

/**
 * Z += b (broadcast over columns), then A = g(Z): the forward pass's two elementwise steps in one
 * pass over Z. Each step rounds as addBias and activationForward do, so the results are the same.
 */
function biasActivation<T>(kind: i32, slope: f64, z: usize, b: usize, a: usize, rows: i32, cols: i32): void {
  const s = <usize>sizeof<T>();
  const L = 16 / sizeof<T>();
  const zero = v128.splat<T>(<T>0);
  for (let i = 0; i < rows; i++) {
    const bi = load<T>(b + <usize>i * s);
    const bv = v128.splat<T>(bi);
    const row = <usize>i * <usize>cols * s;
    let zp = z + row;
    let ap = a + row;
    let j = 0;
    if (kind == RELU) {
      for (; j + <i32>L <= cols; j += <i32>L, zp += 16, ap += 16) {
        const zv = v128.add<T>(v128.load(zp), bv);
        v128.store(zp, zv);
        v128.store(ap, v128.andnot(zv, v128.le<T>(zv, zero)));
      }
    }
    for (; j < cols; j++, zp += s, ap += s) {
      const zv = load<T>(zp) + bi;
      store<T>(zp, zv);
      store<T>(ap, <T>g(kind, slope, <f64>zv));
    }
  }
}

function activationBackward<T>(kind: i32, slope: f64, da: usize, z: usize, a: usize, dz: usize, n: i32): void {
  const s = <usize>sizeof<T>();
  let t = 0;
  if (kind == RELU) {
    // dZ = dA * (z <= 0 ? 0 : 1), exactly as the scalar rule (so -0 and NaN propagate the same way).
    const L = 16 / sizeof<T>();
    const zero = v128.splat<T>(<T>0);
    const one = v128.splat<T>(<T>1);
    for (; t + <i32>L <= n; t += <i32>L) {
      const o = <usize>t * s;
      const d = v128.andnot(one, v128.le<T>(v128.load(z + o), zero));
      v128.store(dz + o, v128.mul<T>(v128.load(da + o), d));
    }
  }
  for (; t < n; t++) {
    const o = <usize>t * s;
    const dav = <f64>load<T>(da + o);
    store<T>(dz + o, <T>(dav * dg(kind, slope, <f64>load<T>(z + o), <f64>load<T>(a + o))));
  }
}

/** out[i] = scale * Σ_j M[i][j], summed in f64 left to right. */
function rowSums<T>(m: usize, rows: i32, cols: i32, scale: f64, out: usize): void {
  const s = <usize>sizeof<T>();
  for (let i = 0; i < rows; i++) {
    let p = m + <usize>i * <usize>cols * s;
    let acc: f64 = 0;
    for (let j = 0; j < cols; j++, p += s) acc += <f64>load<T>(p);
    store<T>(out + <usize>i * s, <T>(scale * acc));
  }
}

function axpy64(alpha: f64, x: usize, y: usize, n: i32): void {
  const av = f64x2.splat(alpha);
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  for (; t < n; t++) {
    const o = <usize>t << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** y += alpha x on f32 data, in f64 lanes: alpha is not rounded to f32 (as in the reference). */
function axpy32(alpha: f64, x: usize, y: usize, n: i32): void {
  const av = f64x2.splat(alpha);
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const o = <usize>t << 2;
    const xv = v128.load(x + o);
    const yv = v128.load(y + o);
    const lo = f64x2.add(f64x2.promote_low_f32x4(yv), f64x2.mul(av, f64x2.promote_low_f32x4(xv)));
    const xh = i64x2.shuffle(xv, xv, 1, 0);
    const yh = i64x2.shuffle(yv, yv, 1, 0);
    const hi = f64x2.add(f64x2.promote_low_f32x4(yh), f64x2.mul(av, f64x2.promote_low_f32x4(xh)));
    v128.store(y + o, i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2));
  }
  for (; t < n; t++) {
    const o = <usize>t << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

export function addBias32(z: usize, b: usize, rows: i32, cols: i32): void { addBias<f32>(z, b, rows, cols); }
export function addBias64(z: usize, b: usize, rows: i32, cols: i32): void { addBias<f64>(z, b, rows, cols); }
export function activationForward32(kind: i32, slope: f64, z: usize, a: usize, n: i32): void {
  activationForward<f32>(kind, slope, z, a, n);
}
export function activationForward64(kind: i32, slope: f64, z: usize, a: usize, n: i32): void {
  activationForward<f64>(kind, slope, z, a, n);
}
export function biasActivation32(kind: i32, slope: f64, z: usize, b: usize, a: usize, rows: i32, cols: i32): void {
  biasActivation<f32>(kind, slope, z, b, a, rows, cols);
}
export function biasActivation64(kind: i32, slope: f64, z: usize, b: usize, a: usize, rows: i32, cols: i32): void {
  biasActivation<f64>(kind, slope, z, b, a, rows, cols);
}
export function activationBackward32(kind: i32, slope: f64, da: usize, z: usize, a: usize, dz: usize, n: i32): void {
  activationBackward<f32>(kind, slope, da, z, a, dz, n);
}
export function activationBackward64(kind: i32, slope: f64, da: usize, z: usize, a: usize, dz: usize, n: i32): void {
  activationBackward<f64>(kind, slope, da, z, a, dz, n);
}
export function rowSums32(m: usize, rows: i32, cols: i32, scale: f64, out: usize): void { rowSums<f32>(m, rows, cols, scale, out); }
export function rowSums64(m: usize, rows: i32, cols: i32, scale: f64, out: usize): void { rowSums<f64>(m, rows, cols, scale, out); }
export { axpy32, axpy64 };

/** First byte the kernels' own static data does not use: JS allocates from here. */
export function heapBase(): usize {
  return __heap_base;
}
