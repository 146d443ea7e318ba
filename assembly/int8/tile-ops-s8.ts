// Small helpers of the generated tiles and panels (gen/): the transposed
// horizontal reduction, the 4-element loads of a K % 8 == 4 tail, the pairs
// path's broadcast load and its two-pixel requantizing store.
import { ld32z, ld64z } from "./mem-s8";
import { check, ldv, sti32 } from "../mem";
import { requant4x2 } from "./requant";

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

/** Loads an int32 and broadcasts it to the 4 lanes (one vbroadcastss). */
@inline export function ld32splat(p: usize): v128 {
  check(p, 4);
  return v128.load32_splat(p);
}

/** + bias, requantization, and 4 int8 (one pixel's 4 channels) stored at each of o0 and o1. */
@inline export function store2(
  a: v128, b: v128, bias: usize, mult: usize, relu: bool, o0: usize, o1: usize,
): void {
  const bv = ldv(bias);
  const q = requant4x2(i32x4.add(a, bv), i32x4.add(b, bv), ldv(mult), relu);
  sti32(o0, i32x4.extract_lane(q, 0));
  sti32(o1, i32x4.extract_lane(q, 1));
}

/** n = 4, 8 or 12 bytes at p, the other lanes zero. */
@inline export function ldPart(p: usize, n: usize): v128 {
  if (n == 4) return ld32z(p);
  const v = ld64z(p);
  if (n == 8) return v;
  check(p + 8, 4);
  return v128.load32_lane(p + 8, v, 2);
}
