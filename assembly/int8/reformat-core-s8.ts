// Shared pieces of the reformatters: moving 4 pixels x 4 channels (one
// 16-byte vector, pixel-major: [p0c0 p0c1 p0c2 p0c3 p1c0 ...]) between a
// blocked layout (G = 4: one contiguous vector; G = 32: four 4-byte pieces
// at stride 32) and registers, and the 4x4 byte transpose.
import { ldv, stv, ldi32, sti32 } from "../mem";
import { ld32z } from "./mem-s8";

/** Loads channels c..c+3 of pixels p..p+3 where `at` points at pixel p's
 *  channel c in a layout with G lanes per pixel. */
@inline export function load4x4(at: usize, G: i32): v128 {
  if (G == 4) return ldv(at);
  const g = <usize>G;
  let v = ld32z(at);
  v = i32x4.replace_lane(v, 1, ldi32(at + g));
  v = i32x4.replace_lane(v, 2, ldi32(at + 2 * g));
  return i32x4.replace_lane(v, 3, ldi32(at + 3 * g));
}

@inline export function store4x4(at: usize, G: i32, v: v128): void {
  if (G == 4) {
    stv(at, v);
  } else {
    const g = <usize>G;
    sti32(at, i32x4.extract_lane(v, 0));
    sti32(at + g, i32x4.extract_lane(v, 1));
    sti32(at + 2 * g, i32x4.extract_lane(v, 2));
    sti32(at + 3 * g, i32x4.extract_lane(v, 3));
  }
}

/** 4x4 byte transpose: pixel-major <-> channel-major. */
@inline export function transpose4x4(v: v128): v128 {
  return i8x16.shuffle(v, v, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
}

/** Byte mask keeping the first `real` (0..4) lanes of each 4-byte group. */
@inline export function laneMask(real: i32): v128 {
  const m = real >= 4 ? -1 : (1 << (real * 8)) - 1;
  return i32x4.splat(m);
}
