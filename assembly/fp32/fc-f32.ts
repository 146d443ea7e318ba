// FP32 fully connected: y[N, O] = x[N, I]·Wᵀ + b, weights [O, I] (Caffe's
// InnerProduct layout), optional fused ReLU.
//
// Dot products along I, blocked 2 images x 4 outputs (8 vector accumulators,
// 6 loads per step of 4 inputs). The loop runs over images inside a block of
// 4 weight rows, so those rows stay in L1 while every image passes; the
// horizontal sums, the bias and the ReLU happen once per block.
import { ldf, stf, ldv, stv } from "../mem";

export function fc_f32(
  x: usize, N: i32, I: i32, weights: usize, bias: usize, O: i32, y: usize, relu: bool,
): void {
  const ldx = (<usize>I) << 2;
  const ldy = (<usize>O) << 2;
  const O4 = O & ~3;
  const N2 = N & ~1;
  if (N == 1) {
    fcSingle(x, I, weights, bias, O, y, relu);
    return;
  }
  for (let o = 0; o < O4; o += 4) {
    const w0 = weights + <usize>o * ldx;
    const bv = ldv(bias + ((<usize>o) << 2));
    const yo = y + ((<usize>o) << 2);
    let n = 0;
    for (; n < N2; n += 2) {
      dot2x4(x + <usize>n * ldx, ldx, w0, I, bv, yo + <usize>n * ldy, ldy, relu);
    }
    if (n < N) stv(yo + <usize>n * ldy, finish(f32x4.add(bv, dot1x4(x + <usize>n * ldx, w0, ldx, I)), relu));
  }
  for (let o = O4; o < O; o++) {
    const wr = weights + <usize>o * ldx;
    const b = ldf(bias + ((<usize>o) << 2));
    for (let n = 0; n < N; n++) {
      let s = b + dot1(x + <usize>n * ldx, wr, I);
      if (relu && s < 0) s = 0;
      stf(y + <usize>n * ldy + ((<usize>o) << 2), s);
    }
  }
}

@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

// [hsum(s0), hsum(s1), hsum(s2), hsum(s3)], each summed (v0+v1)+(v2+v3).
@inline function hsum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const p01 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 2, 6), v128.shuffle<f32>(s0, s1, 1, 5, 3, 7));
  const p23 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 2, 6), v128.shuffle<f32>(s2, s3, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(p01, p23, 0, 1, 4, 5), v128.shuffle<f32>(p01, p23, 2, 3, 6, 7));
}

// The I % 4 trailing products of x·w0..w3 as a vector.
@inline function tail4(x: usize, w0: usize, ldw: usize, from: i32, I: i32): v128 {
  let r = f32x4.splat(0);
  for (let k = from; k < I; k++) {
    const off = (<usize>k) << 2;
    const xv = ldf(x + off);
    r = f32x4.add(r, f32x4(
      xv * ldf(w0 + off), xv * ldf(w0 + ldw + off),
      xv * ldf(w0 + 2 * ldw + off), xv * ldf(w0 + 3 * ldw + off)));
  }
  return r;
}

@inline function finish(v: v128, relu: bool): v128 {
  // pmax(v, 0) = v < 0 ? 0 : v, the scalar ReLU exactly (NaN and -0 kept).
  return relu ? f32x4.pmax(v, f32x4.splat(0)) : v;
}

function dot2x4(x0: usize, ldx: usize, w0: usize, I: i32, bias: v128, y: usize, ldy: usize, relu: bool): void {
  let x1 = x0 + ldx;
  let w1 = w0 + ldx, w2 = w1 + ldx, w3 = w2 + ldx;
  const xs0 = x0, xs1 = x1, ws0 = w0;
  let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
  let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  const I4 = I & ~3;
  const end = x0 + ((<usize>I4) << 2);
  while (x0 < end) {
    const a0 = ldv(x0), a1 = ldv(x1);
    let b = ldv(w0); s00 = madd(s00, a0, b); s10 = madd(s10, a1, b);
    b = ldv(w1); s01 = madd(s01, a0, b); s11 = madd(s11, a1, b);
    b = ldv(w2); s02 = madd(s02, a0, b); s12 = madd(s12, a1, b);
    b = ldv(w3); s03 = madd(s03, a0, b); s13 = madd(s13, a1, b);
    x0 += 16; x1 += 16; w0 += 16; w1 += 16; w2 += 16; w3 += 16;
  }
  let r0 = f32x4.add(bias, hsum4(s00, s01, s02, s03));
  let r1 = f32x4.add(bias, hsum4(s10, s11, s12, s13));
  if (I4 < I) {
    r0 = f32x4.add(r0, tail4(xs0, ws0, ldx, I4, I));
    r1 = f32x4.add(r1, tail4(xs1, ws0, ldx, I4, I));
  }
  stv(y, finish(r0, relu));
  stv(y + ldy, finish(r1, relu));
}

// One image: weights streamed from memory once, so the access pattern
// matters. Rows o, o + Q, o + 2Q, o + 3Q (Q = O/4) go together: four streams
// far apart run about 15% faster than four adjacent rows on the test machine
// (Zen 4), where adjacent rows seem to defeat the L2 stream prefetcher.
function fcSingle(x: usize, I: i32, weights: usize, bias: usize, O: i32, y: usize, relu: bool): void {
  const ldx = (<usize>I) << 2;
  const Q = O >> 2;
  const qs = <usize>Q * ldx;
  const qb = (<usize>Q) << 2;
  for (let o = 0; o < Q; o++) {
    const bp = bias + ((<usize>o) << 2);
    const bv = f32x4(ldf(bp), ldf(bp + qb), ldf(bp + 2 * qb), ldf(bp + 3 * qb));
    const r = finish(f32x4.add(bv, dot1x4(x, weights + <usize>o * ldx, qs, I)), relu);
    const yp = y + ((<usize>o) << 2);
    stf(yp, f32x4.extract_lane(r, 0));
    stf(yp + qb, f32x4.extract_lane(r, 1));
    stf(yp + 2 * qb, f32x4.extract_lane(r, 2));
    stf(yp + 3 * qb, f32x4.extract_lane(r, 3));
  }
  for (let o = Q << 2; o < O; o++) {
    let s = ldf(bias + ((<usize>o) << 2)) + dot1(x, weights + <usize>o * ldx, I);
    if (relu && s < 0) s = 0;
    stf(y + ((<usize>o) << 2), s);
  }
}

// x·w0, x·(w0 + ldw), x·(w0 + 2 ldw), x·(w0 + 3 ldw) as a vector, 8 inputs
// per step (two partial sums per row, added once per step, so each
// accumulator waits on one add per 8 inputs).
function dot1x4(x0: usize, w0: usize, ldw: usize, I: i32): v128 {
  let w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const xs0 = x0, ws0 = w0;
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  const I4 = I & ~3;
  const end8 = x0 + ((<usize>(I & ~7)) << 2);
  while (x0 < end8) {
    const a = ldv(x0), b = ldv(x0 + 16);
    s0 = f32x4.add(s0, f32x4.add(f32x4.mul(a, ldv(w0)), f32x4.mul(b, ldv(w0 + 16))));
    s1 = f32x4.add(s1, f32x4.add(f32x4.mul(a, ldv(w1)), f32x4.mul(b, ldv(w1 + 16))));
    s2 = f32x4.add(s2, f32x4.add(f32x4.mul(a, ldv(w2)), f32x4.mul(b, ldv(w2 + 16))));
    s3 = f32x4.add(s3, f32x4.add(f32x4.mul(a, ldv(w3)), f32x4.mul(b, ldv(w3 + 16))));
    x0 += 32; w0 += 32; w1 += 32; w2 += 32; w3 += 32;
  }
  if (I & 4) {
    const a = ldv(x0);
    s0 = madd(s0, a, ldv(w0));
    s1 = madd(s1, a, ldv(w1));
    s2 = madd(s2, a, ldv(w2));
    s3 = madd(s3, a, ldv(w3));
  }
  let r = hsum4(s0, s1, s2, s3);
  if (I4 < I) r = f32x4.add(r, tail4(xs0, ws0, ldw, I4, I));
  return r;
}

function dot1(x: usize, w: usize, I: i32): f32 {
  let s = f32x4.splat(0);
  const I4 = I & ~3;
  for (let k = 0; k < I4; k += 4) {
    const off = (<usize>k) << 2;
    s = madd(s, ldv(x + off), ldv(w + off));
  }
  let r = (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) +
    (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  for (let k = I4; k < I; k++) r += ldf(x + ((<usize>k) << 2)) * ldf(w + ((<usize>k) << 2));
  return r;
}
