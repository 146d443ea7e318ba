// Helpers of the generated FP32 register blocks (gen/blocks-f32.ts): the
// multiply-add (no FMA in SIMD128: mul then add), the conv blocks' store with
// the optional ReLU, and the GEMM blocks' strided A element and accumulating
// row store.
import { ldf, ldv, stv } from "../mem";

@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

@inline export function out(p: usize, v: v128, relu: bool): void {
  // pmax(v, 0) = v < 0 ? 0 : v, the scalar ReLU exactly (NaN and -0 kept).
  stv(p, relu ? f32x4.pmax(v, f32x4.splat(0)) : v);
}

/** A(i, k) = A[i*rsA + k*csA]. */
@inline export function aAt(a: usize, rsA: i32, csA: i32, i: i32, k: i32): f32 {
  return ldf(a + ((<usize>(i * rsA + k * csA)) << 2));
}

/** Row i, columns j..j+7 of C: v0, v1 (added to C's values when accumulating). */
@inline export function storeRow(c: usize, ldc: i32, i: i32, j: i32, v0: v128, v1: v128, accumulate: bool): void {
  const p = c + ((<usize>(i * ldc + j)) << 2);
  if (accumulate) {
    v0 = f32x4.add(v0, ldv(p));
    v1 = f32x4.add(v1, ldv(p + 16));
  }
  stv(p, v0);
  stv(p + 16, v1);
}
