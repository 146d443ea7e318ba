// Small helpers of the GEMM tiles (gen/gemm-tiles-s8.ts): the transposed
// horizontal reduction and the 4-element loads of a K % 8 == 4 tail.
import { ld32z, ld64z } from "./mem-s8";

/** [sum(a0), sum(a1), sum(a2), sum(a3)] (int32 lanes, wrap-around). */
@inline export function reduce4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const t1 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

/** 4 int8 widened to int16 (lanes 4..7 zero). */
@inline export function ext4(p: usize): v128 {
  return i16x8.extend_low_i8x16_s(ld32z(p));
}

/** 4 int16 (lanes 4..7 zero). */
@inline export function ld4w(p: usize): v128 {
  return ld64z(p);
}
