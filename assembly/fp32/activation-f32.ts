// FP32 activations on `count` contiguous floats (any layout; y may equal x)
// and the per-channel ones on NCHW. Definitions (ONNX), each f32 step rounded:
//   sigmoid 1 / (1 + exp(-x)) (as e / (1 + e), e = exp(x), for x < 0)
//   tanh; hardsigmoid max(0, min(1, alpha*x + beta)); hardswish x * min(max(x + 3, 0), 6) * (1/6)
//   leakyrelu x < 0 ? alpha*x : x; clip min(max(x, lo), hi); prelu x < 0 ? slope[c]*x : x
//   scale_shift x * a[c] + b[c] (standalone BatchNormalization)
// The SIMD clamps use pmax / pmin in the order that keeps a NaN input NaN,
// as the scalar tails' comparisons do.
import { ldf, stf, ldv, stv } from "../mem";

const SIXTH: f32 = <f32>1 / <f32>6;

@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi); // v < lo ? lo : v, then hi < v ? hi : v
}

@inline function clamp1(v: f32, lo: f32, hi: f32): f32 {
  const t = v < lo ? lo : v;
  return hi < t ? hi : t;
}

export function sigmoid_f32(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 2;
    const v = ldf(x + o);
    let r: f32;
    if (v < 0) {
      const e = Mathf.exp(v);
      r = e / (1 + e);
    } else {
      r = 1 / (1 + Mathf.exp(-v));
    }
    stf(y + o, r);
  }
}

export function tanh_f32(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 2;
    stf(y + o, Mathf.tanh(ldf(x + o)));
  }
}

export function hardsigmoid_f32(x: usize, y: usize, count: i32, alpha: f32, beta: f32): void {
  const a = f32x4.splat(alpha), b = f32x4.splat(beta), zero = f32x4.splat(0), one = f32x4.splat(1);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    stv(y + o, clamp4(f32x4.add(f32x4.mul(ldv(x + o), a), b), zero, one));
  }
  for (let i = c4; i < count; i++) {
    const o = (<usize>i) << 2;
    stf(y + o, clamp1(ldf(x + o) * alpha + beta, 0, 1));
  }
}

export function hardswish_f32(x: usize, y: usize, count: i32): void {
  const three = f32x4.splat(3), zero = f32x4.splat(0), six = f32x4.splat(6), sixth = f32x4.splat(SIXTH);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    const v = ldv(x + o);
    stv(y + o, f32x4.mul(v, f32x4.mul(clamp4(f32x4.add(v, three), zero, six), sixth)));
  }
  for (let i = c4; i < count; i++) {
    const o = (<usize>i) << 2;
    const v = ldf(x + o);
    stf(y + o, v * (clamp1(v + 3, 0, 6) * SIXTH));
  }
}

export function leakyrelu_f32(x: usize, y: usize, count: i32, alpha: f32): void {
  const a = f32x4.splat(alpha), zero = f32x4.splat(0);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    const v = ldv(x + o);
    stv(y + o, v128.bitselect(f32x4.mul(v, a), v, f32x4.lt(v, zero)));
  }
  for (let i = c4; i < count; i++) {
    const o = (<usize>i) << 2;
    const v = ldf(x + o);
    stf(y + o, v < 0 ? v * alpha : v);
  }
}

export function clip_f32(x: usize, y: usize, count: i32, lo: f32, hi: f32): void {
  const l = f32x4.splat(lo), h = f32x4.splat(hi);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    stv(y + o, clamp4(ldv(x + o), l, h));
  }
  for (let i = c4; i < count; i++) {
    const o = (<usize>i) << 2;
    stf(y + o, clamp1(ldf(x + o), lo, hi));
  }
}

// Per (n, c) plane of HW floats: y = x < 0 ? x * p : x (prelu), or x * p + q (scale_shift).
@inline function perChannelPlane(prelu: bool, x: usize, y: usize, HW: i32, p: f32, q: f32): void {
  const pv = f32x4.splat(p), qv = f32x4.splat(q), zero = f32x4.splat(0);
  const c4 = HW & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    const v = ldv(x + o);
    stv(y + o, prelu
      ? v128.bitselect(f32x4.mul(v, pv), v, f32x4.lt(v, zero))
      : f32x4.add(f32x4.mul(v, pv), qv));
  }
  for (let i = c4; i < HW; i++) {
    const o = (<usize>i) << 2;
    const v = ldf(x + o);
    stf(y + o, prelu ? (v < 0 ? v * p : v) : v * p + q);
  }
}

export function prelu_nchw_f32(x: usize, N: i32, C: i32, H: i32, W: i32, slope: usize, y: usize): void {
  const HW = H * W;
  for (let pl = 0; pl < N * C; pl++) {
    const o = (<usize>(pl * HW)) << 2;
    perChannelPlane(true, x + o, y + o, HW, ldf(slope + ((<usize>(pl % C)) << 2)), 0);
  }
}

export function scale_shift_nchw_f32(x: usize, N: i32, C: i32, H: i32, W: i32, a: usize, b: usize, y: usize): void {
  const HW = H * W;
  for (let pl = 0; pl < N * C; pl++) {
    const o = (<usize>(pl * HW)) << 2;
    const c = (<usize>(pl % C)) << 2;
    perChannelPlane(false, x + o, y + o, HW, ldf(a + c), ldf(b + c));
  }
}
