// Int8 global average pooling (ReduceMean over H and W) in nchw4 and
// nc32hw32: y [N, C, 1, 1] in the input's layout. acc = sum of (x - zx) over
// the H*W pixels (int32; the host keeps H*W <= 2^23), m = f32(ratio / f32(H*W)),
// ratio = f32(sx/sy): v = f32(f32(acc) * m), y = clamp(nearest(v) + zy) --
// pool2d's average with the whole plane as window, bit for bit
// (docs/int8-numerics.md "Global average pooling"). Padding lanes written 0.
import { ldv, sti32, stv } from "../mem";
import { ld32z } from "./mem-s8";
import { affine16, affine4 } from "./requant";
import { realLaneMask, boundF32 } from "./lanes-s8";

// int16 lanes take 256 int8 terms exactly (256 * -128 = -32768).
const FLUSH = 256;

@inline function averaged(acc: v128, count: i32, ratio: f32, zx: i32): v128 {
  const d = i32x4.sub(acc, i32x4.splat(count * zx));
  return f32x4.mul(f32x4.convert_i32x4_s(d), f32x4.splat(ratio / <f32>count));
}

export function gap_nchw4_s8(x: usize, N: i32, C: i32, H: i32, W: i32, ratio: f32, zx: i32, zy: i32, y: usize): void {
  const HW = H * W;
  const CB = (C + 3) >> 2;
  const zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(-128, zy), hiF = boundF32(127, zy);
  for (let pl = 0; pl < N * CB; pl++) {
    const mask = realLaneMask(4, 0, min(4, C - (pl % CB) * 4));
    const xp = x + <usize>(pl * HW * 4);
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const chunks = HW >> 2;
    for (let c0 = 0; c0 < chunks; c0 += FLUSH) {
      const c1 = min(chunks, c0 + FLUSH);
      let lo = i16x8.splat(0), hi = lo;
      for (let c = c0; c < c1; c++) {
        const v = ldv(xp + <usize>(c * 16));
        lo = i16x8.add(lo, i16x8.extend_low_i8x16_s(v));
        hi = i16x8.add(hi, i16x8.extend_high_i8x16_s(v));
      }
      a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(lo));
      a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(lo));
      a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(hi));
      a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(hi));
    }
    let acc = i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3));
    for (let p = chunks << 2; p < HW; p++) {
      acc = i32x4.add(acc, i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(ld32z(xp + <usize>(p * 4)))));
    }
    const r = affine4(averaged(acc, HW, ratio, zx), loF, hiF, zyV);
    sti32(y + <usize>(pl * 4), i32x4.extract_lane(v128.and(r, mask), 0));
  }
}

export function gap_nc32hw32_s8(x: usize, N: i32, C: i32, H: i32, W: i32, ratio: f32, zx: i32, zy: i32, y: usize): void {
  const HW = H * W;
  const CB = (C + 31) >> 5;
  const zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(-128, zy), hiF = boundF32(127, zy);
  for (let pl = 0; pl < N * CB; pl++) {
    const real = min(32, C - (pl % CB) * 32);
    const xp = x + <usize>(pl * HW * 32);
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let p0 = 0; p0 < HW; p0 += FLUSH) {
      const p1 = min(HW, p0 + FLUSH);
      let s0 = i16x8.splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (let p = p0; p < p1; p++) {
        const u = ldv(xp + <usize>(p * 32)), v = ldv(xp + <usize>(p * 32 + 16));
        s0 = i16x8.add(s0, i16x8.extend_low_i8x16_s(u));
        s1 = i16x8.add(s1, i16x8.extend_high_i8x16_s(u));
        s2 = i16x8.add(s2, i16x8.extend_low_i8x16_s(v));
        s3 = i16x8.add(s3, i16x8.extend_high_i8x16_s(v));
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
    const yo = y + <usize>(pl * 32);
    const r0 = affine16(averaged(a0, HW, ratio, zx), averaged(a1, HW, ratio, zx),
      averaged(a2, HW, ratio, zx), averaged(a3, HW, ratio, zx), loF, hiF, zyV);
    const r1 = affine16(averaged(a4, HW, ratio, zx), averaged(a5, HW, ratio, zx),
      averaged(a6, HW, ratio, zx), averaged(a7, HW, ratio, zx), loF, hiF, zyV);
    stv(yo, v128.and(r0, realLaneMask(32, 0, real)));
    stv(yo + 16, v128.and(r1, realLaneMask(32, 1, real)));
  }
}
