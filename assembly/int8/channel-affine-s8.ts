// Per-channel int8 kernels, blocked layouts: PRelu and the standalone
// BatchNormalization as y = a_c * x + b_c (scale_shift). Parameters are f32
// arrays of ceil(C/G)*G entries, zero past C (src/runtime/kernel-abi.ts).
// docs/int8-numerics.md "PRelu" and "Scale-shift", d = x - zx:
//   prelu:       v = f32((d >= 0 ? mPos : mNeg[c]) * d)
//   scale_shift: v = f32(f32(mult[c] * d) + offset[c])
//   y = clamp(nearest(v) + zy, lo, hi) (prelu: -128..127); padding lanes 0.
// y may equal x.
import { ldv, stv, sti32 } from "../mem";
import { ld32z } from "./mem-s8";
import { affine16 } from "./requant";
import { centeredI32, realLaneMask, boundF32 } from "./lanes-s8";

@inline function preluQuarter(v: v128, q: i32, zx: v128, pos: v128, neg: v128): v128 {
  const d = centeredI32(v, q, zx);
  const m = v128.bitselect(pos, neg, i32x4.ge_s(d, i32x4.splat(0)));
  return f32x4.mul(f32x4.convert_i32x4_s(d), m);
}

@inline function affineQuarter(v: v128, q: i32, zx: v128, m: v128, b: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(centeredI32(v, q, zx)), m), b);
}

// One chunk of 16 bytes; p0..p3 / q0..q3: the parameters of its 4 quarters.
@inline function chunk(
  prelu: bool, v: v128, zx: v128, pos: v128, p0: v128, p1: v128, p2: v128, p3: v128,
  q0: v128, q1: v128, q2: v128, q3: v128, loF: v128, hiF: v128, zy: v128,
): v128 {
  if (prelu) {
    return affine16(preluQuarter(v, 0, zx, pos, p0), preluQuarter(v, 1, zx, pos, p1),
      preluQuarter(v, 2, zx, pos, p2), preluQuarter(v, 3, zx, pos, p3), loF, hiF, zy);
  }
  return affine16(affineQuarter(v, 0, zx, p0, q0), affineQuarter(v, 1, zx, p1, q1),
    affineQuarter(v, 2, zx, p2, q2), affineQuarter(v, 3, zx, p3, q3), loF, hiF, zy);
}

// prelu: p = mNeg, q unused, pos = mPos; else p = mult, q = offset.
@inline function perChannel(
  prelu: bool, G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, pos: f32, p: usize, q: usize,
  zx: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  const CB = (C + G - 1) / G;
  const bytes = H * W * G;
  const zxV = i32x4.splat(zx), zyV = i8x16.splat(<i8>zy), posV = f32x4.splat(pos);
  const loF = boundF32(lo, zy), hiF = boundF32(hi, zy);
  for (let pl = 0; pl < N * CB; pl++) {
    const cb = pl % CB;
    const real = min(G, C - cb * G);
    const mask0 = realLaneMask(G, 0, real), mask1 = realLaneMask(G, 1, real);
    const pp = p + <usize>(cb * G * 4), qq = prelu ? pp : q + <usize>(cb * G * 4);
    const px = x + <usize>(pl * bytes), py = y + <usize>(pl * bytes);
    if (G == 4) {
      const p0 = ldv(pp), q0 = ldv(qq);
      let i = 0;
      for (; i + 16 <= bytes; i += 16) {
        const o = <usize>i;
        const r = chunk(prelu, ldv(px + o), zxV, posV, p0, p0, p0, p0, q0, q0, q0, q0, loF, hiF, zyV);
        stv(py + o, v128.and(r, mask0));
      }
      for (; i < bytes; i += 4) {
        const o = <usize>i;
        const r = chunk(prelu, ld32z(px + o), zxV, posV, p0, p0, p0, p0, q0, q0, q0, q0, loF, hiF, zyV);
        sti32(py + o, i32x4.extract_lane(v128.and(r, mask0), 0));
      }
      continue;
    }
    const p0 = ldv(pp), p1 = ldv(pp + 16), p2 = ldv(pp + 32), p3 = ldv(pp + 48);
    const p4 = ldv(pp + 64), p5 = ldv(pp + 80), p6 = ldv(pp + 96), p7 = ldv(pp + 112);
    const q0 = ldv(qq), q1 = ldv(qq + 16), q2 = ldv(qq + 32), q3 = ldv(qq + 48);
    const q4 = ldv(qq + 64), q5 = ldv(qq + 80), q6 = ldv(qq + 96), q7 = ldv(qq + 112);
    for (let i = 0; i < bytes; i += 32) {
      const o = <usize>i;
      const r0 = chunk(prelu, ldv(px + o), zxV, posV, p0, p1, p2, p3, q0, q1, q2, q3, loF, hiF, zyV);
      const r1 = chunk(prelu, ldv(px + o + 16), zxV, posV, p4, p5, p6, p7, q4, q5, q6, q7, loF, hiF, zyV);
      stv(py + o, v128.and(r0, mask0));
      stv(py + o + 16, v128.and(r1, mask1));
    }
  }
}

export function prelu_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, mPos: f32, mNeg: usize, zx: i32, zy: i32, y: usize,
): void {
  perChannel(true, 4, x, N, C, H, W, mPos, mNeg, 0, zx, zy, -128, 127, y);
}

export function prelu_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, mPos: f32, mNeg: usize, zx: i32, zy: i32, y: usize,
): void {
  perChannel(true, 32, x, N, C, H, W, mPos, mNeg, 0, zx, zy, -128, 127, y);
}

export function scale_shift_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, mult: usize, offset: usize,
  zx: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  perChannel(false, 4, x, N, C, H, W, 0, mult, offset, zx, zy, lo, hi, y);
}

export function scale_shift_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, mult: usize, offset: usize,
  zx: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  perChannel(false, 32, x, N, C, H, W, 0, mult, offset, zx, zy, lo, hi, y);
}
