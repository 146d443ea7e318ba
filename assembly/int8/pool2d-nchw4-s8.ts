// General int8 pooling in nchw4: kernel kh x kw (1..255), strides, pads
// (top, left, bottom, right), ceil_mode, count_include_pad; method 0 = max,
// 1 = average (docs/int8-numerics.md "Pool2d").
//   max: the largest int8 over the window's input taps (padding taps
//        ignored); y keeps x's scale and zero point.
//   average: acc = sum of (x - zx) over the input taps (int32; padding taps
//        are the real 0, x = zx, and add nothing), count =
//        windowCount (pool-geometry.ts), m = f32(ratio / f32(count)),
//        ratio = f32(sx/sy): v = f32(f32(acc) * m), y = clamp(nearest(v) + zy).
// SIMD over 4 pixels x 4 lanes when the 4 windows lie inside the image's
// columns, else over one pixel's 4 lanes. Padding lanes written 0.
import { ldv, stv, ldi32, sti32 } from "../mem";
import { ld32z } from "./mem-s8";
import { affine16, affine4 } from "./requant";
import { realLaneMask, boundF32 } from "./lanes-s8";
import { pooledSize, windowCount } from "../pool-geometry";

@inline function load4px(p: usize, step: usize, contiguous: bool): v128 {
  if (contiguous) return ldv(p);
  let v = ld32z(p);
  v = i32x4.replace_lane(v, 1, ldi32(p + step));
  v = i32x4.replace_lane(v, 2, ldi32(p + 2 * step));
  return i32x4.replace_lane(v, 3, ldi32(p + 3 * step));
}

export function pool2d_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32, ceilMode: bool,
  method: i32, countIncludePad: bool, ratio: f32, zx: i32, zy: i32, y: usize,
): void {
  const Ho = pooledSize(H, kh, sh, padTop, padBottom, ceilMode);
  const Wo = pooledSize(W, kw, sw, padLeft, padRight, ceilMode);
  const CB = (C + 3) >> 2;
  const isMax = method == 0;
  // Outputs oxA..oxB-1 have their whole window inside the columns.
  const oxA = min(Wo, (padLeft + sw - 1) / sw);
  const oxB = max(oxA, W - kw + padLeft >= 0 ? min(Wo, (W - kw + padLeft) / sw + 1) : 0);
  const step = <usize>(sw * 4);
  const zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(-128, zy), hiF = boundF32(127, zy);
  for (let pl = 0; pl < N * CB; pl++) {
    const mask = realLaneMask(4, 0, min(4, C - (pl % CB) * 4));
    const xp = x + <usize>(pl * H * W * 4);
    const yp = y + <usize>(pl * Ho * Wo * 4);
    for (let oy = 0; oy < Ho; oy++) {
      const iy0 = oy * sh - padTop;
      const ya = max(iy0, 0), yb = min(iy0 + kh, H);
      const rows = windowCount(iy0, kh, H, padBottom, countIncludePad);
      const yr = yp + <usize>(oy * Wo * 4);
      let ox = 0;
      while (ox < Wo) {
        const ix0 = ox * sw - padLeft;
        if (ox >= oxA && ox + 4 <= oxB) {
          let r: v128;
          if (isMax) {
            r = i8x16.splat(-128);
            for (let iy = ya; iy < yb; iy++) {
              const row = xp + <usize>((iy * W + ix0) * 4);
              for (let kx = 0; kx < kw; kx++) r = i8x16.max_s(r, load4px(row + <usize>(kx * 4), step, sw == 1));
            }
          } else {
            let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
            for (let iy = ya; iy < yb; iy++) {
              const row = xp + <usize>((iy * W + ix0) * 4);
              let lo = i16x8.splat(0), hi = lo;
              for (let kx = 0; kx < kw; kx++) {
                const v = load4px(row + <usize>(kx * 4), step, sw == 1);
                lo = i16x8.add(lo, i16x8.extend_low_i8x16_s(v));
                hi = i16x8.add(hi, i16x8.extend_high_i8x16_s(v));
              }
              a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(lo));
              a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(lo));
              a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(hi));
              a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(hi));
            }
            const taps = (yb - ya) * kw;
            const count = countIncludePad ? rows * kw : taps;
            const zc = i32x4.splat(taps * zx);
            const m = f32x4.splat(ratio / <f32>count);
            r = affine16(
              f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a0, zc)), m),
              f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a1, zc)), m),
              f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a2, zc)), m),
              f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a3, zc)), m), loF, hiF, zyV);
          }
          stv(yr + <usize>(ox * 4), v128.and(r, mask));
          ox += 4;
          continue;
        }
        const xa = max(ix0, 0), xb = min(ix0 + kw, W);
        let r: v128;
        if (isMax) {
          r = i8x16.splat(-128);
          for (let iy = ya; iy < yb; iy++) {
            const row = xp + <usize>(iy * W * 4);
            for (let ix = xa; ix < xb; ix++) r = i8x16.max_s(r, ld32z(row + <usize>(ix * 4)));
          }
        } else {
          let acc = i32x4.splat(0);
          for (let iy = ya; iy < yb; iy++) {
            const row = xp + <usize>(iy * W * 4);
            let s = i16x8.splat(0);
            for (let ix = xa; ix < xb; ix++) s = i16x8.add(s, i16x8.extend_low_i8x16_s(ld32z(row + <usize>(ix * 4))));
            acc = i32x4.add(acc, i32x4.extend_low_i16x8_s(s));
          }
          const cols = windowCount(ix0, kw, W, padRight, countIncludePad);
          const taps = (yb - ya) * (xb - xa);
          const count = countIncludePad ? rows * cols : taps;
          const v = f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(acc, i32x4.splat(taps * zx))), f32x4.splat(ratio / <f32>count));
          r = affine4(v, loF, hiF, zyV);
        }
        sti32(yr + <usize>(ox * 4), i32x4.extract_lane(v128.and(r, mask), 0));
        ox++;
      }
    }
  }
}
