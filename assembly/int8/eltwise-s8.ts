// Elementwise int8 Add, Sub and Mul over the bytes of a blocked tensor
// (nchw4: G = 4, nc32hw32: G = 32). Each operand has its own zero point; the
// second is the same shape or broadcast; [lo, hi] clamps the result (a fused
// ReLU). Numerics: docs/int8-numerics.md "Elementwise":
//   add: v = f32(f32(ma * (a - za)) + f32(mb * (b - zb))), ma = f32(sa/sy), mb = f32(sb/sy)
//   sub: add with -mb;  mul: v = f32(m * ((a - za) * (b - zb))), m = f32(sa*sb/sy)
//   y = clamp(nearest(v) + zy, lo, hi); padding lanes 0.
import { ldv, stv, ldi8, ldi32, sti32 } from "../mem";
import { ld32z } from "./mem-s8";
import { affine16 } from "./requant";
import { centeredF32, centeredI32, realLaneMask, boundF32 } from "./lanes-s8";

// Where the second operand's value for (n, c, h, w) lives.
const SAME = 0;        // [N, C, H, W]
const PER_IMAGE = 1;   // [N, C, 1, 1] (squeeze-excite)
const PER_CHANNEL = 2; // [1, C, 1, 1]
// otherwise: one value, [1, 1, 1, 1]

const ADD = 0;
const MUL = 1;

@inline function combine16(
  op: i32, a: v128, b: v128, ma: v128, za: v128, mb: v128, zb: v128, loF: v128, hiF: v128, zy: v128,
): v128 {
  if (op == ADD) {
    return affine16(
      f32x4.add(f32x4.mul(centeredF32(a, 0, za), ma), f32x4.mul(centeredF32(b, 0, zb), mb)),
      f32x4.add(f32x4.mul(centeredF32(a, 1, za), ma), f32x4.mul(centeredF32(b, 1, zb), mb)),
      f32x4.add(f32x4.mul(centeredF32(a, 2, za), ma), f32x4.mul(centeredF32(b, 2, zb), mb)),
      f32x4.add(f32x4.mul(centeredF32(a, 3, za), ma), f32x4.mul(centeredF32(b, 3, zb), mb)),
      loF, hiF, zy);
  }
  return affine16(
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.mul(centeredI32(a, 0, za), centeredI32(b, 0, zb))), ma),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.mul(centeredI32(a, 1, za), centeredI32(b, 1, zb))), ma),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.mul(centeredI32(a, 2, za), centeredI32(b, 2, zb))), ma),
    f32x4.mul(f32x4.convert_i32x4_s(i32x4.mul(centeredI32(a, 3, za), centeredI32(b, 3, zb))), ma),
    loF, hiF, zy);
}

// One (n, channel block) plane of `bytes` bytes. same: b is read at the same
// offsets as a; else every chunk takes b0 (G = 4, and the first half of a
// 32-lane pixel) or b1 (the second half).
@inline function plane(
  op: i32, G: i32, same: bool, pa: usize, pb: usize, b0: v128, b1: v128, py: usize, bytes: i32,
  mask0: v128, mask1: v128, ma: v128, za: v128, mb: v128, zb: v128, loF: v128, hiF: v128, zy: v128,
): void {
  if (G == 4) {
    let i = 0;
    for (; i + 16 <= bytes; i += 16) {
      const o = <usize>i;
      const b = same ? ldv(pb + o) : b0;
      stv(py + o, v128.and(combine16(op, ldv(pa + o), b, ma, za, mb, zb, loF, hiF, zy), mask0));
    }
    for (; i < bytes; i += 4) {
      const o = <usize>i;
      const b = same ? ld32z(pb + o) : b0;
      const r = v128.and(combine16(op, ld32z(pa + o), b, ma, za, mb, zb, loF, hiF, zy), mask0);
      sti32(py + o, i32x4.extract_lane(r, 0));
    }
    return;
  }
  for (let i = 0; i < bytes; i += 32) {
    const o = <usize>i;
    const c0 = same ? ldv(pb + o) : b0;
    const c1 = same ? ldv(pb + o + 16) : b1;
    stv(py + o, v128.and(combine16(op, ldv(pa + o), c0, ma, za, mb, zb, loF, hiF, zy), mask0));
    stv(py + o + 16, v128.and(combine16(op, ldv(pa + o + 16), c1, ma, za, mb, zb, loF, hiF, zy), mask1));
  }
}

@inline function eltwise(
  op: i32, G: i32, a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, broadcast: i32,
  ma: f32, za: i32, mb: f32, zb: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  const CB = (C + G - 1) / G;
  const bytes = H * W * G;
  const maV = f32x4.splat(ma), mbV = f32x4.splat(mb);
  const zaV = i32x4.splat(za), zbV = i32x4.splat(zb), zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(lo, zy), hiF = boundF32(hi, zy);
  for (let n = 0; n < N; n++) {
    for (let cb = 0; cb < CB; cb++) {
      const off = <usize>((n * CB + cb) * bytes);
      const real = min(G, C - cb * G);
      const mask0 = realLaneMask(G, 0, real), mask1 = realLaneMask(G, 1, real);
      if (broadcast == SAME) {
        plane(op, G, true, a + off, b + off, mask0, mask0, y + off, bytes, mask0, mask1, maV, zaV, mbV, zbV, loF, hiF, zyV);
        continue;
      }
      let b0: v128, b1: v128;
      if (broadcast == PER_IMAGE || broadcast == PER_CHANNEL) {
        const block = broadcast == PER_IMAGE ? n * CB + cb : cb;
        const at = b + <usize>(block * G);
        b0 = G == 4 ? i32x4.splat(ldi32(at)) : ldv(at);
        b1 = G == 4 ? b0 : ldv(at + 16);
      } else {
        b0 = i8x16.splat(ldi8(b));
        b1 = b0;
      }
      plane(op, G, false, a + off, 0, b0, b1, y + off, bytes, mask0, mask1, maV, zaV, mbV, zbV, loF, hiF, zyV);
    }
  }
}

/** y = clamp(nearest(f32(f32(ma*(a-za)) + f32(mb*(b-zb)))) + zy, lo, hi). */
export function add_s8(
  a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, G: i32, broadcast: i32,
  ma: f32, za: i32, mb: f32, zb: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  if (G == 4) eltwise(ADD, 4, a, b, N, C, H, W, broadcast, ma, za, mb, zb, zy, lo, hi, y);
  else eltwise(ADD, 32, a, b, N, C, H, W, broadcast, ma, za, mb, zb, zy, lo, hi, y);
}

/** add_s8 with mb negated: y = clamp(nearest(f32(f32(ma*(a-za)) - f32(mb*(b-zb)))) + zy, lo, hi). */
export function sub_s8(
  a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, G: i32, broadcast: i32,
  ma: f32, za: i32, mb: f32, zb: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  add_s8(a, b, N, C, H, W, G, broadcast, ma, za, -mb, zb, zy, lo, hi, y);
}

/** y = clamp(nearest(f32(m * ((a-za)*(b-zb)))) + zy, lo, hi). */
export function mul_s8(
  a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, G: i32, broadcast: i32,
  m: f32, za: i32, zb: i32, zy: i32, lo: i32, hi: i32, y: usize,
): void {
  if (G == 4) eltwise(MUL, 4, a, b, N, C, H, W, broadcast, m, za, 0, zb, zy, lo, hi, y);
  else eltwise(MUL, 32, a, b, N, C, H, W, broadcast, m, za, 0, zb, zy, lo, hi, y);
}
