// General FP32 convolution in NCHW (the reference path for convg/dwconv/
// conv1x1): groups, kh x kw, per-axis strides and dilations, asymmetric pads,
// then a clamp to [lo, hi] (ReLU: 0, +Inf; none: -Inf, +Inf). Per image and
// group, im2col of the group's channels into scratch, the output rows start
// from the bias, and gemm_nn_f32 accumulates the product onto them.
// weights [K, C/groups, kh, kw], bias [K], output [N, K, Ho, Wo]; scratch
// holds (C/groups)*kh*kw*Ho*Wo floats.
import { ldf, stf, ldv, stv } from "../mem";
import { gemm_nn_f32 } from "./gemm-f32";

/** Unfolds channels c0 .. c0+Cg-1 of one image into [Cg*kh*kw][Ho*Wo]
 *  (0 at padding taps). */
function im2colGroup(
  x: usize, c0: i32, Cg: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, padTop: i32, padLeft: i32, Ho: i32, Wo: i32, col: usize,
): void {
  let dst = col;
  for (let c = c0; c < c0 + Cg; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let oy = 0; oy < Ho; oy++) {
          const iy = oy * sh - padTop + ky * dh;
          const inRow = iy >= 0 && iy < H;
          const src = x + (<usize>((c * H + iy) * W) << 2);
          for (let ox = 0; ox < Wo; ox++) {
            const ix = ox * sw - padLeft + kx * dw;
            stf(dst, inRow && ix >= 0 && ix < W ? ldf(src + (<usize>ix << 2)) : 0);
            dst += 4;
          }
        }
      }
    }
  }
}

/** y := y < lo ? lo : y > hi ? hi : y over count floats (NaN kept). */
function clampF32(y: usize, count: i32, lo: f32, hi: f32): void {
  const l = f32x4.splat(lo), h = f32x4.splat(hi);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const p = y + (<usize>i << 2);
    stv(p, f32x4.pmin(f32x4.pmax(ldv(p), l), h));
  }
  for (let i = c4; i < count; i++) {
    const p = y + (<usize>i << 2);
    const v = ldf(p);
    stf(p, v < lo ? lo : v > hi ? hi : v);
  }
}

export function convg_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, K: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32,
  lo: f32, hi: f32, y: usize, scratch: usize,
): void {
  const Ho = (H + padTop + padBottom - ((kh - 1) * dh + 1)) / sh + 1;
  const Wo = (W + padLeft + padRight - ((kw - 1) * dw + 1)) / sw + 1;
  const P = Ho * Wo;
  const Cg = C / groups, Kg = K / groups;
  const depth = Cg * kh * kw;
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>(n * C * H * W) << 2);
    const yn = y + (<usize>(n * K * P) << 2);
    for (let g = 0; g < groups; g++) {
      im2colGroup(xn, g * Cg, Cg, H, W, kh, kw, sh, sw, dh, dw, padTop, padLeft, Ho, Wo, scratch);
      const yg = yn + (<usize>(g * Kg * P) << 2);
      for (let k = 0; k < Kg; k++) {
        const b = f32x4.splat(ldf(bias + (<usize>(g * Kg + k) << 2)));
        const row = yg + (<usize>(k * P) << 2);
        let p = 0;
        for (; p + 4 <= P; p += 4) stv(row + (<usize>p << 2), b);
        for (; p < P; p++) stf(row + (<usize>p << 2), f32x4.extract_lane(b, 0));
      }
      gemm_nn_f32(Kg, P, depth, weights + (<usize>(g * Kg * depth) << 2), depth, 1, scratch, P, yg, P, true);
    }
    clampF32(yn, K * P, lo, hi);
  }
}
