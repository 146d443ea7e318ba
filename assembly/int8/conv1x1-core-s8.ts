// Pointwise (1x1, stride 1) int8 convolution as a GEMM over pixels, reading
// the blocked input in place (no gather, no scratch): y[p][k] = sum_c
// x[p][c] w[k][c], requant.ts's zero-point + clamp epilogue. Weights
// (src/int8/pack-conv1x1.ts) are int16 [K4][CB*G] (input channel order;
// zero at padding channels, whose garbage bytes are therefore harmless).
//
// nchw4: 8 bytes hold 2 adjacent pixels x 4 channels; widened, their dot
// with a block's 4 weights (one 8-byte splat load) gives per pixel two
// partial sums. A tile is 4 output channels x 4 pixels (8 accumulators),
// one input block per step; the pairs are reduced at the end, and the 16
// results are exactly 4 pixels of one output block: one 16-byte store.
// nc32hw32: the 4 bytes of a 4-channel group of each of 4 pixels,
// interleaved by 32-bit lanes, give the same pixel-pair vectors: the same
// tile, one group per step.
// Pixels go in chunks of CONV1X1_PIXEL_CHUNK so a chunk's input stays in
// cache while every output tile passes over it.
import { ldv, stv, sti32, ld8x8s, check } from "../mem";
import { ld32z } from "./mem-s8";
import { requantZc4, requantZc4x4, zcLo, zcHi, zcZero, zcMask, zcZeroMask } from "./requant";
import { chanByte, zeroChannelsFrom } from "./conv-family-s8";

export const CONV1X1_PIXEL_CHUNK: i32 = 32;

@inline function ld64splat(p: usize): v128 {
  check(p, 8);
  return v128.load64_splat(p);
}

@inline function ld32splatWide(p: usize): v128 {
  check(p, 4);
  return i16x8.extend_low_i8x16_s(v128.load32_splat(p));
}

/** [sum of lanes 0,1 of a; of b; of c; of d] for pixel pair lanes (0,1) and
 *  the same for lanes (2,3): returns the first pixel's 4 channels when
 *  `second` is false, the second pixel's otherwise. */
@inline function pairSums(a: v128, b: v128, c: v128, d: v128, second: bool): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7)); // a0 a1 b0 b1
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 2, 4, 6), i32x4.shuffle(c, d, 1, 3, 5, 7));
  return second ? i32x4.shuffle(ab, cd, 1, 3, 5, 7) : i32x4.shuffle(ab, cd, 0, 2, 4, 6);
}

/** nchw4: 4 channels (weight rows w, ldw bytes apart) x pixels p..p+3 (xp:
 *  pixel p in input block 0). */
@inline function tileNchw4x4(
  w: usize, ldw: usize, xp: usize, plane: usize, CB: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0a = i32x4.splat(0), c0b = i32x4.splat(0), c1a = i32x4.splat(0), c1b = i32x4.splat(0);
  let c2a = i32x4.splat(0), c2b = i32x4.splat(0), c3a = i32x4.splat(0), c3b = i32x4.splat(0);
  let x = xp;
  const end = <usize>CB << 3;
  for (let o: usize = 0; o < end; o += 8) {
    const a = ld8x8s(x), b = ld8x8s(x + 8);
    let v = ld64splat(w + o);
    c0a = i32x4.add(c0a, i32x4.dot_i16x8_s(v, a)); c0b = i32x4.add(c0b, i32x4.dot_i16x8_s(v, b));
    v = ld64splat(w1 + o);
    c1a = i32x4.add(c1a, i32x4.dot_i16x8_s(v, a)); c1b = i32x4.add(c1b, i32x4.dot_i16x8_s(v, b));
    v = ld64splat(w2 + o);
    c2a = i32x4.add(c2a, i32x4.dot_i16x8_s(v, a)); c2b = i32x4.add(c2b, i32x4.dot_i16x8_s(v, b));
    v = ld64splat(w3 + o);
    c3a = i32x4.add(c3a, i32x4.dot_i16x8_s(v, a)); c3b = i32x4.add(c3b, i32x4.dot_i16x8_s(v, b));
    x += plane;
  }
  const q = requantZc4x4(
    i32x4.add(pairSums(c0a, c1a, c2a, c3a, false), bv), i32x4.add(pairSums(c0a, c1a, c2a, c3a, true), bv),
    i32x4.add(pairSums(c0b, c1b, c2b, c3b, false), bv), i32x4.add(pairSums(c0b, c1b, c2b, c3b, true), bv),
    mv, loV, hiV, zV);
  stv(out, q);
}

/** nchw4: 4 channels x the one pixel at xp. */
@inline function tileNchw4x1(
  w: usize, ldw: usize, xp: usize, plane: usize, CB: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  let x = xp;
  const end = <usize>CB << 3;
  for (let o: usize = 0; o < end; o += 8) {
    const a = ld32splatWide(x);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(ld64splat(w + o), a));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(ld64splat(w1 + o), a));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(ld64splat(w2 + o), a));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(ld64splat(w3 + o), a));
    x += plane;
  }
  const q = requantZc4(i32x4.add(pairSums(c0, c1, c2, c3, false), bv), mv, loV, hiV, zV);
  sti32(out, i32x4.extract_lane(q, 0));
}

/** nc32hw32: 4 channels x pixels x0..x3 (input block 0; repeats allowed)
 *  over CB blocks (`last` 4-channel groups in the last one). Per group, the
 *  4 bytes of each pixel, interleaved by 32-bit lanes, give the pixel pairs
 *  (x0, x1) and (x2, x3), as in the nchw4 tile; outputs go to out0..out3. */
@inline function tileNc32x4(
  w: usize, ldw: usize, x0: usize, x1: usize, x2: usize, x3: usize, plane: usize, CB: i32, last: i32,
  bv: v128, mv: v128, loV: v128, hiV: v128, zV: v128, out0: usize, out1: usize, out2: usize, out3: usize,
): void {
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  let c0a = i32x4.splat(0), c0b = i32x4.splat(0), c1a = i32x4.splat(0), c1b = i32x4.splat(0);
  let c2a = i32x4.splat(0), c2b = i32x4.splat(0), c3a = i32x4.splat(0), c3b = i32x4.splat(0);
  // Blocks of 32 channels: 8 groups of 4 (`last` in the last block), one
  // group per iteration (one update of each accumulator per iteration).
  const d1 = x1 - x0, d2 = x2 - x0, d3 = x3 - x0;
  let xb = x0, wb: usize = 0;
  for (let b = 0; b < CB; b++) {
    const groups: i32 = b == CB - 1 ? last : 8;
    const end = xb + ((<usize>groups) << 2);
    for (let xs = xb; xs < end; xs += 4) {
      const a = i16x8.extend_low_i8x16_s(i32x4.shuffle(ld32z(xs), ld32z(xs + d1), 0, 4, 1, 5));
      const b = i16x8.extend_low_i8x16_s(i32x4.shuffle(ld32z(xs + d2), ld32z(xs + d3), 0, 4, 1, 5));
      let v = ld64splat(w + wb);
      c0a = i32x4.add(c0a, i32x4.dot_i16x8_s(v, a)); c0b = i32x4.add(c0b, i32x4.dot_i16x8_s(v, b));
      v = ld64splat(w1 + wb);
      c1a = i32x4.add(c1a, i32x4.dot_i16x8_s(v, a)); c1b = i32x4.add(c1b, i32x4.dot_i16x8_s(v, b));
      v = ld64splat(w2 + wb);
      c2a = i32x4.add(c2a, i32x4.dot_i16x8_s(v, a)); c2b = i32x4.add(c2b, i32x4.dot_i16x8_s(v, b));
      v = ld64splat(w3 + wb);
      c3a = i32x4.add(c3a, i32x4.dot_i16x8_s(v, a)); c3b = i32x4.add(c3b, i32x4.dot_i16x8_s(v, b));
      wb += 8;
    }
    xb += plane;
  }
  const q = requantZc4x4(
    i32x4.add(pairSums(c0a, c1a, c2a, c3a, false), bv), i32x4.add(pairSums(c0a, c1a, c2a, c3a, true), bv),
    i32x4.add(pairSums(c0b, c1b, c2b, c3b, false), bv), i32x4.add(pairSums(c0b, c1b, c2b, c3b, true), bv),
    mv, loV, hiV, zV);
  sti32(out0, i32x4.extract_lane(q, 0));
  sti32(out1, i32x4.extract_lane(q, 1));
  sti32(out2, i32x4.extract_lane(q, 2));
  sti32(out3, i32x4.extract_lane(q, 3));
}

@inline export function conv1x1S8(
  gs: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32,
  yZero: i32, lo: i32, hi: i32, y: usize,
): void {
  const G = 1 << gs;
  const P = H * W;
  const CBi = (C + G - 1) >> gs, CBo = (K + G - 1) >> gs, K4 = (K + 3) & ~3;
  const ldw = <usize>(CBi << gs) << 1;
  const plane = <usize>P << gs;
  // nc32hw32: 4-channel groups in the last (maybe partial) block.
  const last = (C - ((CBi - 1) << 5) + 3) >> 2;
  const loV = zcLo(yZero, lo), hiV = zcHi(yZero, hi), zV = zcZero(yZero);
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * CBi) * plane;
    const yn = y + <usize>(n * CBo) * plane;
    for (let p0 = 0; p0 < P; p0 += CONV1X1_PIXEL_CHUNK) {
      const pe = min(P, p0 + CONV1X1_PIXEL_CHUNK);
      for (let k = 0; k < K4; k += 4) {
        const wk = weights + <usize>k * ldw;
        const bv = ldv(bias + (<usize>k << 2)), mv = ldv(mult + (<usize>k << 2));
        const real = K - k;
        const lk = real >= 4 ? loV : zcMask(loV, real);
        const hk = real >= 4 ? hiV : zcMask(hiV, real);
        const zk = real >= 4 ? zV : zcZeroMask(zV, real);
        const ok = yn + chanByte(k, P, gs);
        let p = p0;
        if (gs == 2) {
          for (; p + 4 <= pe; p += 4) tileNchw4x4(wk, ldw, xn + (<usize>p << 2), plane, CBi, bv, mv, lk, hk, zk, ok + (<usize>p << 2));
          for (; p < pe; p++) tileNchw4x1(wk, ldw, xn + (<usize>p << 2), plane, CBi, bv, mv, lk, hk, zk, ok + (<usize>p << 2));
        } else {
          for (; p + 4 <= pe; p += 4) {
            const xp = xn + (<usize>p << 5), op = ok + (<usize>p << 5);
            tileNc32x4(wk, ldw, xp, xp + 32, xp + 64, xp + 96, plane, CBi, last, bv, mv, lk, hk, zk, op, op + 32, op + 64, op + 96);
          }
          if (p < pe) {
            // 1..3 pixels left: the last one repeated (same bytes, same place).
            const x0 = xn + (<usize>p << 5), x1 = xn + (<usize>min(p + 1, pe - 1) << 5), x2 = xn + (<usize>min(p + 2, pe - 1) << 5), x3 = xn + (<usize>(pe - 1) << 5);
            tileNc32x4(wk, ldw, x0, x1, x2, x3, plane, CBi, last, bv, mv, lk, hk, zk,
              ok + (x0 - xn), ok + (x1 - xn), ok + (x2 - xn), ok + (x3 - xn));
          }
        }
      }
    }
    zeroChannelsFrom(yn, P, gs, K, K4);
  }
}
