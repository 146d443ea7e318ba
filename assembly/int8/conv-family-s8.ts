// Helpers shared by the general convolutions (convg, dwconv, conv1x1) in
// the blocked layouts (G = 1 << gs = 4 or 32 lanes).
import { check } from "../mem";
import { zeroBytes } from "./mem-s8";

/** Output size along one axis (floor). */
@inline export function convgOut(H: i32, padA: i32, padB: i32, k: i32, d: i32, s: i32): i32 {
  return (H + padA + padB - ((k - 1) * d + 1)) / s + 1;
}

/** Byte offset of channel k at pixel 0 within an image of P pixels. */
@inline export function chanByte(k: i32, P: i32, gs: i32): usize {
  return <usize>((((k >> gs) * P) << gs) + (k & ((1 << gs) - 1)));
}

/** Zeroes channels from .. ceil(K/G)*G - 1 of one image at every pixel;
 *  `from` must lie in the last channel block (K <= from, or K4 <= from). */
@inline export function zeroChannelsFrom(yn: usize, P: i32, gs: i32, K: i32, from: i32): void {
  const G = 1 << gs;
  const end = ((K + G - 1) >> gs) << gs;
  const n = end - from;
  if (n <= 0) return;
  let o = yn + chanByte(from, P, gs);
  for (let p = 0; p < P; p++) {
    zeroBytes(o, n);
    o += <usize>G;
  }
}

/** Writes n int16 copies of v at d. */
@inline export function fillI16(d: usize, n: i32, v: i32): void {
  const s = i16x8.splat(<i16>v);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    check(d + (<usize>i << 1), 16);
    v128.store(d + (<usize>i << 1), s);
  }
  for (; i < n; i++) {
    check(d + (<usize>i << 1), 2);
    store<i16>(d + (<usize>i << 1), <i16>v);
  }
}

/** Stores the high 8 bytes of v at p. */
@inline export function st64high(p: usize, v: v128): void {
  check(p, 8);
  v128.store64_lane(p, v, 1);
}
