// Int8 max and average pooling in nchw4 (window 1..8, stride 1..16, floor
// output size, no padding; the host validates). SIMD over 4 output pixels x
// 4 channel lanes = 16 bytes. Padding lanes are zero in, so zero out.
// Average: int32 window sum (here exact in int16: at most 64 * 128), then
// requant with m = f32(1 / (window * window)) (requant.ts), same scale.
import { ldv, stv, ldi32, sti32 } from "../mem";
import { ld32z } from "./mem-s8";
import { requant16, requant4 } from "./requant";

@inline function load4px(p: usize, step: usize, contiguous: bool): v128 {
  if (contiguous) return ldv(p);
  let v = ld32z(p);
  v = i32x4.replace_lane(v, 1, ldi32(p + step));
  v = i32x4.replace_lane(v, 2, ldi32(p + 2 * step));
  return i32x4.replace_lane(v, 3, ldi32(p + 3 * step));
}

export function maxpool_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, window: i32, stride: i32, y: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  const planes = N * ((C + 3) >> 2);
  const step = <usize>(stride * 4);
  const contiguous = stride == 1;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W * 4);
    const yp = y + <usize>(pl * Ho * Wo * 4);
    for (let oy = 0; oy < Ho; oy++) {
      const yr = yp + <usize>(oy * Wo * 4);
      let ox = 0;
      for (; ox + 4 <= Wo; ox += 4) {
        let m = i8x16.splat(-128);
        for (let ky = 0; ky < window; ky++) {
          const row = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 4);
          for (let kx = 0; kx < window; kx++) {
            m = i8x16.max_s(m, load4px(row + <usize>(kx * 4), step, contiguous));
          }
        }
        stv(yr + <usize>(ox * 4), m);
      }
      for (; ox < Wo; ox++) {
        let m = i8x16.splat(-128);
        for (let ky = 0; ky < window; ky++) {
          const row = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 4);
          for (let kx = 0; kx < window; kx++) m = i8x16.max_s(m, ld32z(row + <usize>(kx * 4)));
        }
        sti32(yr + <usize>(ox * 4), i32x4.extract_lane(m, 0));
      }
    }
  }
}

export function avgpool_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, window: i32, stride: i32, y: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  const planes = N * ((C + 3) >> 2);
  const step = <usize>(stride * 4);
  const contiguous = stride == 1;
  const m = f32x4.splat(<f32>1 / <f32>(window * window));
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W * 4);
    const yp = y + <usize>(pl * Ho * Wo * 4);
    for (let oy = 0; oy < Ho; oy++) {
      const yr = yp + <usize>(oy * Wo * 4);
      let ox = 0;
      for (; ox + 4 <= Wo; ox += 4) {
        let lo = i16x8.splat(0), hi = i16x8.splat(0);
        for (let ky = 0; ky < window; ky++) {
          const row = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 4);
          for (let kx = 0; kx < window; kx++) {
            const v = load4px(row + <usize>(kx * 4), step, contiguous);
            lo = i16x8.add(lo, i16x8.extend_low_i8x16_s(v));
            hi = i16x8.add(hi, i16x8.extend_high_i8x16_s(v));
          }
        }
        stv(yr + <usize>(ox * 4), requant16(
          i32x4.extend_low_i16x8_s(lo), i32x4.extend_high_i16x8_s(lo),
          i32x4.extend_low_i16x8_s(hi), i32x4.extend_high_i16x8_s(hi),
          m, m, m, m, false,
        ));
      }
      for (; ox < Wo; ox++) {
        let s = i16x8.splat(0);
        for (let ky = 0; ky < window; ky++) {
          const row = xp + <usize>(((oy * stride + ky) * W + ox * stride) * 4);
          for (let kx = 0; kx < window; kx++) {
            s = i16x8.add(s, i16x8.extend_low_i8x16_s(ld32z(row + <usize>(kx * 4))));
          }
        }
        sti32(yr + <usize>(ox * 4), i32x4.extract_lane(requant4(i32x4.extend_low_i16x8_s(s), m, false), 0));
      }
    }
  }
}
