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
// Per output block of G channels, band of up to DW_BAND output columns and
// output row, every pair row of the window is built once into scratch, per
// group of 4 channels: a P row holds, per input column t of the band, the 4
// channels' int16 pairs (x[iy][t], x[iy+dh][t]); the H row (odd kh) holds
// (x[iy][t], x[iy][t+dw]); positions outside the image read xZero. Then per
// group, 4 output pixels at a time, one loop over the pairs (a table of byte
// offsets into the group's rows) accumulates dot(pair row column, weights).
// With M == 1 the rows come straight from the input block's vectors; M > 1
// builds them lane by lane.
//
// Scratch (src/int8/scratch.ts): npairs int32 rounded up to 16 bytes, then
// G/4 groups x (floor(kh/2) + kh%2) rows x ringCols x 16 bytes, ringCols =
// (min(DW_BAND, Wo) - 1)*sw + (kw - 1)*dw + 1.
import { ldv, stv, sti32, ldi32, ldi8, check } from "../mem";
import { ld32z } from "./mem-s8";
import { requantZc4x4, zcLo, zcHi, zcZero, zcMask } from "./requant";
import { chanByte, convgOut, zeroChannelsFrom } from "./conv-family-s8";

export const DW_BAND: i32 = 64;

/** Byte offset of the pixel (iy, ix) of a block plane, or 0 (read xZero)
 *  outside the image. */
@inline function pixelAt(plane: usize, H: i32, W: i32, iy: i32, ix: i32, gs: i32): usize {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? plane + (<usize>(iy * W + ix) << gs) : 0;
}

@inline function interleaveLo(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

@inline function interleaveHi(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/** One column of pair rows for every group of the block from pixel
 *  pointers pa, pb (0: xZero). Group q's column goes to d + q*gstride. */
@inline function pairColumn(gs: i32, pa: usize, pb: usize, zx: v128, d: usize, gstride: usize): void {
  if (gs == 2) {
    const a = pa != 0 ? ld32z(pa) : zx;
    const b = pb != 0 ? ld32z(pb) : zx;
    stv(d, i16x8.extend_low_i8x16_s(interleaveLo(a, b)));
  } else {
    const a0 = pa != 0 ? ldv(pa) : zx, a1 = pa != 0 ? ldv(pa + 16) : zx;
    const b0 = pb != 0 ? ldv(pb) : zx, b1 = pb != 0 ? ldv(pb + 16) : zx;
    let v = interleaveLo(a0, b0);
    stv(d, i16x8.extend_low_i8x16_s(v));
    stv(d + gstride, i16x8.extend_high_i8x16_s(v));
    v = interleaveHi(a0, b0);
    stv(d + 2 * gstride, i16x8.extend_low_i8x16_s(v));
    stv(d + 3 * gstride, i16x8.extend_high_i8x16_s(v));
    v = interleaveLo(a1, b1);
    stv(d + 4 * gstride, i16x8.extend_low_i8x16_s(v));
    stv(d + 5 * gstride, i16x8.extend_high_i8x16_s(v));
    v = interleaveHi(a1, b1);
    stv(d + 6 * gstride, i16x8.extend_low_i8x16_s(v));
    stv(d + 7 * gstride, i16x8.extend_high_i8x16_s(v));
  }
}

/** A pair row for M == 1 over columns t < ncols: element a = x[iya][ix0+t],
 *  b = x[iyb][ix0+t+e], of input block plane `plane`. */
@inline function buildPairRow(
  gs: i32, plane: usize, H: i32, W: i32, iya: i32, iyb: i32, ix0: i32, e: i32, ncols: i32,
  zx: v128, d: usize, gstride: usize,
): void {
  const rowA = iya >= 0 && iya < H, rowB = iyb >= 0 && iyb < H;
  // Columns where both operands are inside the image's row (or their row is
  // outside, read as xZero): no per-column checks.
  const tA = min(ncols, max(0, max(-ix0, -ix0 - e)));
  const tB = max(tA, min(ncols, min(W - ix0, W - ix0 - e)));
  for (let t = 0; t < tA; t++) {
    pairColumn(gs, pixelAt(plane, H, W, iya, ix0 + t, gs), pixelAt(plane, H, W, iyb, ix0 + t + e, gs), zx, d + (<usize>t << 4), gstride);
  }
  let t = tA;
  if (gs == 2) {
    // 4 columns per 16-byte load of each row.
    const ra = rowA ? plane + (<usize>(iya * W + ix0) << 2) : 0;
    const rb = rowB ? plane + (<usize>(iyb * W + ix0 + e) << 2) : 0;
    for (; t + 4 <= tB; t += 4) {
      const a = rowA ? ldv(ra + (<usize>t << 2)) : zx;
      const b = rowB ? ldv(rb + (<usize>t << 2)) : zx;
      const o = d + (<usize>t << 4);
      let v = interleaveLo(a, b);
      stv(o, i16x8.extend_low_i8x16_s(v));
      stv(o + 16, i16x8.extend_high_i8x16_s(v));
      v = interleaveHi(a, b);
      stv(o + 32, i16x8.extend_low_i8x16_s(v));
      stv(o + 48, i16x8.extend_high_i8x16_s(v));
    }
  }
  for (; t < ncols; t++) {
    pairColumn(gs, pixelAt(plane, H, W, iya, ix0 + t, gs), pixelAt(plane, H, W, iyb, ix0 + t + e, gs), zx, d + (<usize>t << 4), gstride);
  }
}

/** The same pair row for M > 1, lane by lane: lane l of group q reads
 *  input channel (k0 + 4q + l) / M (0 for channels >= K). */
@inline function buildPairRowMulti(
  gs: i32, xn: usize, H: i32, W: i32, M: i32, K: i32, k0: i32, nq: i32,
  iya: i32, iyb: i32, ix0: i32, e: i32, ncols: i32, xZero: i32, d: usize, gstride: usize,
): void {
  const G = 1 << gs;
  const planeBytes = <usize>(H * W) << gs;
  for (let q = 0; q < nq; q++) {
    for (let l = 0; l < 4; l++) {
      const k = k0 + 4 * q + l;
      const c = k / M;
      const src = xn + <usize>(c >> gs) * planeBytes + <usize>(c & (G - 1));
      let o = d + <usize>q * gstride + (<usize>l << 2);
      for (let t = 0; t < ncols; t++) {
        let a = 0, b = 0;
        if (k < K) {
          const pa = pixelAt(src, H, W, iya, ix0 + t, gs), pb = pixelAt(src, H, W, iyb, ix0 + t + e, gs);
          a = pa != 0 ? <i32>ldi8(pa) : xZero;
          b = pb != 0 ? <i32>ldi8(pb) : xZero;
        }
        check(o, 4);
        store<i16>(o, <i16>a);
        store<i16>(o + 2, <i16>b);
        o += 16;
      }
    }
  }
}

/** One group's output row segment: pc pixels at out (G bytes apart), 4 at
 *  a time; pixel j reads its pairs j*sw columns into the group's rows. */
@inline function dwGroupRow(
  gs: i32, rows: usize, tab: usize, npairs: i32, wq: usize, pc: i32, sw: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const end = tab + (<usize>npairs << 2);
  const step = <usize>sw << 4;
  for (let j = 0; j < pc; j += 4) {
    const j1 = min(j + 1, pc - 1), j2 = min(j + 2, pc - 1), j3 = min(j + 3, pc - 1);
    const r0 = rows + <usize>j * step, r1 = rows + <usize>j1 * step;
    const r2 = rows + <usize>j2 * step, r3 = rows + <usize>j3 * step;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let wp = wq;
    for (let t = tab; t < end; t += 4) {
      const o = <usize>ldi32(t);
      const w = ldv(wp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ldv(r0 + o), w));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ldv(r1 + o), w));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(ldv(r2 + o), w));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(ldv(r3 + o), w));
      wp += 16;
    }
    const q = requantZc4x4(i32x4.add(a0, bv), i32x4.add(a1, bv), i32x4.add(a2, bv), i32x4.add(a3, bv), mv, loV, hiV, zV);
    const o0 = out + (<usize>j << gs);
    if (gs == 2 && j + 4 <= pc) {
      stv(o0, q);
    } else {
      // Clamped pixels repeat the last one: same bytes, same place.
      sti32(o0, i32x4.extract_lane(q, 0));
      sti32(out + (<usize>j1 << gs), i32x4.extract_lane(q, 1));
      sti32(out + (<usize>j2 << gs), i32x4.extract_lane(q, 2));
      sti32(out + (<usize>j3 << gs), i32x4.extract_lane(q, 3));
    }
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
  const ringBytes = <usize>((min(DW_BAND, Wo) - 1) * sw + (kw - 1) * dw + 1) << 4;
  const gstride = <usize>(nrp + odd) * ringBytes;
  const tab = scratch;
  const ring = scratch + ((<usize>npairs * 4 + 15) & ~15);
  // Pair table: byte offsets of each pair's first column in a group's rows.
  let t = tab;
  for (let rp = 0; rp < nrp; rp++) {
    for (let kx = 0; kx < kw; kx++) { sti32(t, <i32>(<usize>rp * ringBytes + (<usize>(kx * dw) << 4))); t += 4; }
  }
  if (odd) {
    for (let j = 0; j < hk; j++) { sti32(t, <i32>(<usize>nrp * ringBytes + (<usize>(2 * j * dw) << 4))); t += 4; }
  }
  const zx = i8x16.splat(<i8>xZero);
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
        for (let oy = 0; oy < Ho; oy++) {
          const iy0 = oy * sh - padTop;
          for (let r = 0; r < nrp + odd; r++) {
            const pairRow = r < nrp;
            const iya = pairRow ? iy0 + 2 * r * dh : iy0 + (kh - 1) * dh;
            const iyb = pairRow ? iya + dh : iya;
            const e = pairRow ? 0 : dw;
            const d = ring + <usize>r * ringBytes;
            if (M == 1) buildPairRow(gs, plane, H, W, iya, iyb, ix0, e, ncols, zx, d, gstride);
            else buildPairRowMulti(gs, xn, H, W, M, K, k0, nq, iya, iyb, ix0, e, ncols, xZero, d, gstride);
          }
          const orow = yn + (<usize>(oy * Wo + ox0) << gs);
          for (let q = 0; q < nq; q++) {
            const kq = k0 + 4 * q;
            const kb = <usize>kq << 2;
            const real = K - kq;
            const wq = weights + <usize>(kq >> 2) * (<usize>npairs << 4);
            const bv = ldv(bias + kb), mv = ldv(mult + kb);
            const out = orow + chanByte(kq, P, gs);
            if (real >= 4) {
              dwGroupRow(gs, ring + <usize>q * gstride, tab, npairs, wq, pc, sw, bv, mv, loV, hiV, zV, out);
            } else {
              dwGroupRow(gs, ring + <usize>q * gstride, tab, npairs, wq, pc, sw, bv, mv,
                zcMask(loV, real), zcMask(hiV, real), zcMask(zV, real), out);
            }
          }
        }
      }
    }
    zeroChannelsFrom(yn, P, gs, K, K4);
  }
}
