// Int8 max and average pooling in nc32hw32 (window 1..8, stride 1..16, floor
// output size, no padding; the host validates). SIMD over the 32 channel
// lanes of a pixel (two vectors). Padding lanes are zero in, so zero out.
// Average: int32 window sum (exact in int16: at most 64 * 128), then requant
// with m = f32(1 / (window * window)) (requant.ts), same scale.
import { ldv, stv } from "../mem";
import { requant16 } from "./requant";

export function maxpool_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, window: i32, stride: i32, y: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  const planes = N * ((C + 31) >> 5);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W * 32);
    let yo = y + <usize>(pl * Ho * Wo * 32);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        let m0 = i8x16.splat(-128), m1 = i8x16.splat(-128);
        for (let ky = 0; ky < window; ky++) {
          let p = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 32);
          for (let kx = 0; kx < window; kx++) {
            m0 = i8x16.max_s(m0, ldv(p));
            m1 = i8x16.max_s(m1, ldv(p + 16));
            p += 32;
          }
        }
        stv(yo, m0);
        stv(yo + 16, m1);
        yo += 32;
      }
    }
  }
}

export function avgpool_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, window: i32, stride: i32, y: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  const planes = N * ((C + 31) >> 5);
  const m = f32x4.splat(<f32>1 / <f32>(window * window));
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W * 32);
    let yo = y + <usize>(pl * Ho * Wo * 32);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        let s0 = i16x8.splat(0), s1 = i16x8.splat(0), s2 = i16x8.splat(0), s3 = i16x8.splat(0);
        for (let ky = 0; ky < window; ky++) {
          let p = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 32);
          for (let kx = 0; kx < window; kx++) {
            const a = ldv(p), b = ldv(p + 16);
            s0 = i16x8.add(s0, i16x8.extend_low_i8x16_s(a));
            s1 = i16x8.add(s1, i16x8.extend_high_i8x16_s(a));
            s2 = i16x8.add(s2, i16x8.extend_low_i8x16_s(b));
            s3 = i16x8.add(s3, i16x8.extend_high_i8x16_s(b));
            p += 32;
          }
        }
        stv(yo, requant16(
          i32x4.extend_low_i16x8_s(s0), i32x4.extend_high_i16x8_s(s0),
          i32x4.extend_low_i16x8_s(s1), i32x4.extend_high_i16x8_s(s1), m, m, m, m, false,
        ));
        stv(yo + 16, requant16(
          i32x4.extend_low_i16x8_s(s2), i32x4.extend_high_i16x8_s(s2),
          i32x4.extend_low_i16x8_s(s3), i32x4.extend_high_i16x8_s(s3), m, m, m, m, false,
        ));
        yo += 32;
      }
    }
  }
}
