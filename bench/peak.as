// The most multiply-adds WebAssembly SIMD can do on this processor: twelve independent chains of
// c = c * a + b (a mul then an add, as the gemm micro-kernel does), in registers, no memory.
// Compiled by bench/peak.ts at bench time; not part of the library.

// @ts-ignore: decorator
@inline
function step<T>(c: v128, a: v128, b: v128): v128 {
  return v128.add<T>(v128.mul<T>(c, a), b);
}

function peak<T>(iterations: i32): f64 {
  // c converges to 1: no overflow, no subnormals to slow anything down.
  const a = v128.splat<T>(<T>0.9999999);
  const b = v128.splat<T>(<T>1e-7);
  let c0 = v128.splat<T>(<T>1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  let c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (let i = 0; i < iterations; i++) {
    c0 = step<T>(c0, a, b); c1 = step<T>(c1, a, b); c2 = step<T>(c2, a, b); c3 = step<T>(c3, a, b);
    c4 = step<T>(c4, a, b); c5 = step<T>(c5, a, b); c6 = step<T>(c6, a, b); c7 = step<T>(c7, a, b);
    c8 = step<T>(c8, a, b); c9 = step<T>(c9, a, b); c10 = step<T>(c10, a, b); c11 = step<T>(c11, a, b);
  }
  // Every chain feeds the result, so none can be dropped.
  const s = v128.add<T>(
    v128.add<T>(v128.add<T>(v128.add<T>(c0, c1), v128.add<T>(c2, c3)), v128.add<T>(v128.add<T>(c4, c5), v128.add<T>(c6, c7))),
    v128.add<T>(v128.add<T>(c8, c9), v128.add<T>(c10, c11)),
  );
  return <f64>v128.extract_lane<T>(s, 0);
}

/** FLOPs per iteration: 12 chains x lanes x 2 (a mul and an add). */
export function peak32(iterations: i32): f64 {
  return peak<f32>(iterations);
}
export function peak64(iterations: i32): f64 {
  return peak<f64>(iterations);
}

/** Streams `bytes` from `ptr` (a multiple of 64) into four sums: the memory's read bandwidth, not the processor's. */
export function stream(ptr: usize, bytes: usize): f64 {
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  const end = ptr + bytes;
  for (let p = ptr; p < end; p += 64) {
    s0 = f64x2.add(s0, v128.load(p, 0));
    s1 = f64x2.add(s1, v128.load(p, 16));
    s2 = f64x2.add(s2, v128.load(p, 32));
    s3 = f64x2.add(s3, v128.load(p, 48));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}
