// The GEMM micro-kernels shared by convolution and fully connected.
// A tile computes 4 output channels x 2 (or 1) columns: dot products of 4
// weight rows (stride ldw bytes) with 2 activation rows, with
// i32x4.dot_i16x8_s and 8 accumulators (V8 keeps ~15 vector registers;
// bigger tiles spill). Then a transposed horizontal reduction, + int32 bias,
// requantization (requant.ts) and a 4-byte store per column: the 4 channels
// of one pixel are contiguous in both nchw4 and nc32hw32 as long as the
// channel group starts at a multiple of 4.
//
// The inner loops take ONE 8-element step per iteration on purpose: with two
// steps per iteration, Binaryen folds both steps' updates of an accumulator
// into one expression, which keeps both steps' operands live at once and
// makes V8 spill accumulators to the stack inside the loop.
import { ldv, stv, ld8x8s, sti32, sti8, ldi32, ldf } from "../mem";
import { ld32z, ld64z } from "./mem-s8";
import { requant4x2, requant4, requantZc4, requantZc4x2 } from "./requant";

/** [sum(a0), sum(a1), sum(a2), sum(a3)] (int32 lanes, wrap-around). */
@inline export function reduce4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const t1 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

@inline function ext4(p: usize): v128 {
  return i16x8.extend_low_i8x16_s(ld32z(p));
}

// ---- int8 operands (fully connected) ---------------------------------------
// K: bytes per row, a multiple of 4; ldw: bytes between weight rows.

/** 4 channels x 2 columns. Writes 4 int8 at out0 and 4 at out1. */
export function tile4x2(
  w: usize, ldw: usize, x0: usize, x1: usize, K: i32,
  bias: usize, mult: usize, relu: bool, out0: usize, out1: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const k8 = <usize>(K & ~7);
  let o: usize = 0;
  for (; o < k8; o += 8) {
    const a = ld8x8s(x0 + o), b = ld8x8s(x1 + o);
    let v = ld8x8s(w + o);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ld8x8s(w1 + o);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ld8x8s(w2 + o);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ld8x8s(w3 + o);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  if (o < <usize>K) { // K % 8 == 4
    const a = ext4(x0 + o), b = ext4(x1 + o);
    let v = ext4(w + o);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ext4(w1 + o);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ext4(w2 + o);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ext4(w3 + o);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  const bv = ldv(bias);
  const r0 = i32x4.add(reduce4(c00, c10, c20, c30), bv);
  const r1 = i32x4.add(reduce4(c01, c11, c21, c31), bv);
  const q = requant4x2(r0, r1, ldv(mult), relu);
  sti32(out0, i32x4.extract_lane(q, 0));
  sti32(out1, i32x4.extract_lane(q, 1));
}

/** 4 channels x 1 column. Writes 4 int8 at out0. */
export function tile4x1(
  w: usize, ldw: usize, x0: usize, K: i32,
  bias: usize, mult: usize, relu: bool, out0: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const k8 = <usize>(K & ~7);
  let o: usize = 0;
  for (; o < k8; o += 8) {
    const a = ld8x8s(x0 + o);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ld8x8s(w + o), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ld8x8s(w1 + o), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ld8x8s(w2 + o), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ld8x8s(w3 + o), a));
  }
  if (o < <usize>K) {
    const a = ext4(x0 + o);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ext4(w + o), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ext4(w1 + o), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ext4(w2 + o), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ext4(w3 + o), a));
  }
  const r = i32x4.add(reduce4(c0, c1, c2, c3), ldv(bias));
  sti32(out0, i32x4.extract_lane(requant4(r, ldv(mult), relu), 0));
}

// ---- int16 operands (the conv dot path) ------------------------------------
// Both operands are already int16 in memory (weights packed as int16 at build
// time, receptive fields widened once by the gather), so the inner loop is
// plain v128.load + i32x4.dot_i16x8_s + i32x4.add: no per-use widening.
// K: int16 elements per row, a multiple of 8; ldw: BYTES between weight rows.

/** 4 channels x 2 columns, int16 operands. Writes 4 int8 at out0 and 4 at out1. */
@inline function tile4x2s16(
  w: usize, ldw: usize, x0: usize, x1: usize, K: i32,
  bias: usize, mult: usize, relu: bool, out0: usize, out1: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K << 1;
  for (let o: usize = 0; o < end; o += 16) {
    const a = ldv(x0 + o), b = ldv(x1 + o);
    let v = ldv(w + o);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ldv(w1 + o);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ldv(w2 + o);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ldv(w3 + o);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  const bv = ldv(bias);
  const r0 = i32x4.add(reduce4(c00, c10, c20, c30), bv);
  const r1 = i32x4.add(reduce4(c01, c11, c21, c31), bv);
  const q = requant4x2(r0, r1, ldv(mult), relu);
  sti32(out0, i32x4.extract_lane(q, 0));
  sti32(out1, i32x4.extract_lane(q, 1));
}

/** 4 channels x 1 column, int16 operands. Writes 4 int8 at out0. */
export function tile4x1s16(
  w: usize, ldw: usize, x0: usize, K: i32,
  bias: usize, mult: usize, relu: bool, out0: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const end = <usize>K << 1;
  for (let o: usize = 0; o < end; o += 16) {
    const a = ldv(x0 + o);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ldv(w + o), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ldv(w1 + o), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ldv(w2 + o), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ldv(w3 + o), a));
  }
  const r = i32x4.add(reduce4(c0, c1, c2, c3), ldv(bias));
  sti32(out0, i32x4.extract_lane(requant4(r, ldv(mult), relu), 0));
}

/** A panel: 4 channels x pc columns (rows of K int16 at xs, ldw bytes apart,
 *  the same stride as the weights), outputs `step` bytes apart from out. */
export function panel4s16(
  w: usize, ldw: usize, xs: usize, pc: i32, K: i32,
  bias: usize, mult: usize, relu: bool, out: usize, step: usize,
): void {
  let j = 0;
  for (; j + 2 <= pc; j += 2) {
    const x = xs + <usize>j * ldw;
    const o = out + <usize>j * step;
    tile4x2s16(w, ldw, x, x + ldw, K, bias, mult, relu, o, o + step);
  }
  if (j < pc) tile4x1s16(w, ldw, xs + <usize>j * ldw, K, bias, mult, relu, out + <usize>j * step);
}

// ---- int16 weights, int8 activations (fully connected, several images) ----
// The weights (re-read for every image pair) are int16 in memory; each
// activation vector is widened once per step and used against 4 weight rows.
// K: elements per row, a multiple of 4; ldw: BYTES between weight rows.

@inline function ld4w(p: usize): v128 {
  return ld64z(p);
}

/** 4 outputs x 2 images, int16 weights, int8 activations. */
export function tile4x2w16(
  w: usize, ldw: usize, x0: usize, x1: usize, K: i32,
  bias: usize, mult: usize, lo: v128, hi: v128, zero: v128, out0: usize, out1: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const k8 = <usize>(K & ~7);
  let o: usize = 0;
  for (; o < k8; o += 8) {
    const a = ld8x8s(x0 + o), b = ld8x8s(x1 + o);
    let v = ldv(w + (o << 1));
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ldv(w1 + (o << 1));
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ldv(w2 + (o << 1));
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ldv(w3 + (o << 1));
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  if (o < <usize>K) { // K % 8 == 4
    const a = ext4(x0 + o), b = ext4(x1 + o);
    let v = ld4w(w + (o << 1));
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ld4w(w1 + (o << 1));
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ld4w(w2 + (o << 1));
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ld4w(w3 + (o << 1));
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  const bv = ldv(bias);
  const r0 = i32x4.add(reduce4(c00, c10, c20, c30), bv);
  const r1 = i32x4.add(reduce4(c01, c11, c21, c31), bv);
  const q = requantZc4x2(r0, r1, ldv(mult), lo, hi, zero);
  sti32(out0, i32x4.extract_lane(q, 0));
  sti32(out1, i32x4.extract_lane(q, 1));
}

/** 4 outputs x 1 image, int16 weights, int8 activations. */
export function tile4x1w16(
  w: usize, ldw: usize, x0: usize, K: i32,
  bias: usize, mult: usize, lo: v128, hi: v128, zero: v128, out0: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const k8 = <usize>(K & ~7);
  let o: usize = 0;
  for (; o < k8; o += 8) {
    const a = ld8x8s(x0 + o);
    const o2 = o << 1;
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ldv(w + o2), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ldv(w1 + o2), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ldv(w2 + o2), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ldv(w3 + o2), a));
  }
  if (o < <usize>K) {
    const a = ext4(x0 + o);
    const o2 = o << 1;
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ld4w(w + o2), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ld4w(w1 + o2), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ld4w(w2 + o2), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ld4w(w3 + o2), a));
  }
  const r = i32x4.add(reduce4(c0, c1, c2, c3), ldv(bias));
  sti32(out0, i32x4.extract_lane(requantZc4(r, ldv(mult), lo, hi, zero), 0));
}

/** 4 channels x 2 columns, int16 operands, WITHOUT requantization: stores
 *  the 4 int32 sums of column 0 at m and those of column 1 at m + 16
 *  (the Winograd path, conv-wino-s8.ts). */
export function tile4x2s16sums(
  w: usize, ldw: usize, x0: usize, x1: usize, K: i32, m: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K << 1;
  for (let o: usize = 0; o < end; o += 16) {
    const a = ldv(x0 + o), b = ldv(x1 + o);
    let v = ldv(w + o);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
    v = ldv(w1 + o);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
    v = ldv(w2 + o);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
    v = ldv(w3 + o);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
  }
  stv(m, reduce4(c00, c10, c20, c30));
  stv(m + 16, reduce4(c01, c11, c21, c31));
}

/** 4 outputs FAR APART (rows w, w + step, w + 2 step, w + 3 step; outputs
 *  q*Q apart) x 1 image, int16 weights, int8 activations: a single image's
 *  fully connected layer streams 4 distant weight runs, which the hardware
 *  prefetches better than 4 adjacent rows. bias / mult: the first output's;
 *  Q: outputs between the 4 (bytes of output, 4*Q bytes of bias / mult). */
export function tile4x1w16far(
  w: usize, step: usize, x0: usize, K: i32,
  bias: usize, mult: usize, Q: usize, lo: v128, hi: v128, zero: v128, out0: usize,
): void {
  const w1 = w + step, w2 = w1 + step, w3 = w2 + step;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const k8 = <usize>(K & ~7);
  let o: usize = 0;
  for (; o < k8; o += 8) {
    const a = ld8x8s(x0 + o);
    const o2 = o << 1;
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ldv(w + o2), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ldv(w1 + o2), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ldv(w2 + o2), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ldv(w3 + o2), a));
  }
  if (o < <usize>K) {
    const a = ext4(x0 + o);
    const o2 = o << 1;
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ld4w(w + o2), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ld4w(w1 + o2), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ld4w(w2 + o2), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ld4w(w3 + o2), a));
  }
  const q4 = Q << 2;
  let bv = i32x4.splat(ldi32(bias));
  bv = i32x4.replace_lane(bv, 1, ldi32(bias + q4));
  bv = i32x4.replace_lane(bv, 2, ldi32(bias + 2 * q4));
  bv = i32x4.replace_lane(bv, 3, ldi32(bias + 3 * q4));
  let mv = f32x4.splat(ldf(mult));
  mv = f32x4.replace_lane(mv, 1, ldf(mult + q4));
  mv = f32x4.replace_lane(mv, 2, ldf(mult + 2 * q4));
  mv = f32x4.replace_lane(mv, 3, ldf(mult + 3 * q4));
  const r = requantZc4(i32x4.add(reduce4(c0, c1, c2, c3), bv), mv, lo, hi, zero);
  sti8(out0, i8x16.extract_lane_s(r, 0));
  sti8(out0 + Q, i8x16.extract_lane_s(r, 1));
  sti8(out0 + 2 * Q, i8x16.extract_lane_s(r, 2));
  sti8(out0 + 3 * Q, i8x16.extract_lane_s(r, 3));
}
