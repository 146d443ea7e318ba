// General int8 pooling in nc32hw32, the numerics of pool2d_nchw4_s8
// (docs/int8-numerics.md "Pool2d"): SIMD over a pixel's 32 channel lanes
// (two vectors), the window clipped to the image per output pixel.
// Padding lanes written 0.
import { ldv, stv } from "../mem";
import { affine16 } from "./requant";
import { realLaneMask, boundF32 } from "./lanes-s8";
import { pooledSize, windowCount } from "../pool-geometry";


@inline function average4(a0: v128, a1: v128, a2: v128, a3: v128, zc: v128, m: v128, loF: v128, hiF: v128, zy: v128): v128 {
  return affine16(
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a0, zc)), m),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a1, zc)), m),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a2, zc)), m),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(a3, zc)), m), loF, hiF, zy);
}

export function pool2d_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32, ceilMode: bool,
  method: i32, countIncludePad: bool, ratio: f32, zx: i32, zy: i32, y: usize,
): void {
  const Ho = pooledSize(H, kh, sh, padTop, padBottom, ceilMode);
  const Wo = pooledSize(W, kw, sw, padLeft, padRight, ceilMode);
  const CB = (C + 31) >> 5;
  const zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(-128, zy), hiF = boundF32(127, zy);
  for (let pl = 0; pl < N * CB; pl++) {
    const real = min(32, C - (pl % CB) * 32);
    const mask0 = realLaneMask(32, 0, real), mask1 = realLaneMask(32, 1, real);
    const xp = x + <usize>(pl * H * W * 32);
    let yo = y + <usize>(pl * Ho * Wo * 32);
    for (let oy = 0; oy < Ho; oy++) {
      const iy0 = oy * sh - padTop;
      const ya = max(iy0, 0), yb = min(iy0 + kh, H);
      const rows = windowCount(iy0, kh, H, padBottom, countIncludePad);
      for (let ox = 0; ox < Wo; ox++) {
        const ix0 = ox * sw - padLeft;
        const xa = max(ix0, 0), xb = min(ix0 + kw, W);
        let r0: v128, r1: v128;
        if (method == 0) {
          r0 = i8x16.splat(-128);
          r1 = r0;
          for (let iy = ya; iy < yb; iy++) {
            let p = xp + <usize>((iy * W + xa) * 32);
            for (let ix = xa; ix < xb; ix++) {
              r0 = i8x16.max_s(r0, ldv(p));
              r1 = i8x16.max_s(r1, ldv(p + 16));
              p += 32;
            }
          }
        } else {
          let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
          for (let iy = ya; iy < yb; iy++) {
            let p = xp + <usize>((iy * W + xa) * 32);
            let s0 = i16x8.splat(0), s1 = s0, s2 = s0, s3 = s0;
            for (let ix = xa; ix < xb; ix++) {
              const u = ldv(p), v = ldv(p + 16);
              s0 = i16x8.add(s0, i16x8.extend_low_i8x16_s(u));
              s1 = i16x8.add(s1, i16x8.extend_high_i8x16_s(u));
              s2 = i16x8.add(s2, i16x8.extend_low_i8x16_s(v));
              s3 = i16x8.add(s3, i16x8.extend_high_i8x16_s(v));
              p += 32;
            }
            a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(s0));
            a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(s0));
            a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(s1));
            a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(s1));
            a4 = i32x4.add(a4, i32x4.extend_low_i16x8_s(s2));
            a5 = i32x4.add(a5, i32x4.extend_high_i16x8_s(s2));
            a6 = i32x4.add(a6, i32x4.extend_low_i16x8_s(s3));
            a7 = i32x4.add(a7, i32x4.extend_high_i16x8_s(s3));
          }
          const cols = windowCount(ix0, kw, W, padRight, countIncludePad);
          const taps = (yb - ya) * (xb - xa);
          const count = countIncludePad ? rows * cols : taps;
          const zc = i32x4.splat(taps * zx);
          const m = f32x4.splat(ratio / <f32>count);
          r0 = average4(a0, a1, a2, a3, zc, m, loF, hiF, zyV);
          r1 = average4(a4, a5, a6, a7, zc, m, loF, hiF, zyV);
        }
        stv(yo, v128.and(r0, mask0));
        stv(yo + 16, v128.and(r1, mask1));
        yo += 32;
      }
    }
  }
}
