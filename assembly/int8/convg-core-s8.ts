// General int8 convolution in both blocked layouts (G = 1 << gs = 4 or 32):
// groups, kh x kw, per-axis strides and dilations, asymmetric pads, output
// zero point and clamp (requant.ts requantZc*). For chunks of
// CONVG_PIXEL_CHUNK output pixels and each group, the pixels' receptive
// fields over the group's channels are gathered into int16 rows of Dg =
// ceil(Cg*kh*kw/8)*8 elements (order: run of the group's channels inside one
// layout block, ky, kx, channel of the run; padding taps read xZero; zeros
// after), then gemm-s8.ts's int16 4x2 tile multiplies them with the packed
// rows (src/int8/pack-convg.ts: [groups][Kg4][Dg] int16, bias and mult
// [groups][Kg4]). Tiles store only a group's real channels (a group's first
// channel need not be a multiple of 4); padding channels are zeroed last.
// Scratch: CONVG_PIXEL_CHUNK * Dg * 2 + 32 bytes (src/int8/scratch.ts).
import { ldv, sti32, sti8 } from "../mem";
import { widenBytes } from "./mem-s8";
import { tile4x2s16sums } from "./gemm-s8";
import { requantZc4x2, zcLo, zcHi, zcZero } from "./requant";
import { chanByte, convgOut, fillI16, zeroChannelsFrom } from "./conv-family-s8";

export const CONVG_PIXEL_CHUNK: i32 = 16;

/** Gathers one pixel's receptive field over channels c0 .. c0+Cg-1 into
 *  Dg int16 at dst. (iy0, ix0): the window's top-left input position. */
@inline function gatherGroupPixel(
  gs: i32, xn: usize, H: i32, W: i32, c0: i32, Cg: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  iy0: i32, ix0: i32, xZero: i32, dst: usize, Dg: i32,
): void {
  const G = 1 << gs;
  const plane = <usize>(H * W) << gs;
  const rowBytes = <usize>W << gs;
  const c1 = c0 + Cg;
  const rowInside = ix0 >= 0 && ix0 + (kw - 1) * dw < W;
  let d = dst;
  for (let cb = c0 & ~(G - 1); cb < c1; cb += G) {
    const a = max(c0, cb), r = min(c1, cb + G) - a;
    const base = xn + <usize>(cb >> gs) * plane + <usize>(a - cb);
    const run = <usize>(kw * r) << 1;
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (iy < 0 || iy >= H) {
        fillI16(d, kw * r, xZero);
      } else {
        const row = base + <usize>iy * rowBytes;
        if (dw == 1 && r == G && rowInside) {
          widenBytes(row + (<usize>ix0 << gs), d, kw << gs);
        } else {
          let dd = d;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (ix < 0 || ix >= W) fillI16(dd, r, xZero);
            else widenBytes(row + (<usize>ix << gs), dd, r);
            dd += <usize>r << 1;
          }
        }
      }
      d += run;
    }
  }
  fillI16(d, <i32>((dst + (<usize>Dg << 1) - d) >> 1), 0);
}

/** Stores the 4 int8 results packed in v (channel k + i in byte i) for
 *  pixel p, only the first nv channels. */
@inline function storeChannels(v: i32, yn: usize, k: i32, nv: i32, p: i32, P: i32, gs: i32): void {
  const pix = <usize>p << gs;
  if (nv == 4 && (k & 3) == 0) {
    sti32(yn + chanByte(k, P, gs) + pix, v);
    return;
  }
  for (let i = 0; i < nv; i++) sti8(yn + chanByte(k + i, P, gs) + pix, <i8>(v >> (i << 3)));
}

@inline export function convgS8(
  gs: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32,
  xZero: i32, yZero: i32, lo: i32, hi: i32, y: usize, scratch: usize,
): void {
  const Ho = convgOut(H, padTop, padBottom, kh, dh, sh);
  const Wo = convgOut(W, padLeft, padRight, kw, dw, sw);
  const P = Ho * Wo;
  const G = 1 << gs;
  const CBi = (C + G - 1) >> gs, CBo = (K + G - 1) >> gs;
  const Cg = C / groups, Kg = K / groups, Kg4 = (Kg + 3) & ~3;
  const Dg = (Cg * kh * kw + 7) & ~7;
  const ldw = <usize>Dg << 1;
  const sums = scratch + <usize>CONVG_PIXEL_CHUNK * ldw;
  const loV = zcLo(yZero, lo), hiV = zcHi(yZero, hi), zV = zcZero(yZero);
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>(n * CBi * H * W) << gs);
    const yn = y + (<usize>(n * CBo * P) << gs);
    for (let p0 = 0; p0 < P; p0 += CONVG_PIXEL_CHUNK) {
      const pc = min(CONVG_PIXEL_CHUNK, P - p0);
      const oy0 = p0 / Wo, ox0 = p0 - oy0 * Wo;
      for (let g = 0; g < groups; g++) {
        let oy = oy0, ox = ox0;
        for (let j = 0; j < pc; j++) {
          gatherGroupPixel(gs, xn, H, W, g * Cg, Cg, kh, kw, dh, dw, oy * sh - padTop, ox * sw - padLeft, xZero, scratch + <usize>j * ldw, Dg);
          if (++ox == Wo) { ox = 0; oy++; }
        }
        const wg = weights + <usize>(g * Kg4) * ldw;
        const bg = bias + (<usize>(g * Kg4) << 2), mg = mult + (<usize>(g * Kg4) << 2);
        for (let t = 0; t < Kg4; t += 4) {
          const k = g * Kg + t, nv = min(4, Kg - t);
          const bv = ldv(bg + (<usize>t << 2)), mv = ldv(mg + (<usize>t << 2));
          for (let j = 0; j < pc; j += 2) {
            const x0 = scratch + <usize>j * ldw;
            const two = j + 1 < pc;
            tile4x2s16sums(wg + <usize>t * ldw, ldw, x0, two ? x0 + ldw : x0, Dg, sums);
            const q = requantZc4x2(i32x4.add(ldv(sums), bv), i32x4.add(ldv(sums + 16), bv), mv, loV, hiV, zV);
            storeChannels(i32x4.extract_lane(q, 0), yn, k, nv, p0 + j, P, gs);
            if (two) storeChannels(i32x4.extract_lane(q, 1), yn, k, nv, p0 + j + 1, P, gs);
          }
        }
      }
    }
    zeroChannelsFrom(yn, P, gs, K, K);
  }
}
