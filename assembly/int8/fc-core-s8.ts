// Int8 fully connected on a 4-D input [N, C, H, W] in a blocked layout
// (G = 4 or 32), equal to flattening the input in nchw order: the host packs
// the weights permuted into the layout's order (src/int8/pack-fc.ts), with
// zero weights at padding channels, so the kernel is a plain GEMM over the
// layout's Kl = ceil(C/G)*H*W*G bytes per image.
//
// weights: [O4][Kl] int16 (O4 = ceil(O/4)*4, padding rows zero); in the
// relaxed-SIMD build int8, the same values one byte each (its tiles take 1 image);
// bias: int32[O4]; mult: f32[O4].
// Output: [N, O, 1, 1] in the SAME layout, i.e. ceil(O/G)*G bytes per image,
// channel o at byte n*ceil(O/G)*G + o; padding channels written as zero.
// Epilogue: clamp(nearest(f32(acc) * m) + yZero, lo, hi) (requant.ts).
import { tile4x2w16, tile4x1w16, tile4x1w16far } from "./gemm-s8";
import { zeroBytes } from "./mem-s8";
import { tile4x1r8, tile4x1r8far } from "./gen/relaxed-r8";
import { zcLo, zcHi, zcZero } from "./requant";
import { RELAXED } from "../isa";

/** The epilogue vectors with the lanes of outputs >= O (layout padding) giving exactly 0. */
@inline function masked(v: v128, valid: v128): v128 {
  return v128.and(v, valid);
}
@inline function maskedZero(z: v128, valid: v128): v128 {
  return v128.bitselect(z, i32x4.splat(0x4B400000), valid);
}

@inline export function fcS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, O: i32, yZero: i32, lo: i32, hi: i32, y: usize,
): void {
  const loV = zcLo(yZero, lo), hiV = zcHi(yZero, hi), zV = zcZero(yZero);
  const Ov = i32x4.splat(O);
  const Kl = ((C + G - 1) / G) * H * W * G;
  const O4 = (O + 3) & ~3;
  const OG = ((O + G - 1) / G) * G;
  const ldx = <usize>Kl;
  const ldy = <usize>OG;
  // int16 weight rows; the relaxed build's are int8 (relaxed tiles: 4 outputs x 1 image).
  const ldw: usize = RELAXED ? <usize>Kl : <usize>Kl << 1;
  if (N == 1) {
    // One image: 4 outputs a quarter of the rows apart per tile (4 distant
    // weight streams prefetch better than 4 adjacent rows).
    const Q = O4 >> 2;
    const step = <usize>Q * ldw;
    for (let o = 0; o < Q; o++) {
      const valid = i32x4.lt_s(i32x4(o, o + Q, o + 2 * Q, o + 3 * Q), Ov);
      const w = weights + <usize>o * ldw, b = bias + (<usize>o << 2), m = mult + (<usize>o << 2);
      const l = masked(loV, valid), h = masked(hiV, valid), z = maskedZero(zV, valid);
      if (RELAXED) tile4x1r8far(w, step, x, Kl, b, m, <usize>Q, l, h, z, y + <usize>o);
      else tile4x1w16far(w, step, x, Kl, b, m, <usize>Q, l, h, z, y + <usize>o);
    }
    if (OG > O4) zeroBytes(y + <usize>O4, OG - O4);
    return;
  }
  for (let og = 0; og < O4; og += 4) {
    const wr = weights + <usize>og * ldw;
    const bk = bias + (<usize>og << 2);
    const mk = mult + (<usize>og << 2);
    const valid = i32x4.lt_s(i32x4(og, og + 1, og + 2, og + 3), Ov);
    const l = masked(loV, valid), h = masked(hiV, valid), z = maskedZero(zV, valid);
    let n = 0;
    if (!RELAXED) {
      for (; n + 2 <= N; n += 2) {
        const xs = x + <usize>n * ldx;
        const o = y + <usize>n * ldy + <usize>og;
        tile4x2w16(wr, ldw, xs, xs + ldx, Kl, bk, mk, l, h, z, o, o + ldy);
      }
    }
    for (; n < N; n++) {
      const xs = x + <usize>n * ldx, o = y + <usize>n * ldy + <usize>og;
      if (RELAXED) tile4x1r8(wr, ldw, xs, Kl, bk, mk, l, h, z, o);
      else tile4x1w16(wr, ldw, xs, Kl, bk, mk, l, h, z, o);
    }
  }
  if (OG > O4) {
    for (let n = 0; n < N; n++) zeroBytes(y + <usize>n * ldy + <usize>O4, OG - O4);
  }
}
