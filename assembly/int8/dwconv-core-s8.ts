// Depthwise int8 convolution in both blocked layouts (G = 1 << gs = 4 or
// 32): groups = C, channel multiplier M (K = C*M; output channel k reads
// input channel floor(k/M)), any kh x kw, per-axis strides, dilations and
// asymmetric pads, requant.ts's zero-point + clamp epilogue.
//
// Channels sit in the vector lanes, 4 per i32x4 accumulator, and taps go in
// int16 PAIRS so one i32x4.dot_i16x8_s does 8 multiply-adds: kernel rows
// 2rp and 2rp+1 paired vertically (kw pairs per row pair), and an odd last
// row paired horizontally (taps 2j, 2j+1; the tap past kw has weight 0):
// npairs = floor(kh/2)*kw + (kh odd ? ceil(kw/2) : 0). Weights (src/int8/
// pack-dwconv.ts) are [K4/4][npairs][4 lanes][2] int16.
//
// Per output block of G channels and band of up to DW_BAND output columns,
// walking down the output rows, each input row is widened ONCE into a ring
// of (kh-1)*dh+1 int16 "R" rows per group of 4 channels (8 bytes per column,
// xZero outside the image; M > 1 builds them lane by lane). 3x3 windows at
// horizontal dilation 1 and strides 1, 2 (the MobileNet case) then form the
// pairs in registers from the R rows (16-bit interleaves) for 4 pixels at a
// time, weights in registers. Other windows first build, per group, pair
// rows from the R rows: a P row holds per column t the 4 channels' pairs
// (x[iy][t], x[iy+dh][t]), the H row (odd kh) holds (x[iy][t], x[iy][t+dw]);
// a loop over a table of the pairs' byte offsets then accumulates 4 pixels.
//
// Scratch (src/int8/scratch.ts): the pair table, the pair rows, the R rows.
import { ldv, stv, sti32, ldi32, ldi8, check } from "../mem";
import { ld32z, ld64z, st64low } from "./mem-s8";
import { requantZc4, requantZc4x4, zcLo, zcHi, zcZero, zcMask, zcZeroMask } from "./requant";
import { chanByte, convgOut, st64high, zeroChannelsFrom } from "./conv-family-s8";

export const DW_BAND: i32 = 64;

@inline function interleaveLo16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

@inline function interleaveHi16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** Fills R-row columns [t0, t1) of every group (rq: group 0's row, rgs
 *  bytes between groups' rows) with the int16 splat z. */
@inline function fillR(rq: usize, rgs: usize, nq: i32, t0: i32, t1: i32, z: v128): void {
  for (let q = 0; q < nq; q++) {
    const r = rq + <usize>q * rgs;
    for (let t = t0; t < t1; t++) st64low(r + (<usize>t << 3), z);
  }
}

/** Input row iy (columns ix0 .. ix0+rcols-1, block plane `plane`) widened
 *  into the R rows of the block's groups (M == 1): group q's column t holds
 *  the 4 channels as int16 at rq + q*rgs + 8t; xZero outside the image. */
function buildRowR(
  gs: i32, plane: usize, H: i32, W: i32, iy: i32, ix0: i32, rcols: i32,
  z: v128, rq: usize, rgs: usize,
): void {
  const nq = 1 << (gs - 2);
  if (iy < 0 || iy >= H) {
    fillR(rq, rgs, nq, 0, rcols, z);
    return;
  }
  const tA = min(rcols, max(0, -ix0)), tB = max(tA, min(rcols, W - ix0));
  fillR(rq, rgs, nq, 0, tA, z);
  const src = plane + (<usize>(iy * W + ix0) << gs);
  let t = tA;
  if (gs == 2) {
    for (; t + 4 <= tB; t += 4) {
      const v = ldv(src + (<usize>t << 2));
      stv(rq + (<usize>t << 3), i16x8.extend_low_i8x16_s(v));
      stv(rq + (<usize>t << 3) + 16, i16x8.extend_high_i8x16_s(v));
    }
    for (; t < tB; t++) st64low(rq + (<usize>t << 3), i16x8.extend_low_i8x16_s(ld32z(src + (<usize>t << 2))));
  } else {
    for (; t < tB; t++) {
      const p = src + (<usize>t << 5), o = rq + (<usize>t << 3);
      const v0 = ldv(p), v1 = ldv(p + 16);
      let e = i16x8.extend_low_i8x16_s(v0);
      st64low(o, e); st64high(o + rgs, e);
      e = i16x8.extend_high_i8x16_s(v0);
      st64low(o + 2 * rgs, e); st64high(o + 3 * rgs, e);
      e = i16x8.extend_low_i8x16_s(v1);
      st64low(o + 4 * rgs, e); st64high(o + 5 * rgs, e);
      e = i16x8.extend_high_i8x16_s(v1);
      st64low(o + 6 * rgs, e); st64high(o + 7 * rgs, e);
    }
  }
  fillR(rq, rgs, nq, tB, rcols, z);
}

/** The same R rows for M > 1: lane l of group q holds input channel
 *  (k0 + 4q + l) / M (0 for channels >= K). Where a group's channels share an
 *  input block (and, in nc32hw32, a 16-byte half of it: always for M = 2),
 *  one i8x16.swizzle per 4 pixels (nchw4) or per pixel (nc32hw32) picks them;
 *  else lane by lane. */
function buildRowRMulti(
  gs: i32, xn: usize, H: i32, W: i32, M: i32, K: i32, k0: i32, nq: i32,
  iy: i32, ix0: i32, rcols: i32, xZero: i32, rq: usize, rgs: usize,
): void {
  const G = 1 << gs;
  const planeBytes = <usize>(H * W) << gs;
  const tA = min(rcols, max(0, -ix0)), tB = max(tA, min(rcols, W - ix0));
  for (let q = 0; q < nq; q++) {
    const kq = k0 + 4 * q;
    const r = rq + <usize>q * rgs;
    const c0 = kq / M, c3 = min(kq + 3, K - 1) / M;
    const half = gs == 2 ? 0 : (c0 & 16);
    const together = (c0 >> gs) == (c3 >> gs) && (gs == 2 || (c3 & 16) == half);
    if (!together) {
      buildGroupLanes(gs, xn, planeBytes, H, W, M, K, kq, iy, ix0, rcols, xZero, r);
      continue;
    }
    // Per lane: its byte in a pixel (or in the 16-byte half), or 0x80 (-> 0) past K; the padding value.
    let m1 = i8x16.splat(-128);
    m1 = i8x16.replace_lane(m1, 0, laneByte(kq, K, M, G, half));
    m1 = i8x16.replace_lane(m1, 1, laneByte(kq + 1, K, M, G, half));
    m1 = i8x16.replace_lane(m1, 2, laneByte(kq + 2, K, M, G, half));
    m1 = i8x16.replace_lane(m1, 3, laneByte(kq + 3, K, M, G, half));
    let pad = i16x8.splat(0);
    pad = i16x8.replace_lane(pad, 0, <i16>(kq < K ? xZero : 0));
    pad = i16x8.replace_lane(pad, 1, <i16>(kq + 1 < K ? xZero : 0));
    pad = i16x8.replace_lane(pad, 2, <i16>(kq + 2 < K ? xZero : 0));
    pad = i16x8.replace_lane(pad, 3, <i16>(kq + 3 < K ? xZero : 0));
    if (iy < 0 || iy >= H) {
      for (let t = 0; t < rcols; t++) st64low(r + (<usize>t << 3), pad);
      continue;
    }
    for (let t = 0; t < tA; t++) st64low(r + (<usize>t << 3), pad);
    const src = xn + <usize>(c0 >> gs) * planeBytes + (<usize>(iy * W + ix0) << gs) + <usize>half;
    let t = tA;
    if (gs == 2) {
      // 4 pixels x 4 channels per 16-byte load: pixel i's lane l is byte 4i + m1[l] (0x80 + 4i, still out of range, past K).
      const m4 = i8x16.add(i8x16.shuffle(m1, m1, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3),
        i8x16(0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12));
      for (; t + 4 <= tB; t += 4) {
        const v = i8x16.swizzle(ldv(src + (<usize>t << 2)), m4);
        stv(r + (<usize>t << 3), i16x8.extend_low_i8x16_s(v));
        stv(r + (<usize>t << 3) + 16, i16x8.extend_high_i8x16_s(v));
      }
      for (; t < tB; t++) st64low(r + (<usize>t << 3), i16x8.extend_low_i8x16_s(i8x16.swizzle(ld32z(src + (<usize>t << 2)), m1)));
    } else {
      for (; t < tB; t++) st64low(r + (<usize>t << 3), i16x8.extend_low_i8x16_s(i8x16.swizzle(ldv(src + (<usize>t << 5)), m1)));
    }
    for (t = tB; t < rcols; t++) st64low(r + (<usize>t << 3), pad);
  }
}

/** Output channel k's byte within its input pixel (or 16-byte half), or 0x80 (a swizzle gives 0) past K. */
@inline function laneByte(k: i32, K: i32, M: i32, G: i32, half: i32): i8 {
  return k >= K ? <i8>-128 : <i8>(((k / M) & (G - 1)) - half);
}

/** One group's R row, lane by lane (its channels span input blocks). */
function buildGroupLanes(
  gs: i32, xn: usize, planeBytes: usize, H: i32, W: i32, M: i32, K: i32, kq: i32,
  iy: i32, ix0: i32, rcols: i32, xZero: i32, r: usize,
): void {
  const G = 1 << gs;
  for (let l = 0; l < 4; l++) {
    const k = kq + l;
    const c = k / M;
    const src = xn + <usize>(c >> gs) * planeBytes + <usize>(c & (G - 1)) + (<usize>(iy * W) << gs);
    let o = r + (<usize>l << 1);
    for (let t = 0; t < rcols; t++) {
      const ix = ix0 + t;
      const v = k >= K ? 0 : iy < 0 || iy >= H || ix < 0 || ix >= W ? xZero : <i32>ldi8(src + (<usize>ix << gs));
      check(o, 2);
      store<i16>(o, <i16>v);
      o += 8;
    }
  }
}

/** A pair row from two R rows: column t = the int16 pairs (a[t], b[t + e])
 *  of the 4 channels, for t < ncols rounded up to even (2 per step). */
function buildPairRow(a: usize, b: usize, ncols: i32, d: usize): void {
  for (let t = 0; t < ncols; t += 2) {
    const u = ldv(a + (<usize>t << 3)), v = ldv(b + (<usize>t << 3));
    stv(d + (<usize>t << 4), interleaveLo16(u, v));
    stv(d + (<usize>t << 4) + 16, interleaveHi16(u, v));
  }
}

/** Stores 4 pixels x 4 channels (q: pixel i in bytes 4i..4i+3) at out,
 *  pixels G bytes apart. */
@inline function storeQuad(gs: i32, q: v128, out: usize): void {
  if (gs == 2) {
    stv(out, q);
  } else {
    sti32(out, i32x4.extract_lane(q, 0));
    sti32(out + 32, i32x4.extract_lane(q, 1));
    sti32(out + 64, i32x4.extract_lane(q, 2));
    sti32(out + 96, i32x4.extract_lane(q, 3));
  }
}

/** One group's output row segment, any window: pc pixels at out (G bytes
 *  apart), 4 at a time, then one at a time; pixel j reads its pairs j*sw
 *  columns into the group's rows (table offsets from `rows`). With sw a
 *  constant after inlining, the 4 pixels' loads use static offsets. */
@inline function dwRowAny(
  gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, sw: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const end = tab + (<usize>npairs << 2);
  const st = <usize>sw << 4;
  let j = 0;
  for (; j + 4 <= pc; j += 4) {
    const b = rows + <usize>j * st;
    let a0 = bv, a1 = bv, a2 = bv, a3 = bv;
    let wp = wq;
    for (let t = tab; t < end; t += 4) {
      const p = b + <usize>ldi32(t);
      const w = ldv(wp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ldv(p), w));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ldv(p + st), w));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(ldv(p + 2 * st), w));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(ldv(p + 3 * st), w));
      wp += 16;
    }
    storeQuad(gs, requantZc4x4(a0, a1, a2, a3, mv, loV, hiV, zV), out + (<usize>j << gs));
  }
  for (; j < pc; j++) {
    const b = rows + <usize>j * st;
    let a = bv;
    let wp = wq;
    for (let t = tab; t < end; t += 4) {
      a = i32x4.add(a, i32x4.dot_i16x8_s(ldv(b + <usize>ldi32(t)), ldv(wp)));
      wp += 16;
    }
    sti32(out + (<usize>j << gs), i32x4.extract_lane(requantZc4(a, mv, loV, hiV, zV), 0));
  }
}

/** storeQuad of the first n (1..4; 4 or more: all) pixels of q. */
@inline function storeQuadPart(gs: i32, q: v128, out: usize, n: i32): void {
  if (n >= 4) {
    storeQuad(gs, q, out);
    return;
  }
  const step = <usize>1 << gs;
  sti32(out, i32x4.extract_lane(q, 0));
  if (n > 1) sti32(out + step, i32x4.extract_lane(q, 1));
  if (n > 2) sti32(out + 2 * step, i32x4.extract_lane(q, 2));
}

/** 3x3, stride 1, dilation 1, straight from the R rows ra, rb, rc (kernel
 *  rows 0, 1, 2; int16, 8 bytes per column, the band's column 0): per 4
 *  pixels, the P columns (ra[u], rb[u]) and H columns (rc[u], rc[u+1]) for
 *  u = j .. j+5 are formed in registers, 2 columns per interleave pair. The
 *  last quad runs whole on the rows' spare columns (garbage past the band)
 *  and stores only its pc - j valid pixels. */
function row3x3s1R(
  gs: i32, ra: usize, rb: usize, rc: usize, wq: usize, pc: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const w0 = ldv(wq), w1 = ldv(wq + 16), w2 = ldv(wq + 32), w3 = ldv(wq + 48), w4 = ldv(wq + 64);
  for (let j = 0; j < pc; j += 4) {
    const o = <usize>j << 3;
    let u = ldv(ra + o), v = ldv(rb + o);
    const p0 = interleaveLo16(u, v), p1 = interleaveHi16(u, v);
    u = ldv(ra + o + 16); v = ldv(rb + o + 16);
    const p2 = interleaveLo16(u, v), p3 = interleaveHi16(u, v);
    u = ldv(ra + o + 32); v = ldv(rb + o + 32);
    const p4 = interleaveLo16(u, v), p5 = interleaveHi16(u, v);
    u = ldv(rc + o); v = ldv(rc + o + 8);
    const h0 = interleaveLo16(u, v), h1 = interleaveHi16(u, v);
    u = ldv(rc + o + 16); v = ldv(rc + o + 24);
    const h2 = interleaveLo16(u, v), h3 = interleaveHi16(u, v);
    u = ldv(rc + o + 32); v = ldv(rc + o + 40);
    const h4 = interleaveLo16(u, v), h5 = interleaveHi16(u, v);
    const a0 = pairs5(p0, p1, p2, h0, h2, w0, w1, w2, w3, w4, bv);
    const a1 = pairs5(p1, p2, p3, h1, h3, w0, w1, w2, w3, w4, bv);
    const a2 = pairs5(p2, p3, p4, h2, h4, w0, w1, w2, w3, w4, bv);
    const a3 = pairs5(p3, p4, p5, h3, h5, w0, w1, w2, w3, w4, bv);
    storeQuadPart(gs, requantZc4x4(a0, a1, a2, a3, mv, loV, hiV, zV), out + (<usize>j << gs), pc - j);
  }
}

/** row3x3s1R at stride 2: pixel i reads P columns 2i .. 2i+2 and H
 *  columns 2i, 2i+2 (H column u = (rc[u], rc[u+1]): two overlapping loads). */
function row3x3s2R(
  gs: i32, ra: usize, rb: usize, rc: usize, wq: usize, pc: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const w0 = ldv(wq), w1 = ldv(wq + 16), w2 = ldv(wq + 32), w3 = ldv(wq + 48), w4 = ldv(wq + 64);
  for (let j = 0; j < pc; j += 4) {
    const o = <usize>j << 4;
    let u = ldv(ra + o), v = ldv(rb + o);
    const p0 = interleaveLo16(u, v), p1 = interleaveHi16(u, v);
    u = ldv(ra + o + 16); v = ldv(rb + o + 16);
    const p2 = interleaveLo16(u, v), p3 = interleaveHi16(u, v);
    u = ldv(ra + o + 32); v = ldv(rb + o + 32);
    const p4 = interleaveLo16(u, v), p5 = interleaveHi16(u, v);
    u = ldv(ra + o + 48); v = ldv(rb + o + 48);
    const p6 = interleaveLo16(u, v), p7 = interleaveHi16(u, v);
    u = ld64z(ra + o + 64); v = ld64z(rb + o + 64);
    const p8 = interleaveLo16(u, v);
    const h0 = interleaveLo16(ldv(rc + o), ldv(rc + o + 8));
    const h2 = interleaveLo16(ldv(rc + o + 16), ldv(rc + o + 24));
    const h4 = interleaveLo16(ldv(rc + o + 32), ldv(rc + o + 40));
    const h6 = interleaveLo16(ldv(rc + o + 48), ldv(rc + o + 56));
    const h8 = interleaveLo16(ldv(rc + o + 64), ldv(rc + o + 72));
    const a0 = pairs5(p0, p1, p2, h0, h2, w0, w1, w2, w3, w4, bv);
    const a1 = pairs5(p2, p3, p4, h2, h4, w0, w1, w2, w3, w4, bv);
    const a2 = pairs5(p4, p5, p6, h4, h6, w0, w1, w2, w3, w4, bv);
    const a3 = pairs5(p6, p7, p8, h6, h8, w0, w1, w2, w3, w4, bv);
    storeQuadPart(gs, requantZc4x4(a0, a1, a2, a3, mv, loV, hiV, zV), out + (<usize>j << gs), pc - j);
  }
}

@inline function pairs5(
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, bv: v128,
): v128 {
  let a = i32x4.add(bv, i32x4.dot_i16x8_s(x0, w0));
  a = i32x4.add(a, i32x4.dot_i16x8_s(x1, w1));
  a = i32x4.add(a, i32x4.dot_i16x8_s(x2, w2));
  a = i32x4.add(a, i32x4.dot_i16x8_s(x3, w3));
  return i32x4.add(a, i32x4.dot_i16x8_s(x4, w4));
}

// The row kernels as separate functions (V8 allocates registers better in
// small functions), with strides 1 and 2 as constants.
function rowAnys1(gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize): void {
  dwRowAny(gs, rows, tab, npairs, wq, pc, 1, bv, mv, loV, hiV, zV, out);
}
function rowAnys2(gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize): void {
  dwRowAny(gs, rows, tab, npairs, wq, pc, 2, bv, mv, loV, hiV, zV, out);
}
function rowAny(gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, sw: i32, bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize): void {
  dwRowAny(gs, rows, tab, npairs, wq, pc, sw, bv, mv, loV, hiV, zV, out);
}

/** One group's row segment from its pair rows. */
@inline function dwGroupRow(
  gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, sw: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  if (sw == 1) {
    rowAnys1(gs, rows, tab, npairs, wq, pc, bv, mv, loV, hiV, zV, out);
  } else if (sw == 2) {
    rowAnys2(gs, rows, tab, npairs, wq, pc, bv, mv, loV, hiV, zV, out);
  } else {
    rowAny(gs, rows, tab, npairs, wq, pc, sw, bv, mv, loV, hiV, zV, out);
  }
}

@inline export function dwconvS8(
  gs: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, M: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32,
  xZero: i32, yZero: i32, lo: i32, hi: i32, y: usize, scratch: usize,
): void {
  const G = 1 << gs;
  const K = C * M, K4 = (K + 3) & ~3;
  const Ho = convgOut(H, padTop, padBottom, kh, dh, sh);
  const Wo = convgOut(W, padLeft, padRight, kw, dw, sw);
  const P = Ho * Wo;
  const CBi = (C + G - 1) >> gs, CBo = (K + G - 1) >> gs;
  const nrp = kh >> 1, odd = kh & 1, hk = (kw + 1) >> 1;
  const npairs = nrp * kw + odd * hk;
  const G4 = <usize>(G >> 2);
  // Scratch: pair table | pair rows [G/4][nrp + odd][ringBytes] | R rows [G/4][Rn][rowR].
  // Columns for a whole number of 4-pixel quads (the fused 3x3 rows compute the last quad in full and store its valid pixels).
  const colsMax = ((((min(DW_BAND, Wo) + 3) & ~3) - 1) * sw + (kw - 1) * dw + 1 + 1) & ~1;
  const ringBytes = <usize>colsMax << 4;
  const gstride = <usize>(nrp + odd) * ringBytes;
  const Rn = (kh - 1) * dh + 1;
  const rowR = <usize>(colsMax + dw) << 3;
  const rgs = <usize>Rn * rowR;
  const tab = scratch;
  const ring = scratch + ((<usize>npairs * 4 + 15) & ~15);
  const rring = ring + G4 * gstride;
  // Pair table: byte offsets of each pair's first column in a group's rows.
  let t = tab;
  for (let rp = 0; rp < nrp; rp++) {
    for (let kx = 0; kx < kw; kx++) { sti32(t, <i32>(<usize>rp * ringBytes + (<usize>(kx * dw) << 4))); t += 4; }
  }
  if (odd) {
    for (let j = 0; j < hk; j++) { sti32(t, <i32>(<usize>nrp * ringBytes + (<usize>(2 * j * dw) << 4))); t += 4; }
  }
  const z16 = i16x8.splat(<i16>xZero);
  const fused = kh == 3 && kw == 3 && sw <= 2 && dw == 1;
  const loV = zcLo(yZero, lo), hiV = zcHi(yZero, hi), zV = zcZero(yZero);
  const planeBytes = <usize>(H * W) << gs;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>CBi * planeBytes * <usize>n;
    const yn = y + (<usize>(n * CBo * P) << gs);
    for (let ob = 0; ob < CBo; ob++) {
      const k0 = ob << gs;
      const nq = min(G, K4 - k0) >> 2;
      const plane = xn + <usize>ob * planeBytes;
      for (let ox0 = 0; ox0 < Wo; ox0 += DW_BAND) {
        const pc = min(DW_BAND, Wo - ox0);
        const ix0 = ox0 * sw - padLeft;
        const ncols = (pc - 1) * sw + (kw - 1) * dw + 1;
        const rcols = ((ncols + 1) & ~1) + dw;
        let next = -padTop; // next input row to widen into the R ring
        let s0 = 0; // R ring slot of input row iy0 = oy*sh - padTop (slot of row iy: (iy + padTop) mod Rn)
        for (let oy = 0; oy < Ho; oy++) {
          const iy0 = oy * sh - padTop, iyEnd = iy0 + Rn;
          for (let iy = max(next, iy0); iy < iyEnd; iy++) {
            let sl = s0 + iy - iy0;
            if (sl >= Rn) sl -= Rn;
            const rq = rring + <usize>sl * rowR;
            if (M == 1) buildRowR(gs, plane, H, W, iy, ix0, rcols, z16, rq, rgs);
            else buildRowRMulti(gs, xn, H, W, M, K, k0, nq, iy, ix0, rcols, xZero, rq, rgs);
          }
          next = max(next, iyEnd);
          if (!fused) {
            for (let r = 0; r < nrp + odd; r++) {
              const pairRow = r < nrp;
              let sa = s0 + (pairRow ? 2 * r * dh : (kh - 1) * dh);
              if (sa >= Rn) sa -= Rn;
              let sb = sa + dh;
              if (sb >= Rn) sb -= Rn;
              // H row (odd kh's last kernel row): pairs (R[t], R[t + dw]) of one row.
              const ra = rring + <usize>sa * rowR;
              const rb = pairRow ? rring + <usize>sb * rowR : ra + (<usize>dw << 3);
              for (let q = 0; q < nq; q++) {
                const o = <usize>q * rgs;
                buildPairRow(ra + o, rb + o, ncols, ring + <usize>q * gstride + <usize>r * ringBytes);
              }
            }
          }
          const orow = yn + (<usize>(oy * Wo + ox0) << gs);
          for (let q = 0; q < nq; q++) {
            const kq = k0 + 4 * q;
            const kb = <usize>kq << 2;
            const real = K - kq;
            const wq = weights + <usize>(kq >> 2) * (<usize>npairs << 4);
            const bv = ldv(bias + kb), mv = ldv(mult + kb);
            const out = orow + chanByte(kq, P, gs);
            const masked = real < 4;
            const lq = masked ? zcMask(loV, real) : loV, hq = masked ? zcMask(hiV, real) : hiV, zq = masked ? zcZeroMask(zV, real) : zV;
            if (fused) {
              let s1 = s0 + dh, s2 = s0 + 2 * dh;
              if (s1 >= Rn) s1 -= Rn;
              if (s2 >= Rn) s2 -= Rn;
              const rg = rring + <usize>q * rgs;
              const ra = rg + <usize>s0 * rowR, rb = rg + <usize>s1 * rowR, rc = rg + <usize>s2 * rowR;
              if (sw == 1) row3x3s1R(gs, ra, rb, rc, wq, pc, bv, mv, lq, hq, zq, out);
              else row3x3s2R(gs, ra, rb, rc, wq, pc, bv, mv, lq, hq, zq, out);
            } else {
              dwGroupRow(gs, ring + <usize>q * gstride, tab, npairs, wq, pc, sw, bv, mv, lq, hq, zq, out);
            }
          }
          s0 += sh;
          while (s0 >= Rn) s0 -= Rn;
        }
      }
    }
    zeroChannelsFrom(yn, P, gs, K, K4);
  }
}
