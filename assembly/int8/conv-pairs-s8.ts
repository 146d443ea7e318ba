// Convolution for SHALLOW receptive fields (depth C*ks*ks up to the kernel
// config table's pairsMaxDepth, e.g. a first layer with 1..3 input channels), where
// per-pixel gathers and the dot-product tiles' horizontal reductions would
// cost more than the multiply-adds. Output channels sit in the vector lanes
// and no receptive field is gathered.
//
// The kernel window (ks x ks per channel) is cut into int16 PAIRS of taps:
// rows 2rp and 2rp+1 paired vertically (ks pairs per row pair) and, when ks
// is odd, the last row paired horizontally (taps 2kxp, 2kxp+1, ceil(ks/2)
// pairs, the tap past ks has weight 0): ceil(ks*ks/2) pairs per channel, e.g.
// 13 for 5x5. Weights are int16 pairs [(c, pair)][K4][2] in that order
// (src/int8/pack-conv.ts).
//
// Per band of up to CONV_PIXEL_CHUNK output columns, walking down the output
// rows, the scratch buffer holds per input channel three rings of ks rows,
// each input row built ONCE per band (zeros where the window leaves the
// image):
//
// * R rows: the band's columns of one input row, widened to int16;
// * P rows (vertical pairs): P[iy] column t is the int16 pair (x[iy][t],
//   x[iy+1][t]);
// * H rows (horizontal pairs): H[iy] column t is (x[iy][t], x[iy][t+1]).
//
// Per output row, a table of byte addresses gives, for every weight pair,
// where its input pair sits for the band's first pixel (a P or H row plus
// 4 bytes per column); pixel j is 4*j*stride bytes further. A tile then runs
// ONE flat loop over the pairs: i32x4.dot_i16x8_s(weights of 4 channels,
// splat(input pair)) adds w0*x0 + w1*x1 into each channel's lane.
// Requantization is requant.ts's; panels are 4..16 channels.
import { ldv, ldi8, stv, check } from "../mem";
import { zeroBytes } from "./mem-s8";

// The panels (4*g output channels x the band's pixels, 2 at a time, in ONE
// call, so the out-of-order core overlaps one pixel pair's requantization
// with the next pair's loop) are generated from templates/pair-panel.ts.in
// (gen/pair-panels-s8.ts). Pixel j's input pairs are 4*j*stride bytes
// (st4*j) past the table's addresses. tab: npairs int32 addresses (see
// above); w: the first pair's channels, ldw bytes between pairs. Channel
// group i of pixel j goes to out + j*Gu + i*gs.
export { pairPanel4, pairPanel8, pairPanel12, pairPanel16 } from "./gen/pair-panels-s8";

/** Bytes per R row slot (int16): (CHUNK-1)*8 + ks + 1 columns rounded up to
 *  8, plus 8 (P and H rows are built 8 columns at a time; H reads one column
 *  past). P and H slots are twice as wide. Must match src/int8/scratch.ts. */
@inline export function pairRowPitch(ks: i32, chunk: i32): i32 {
  return ((((chunk - 1) * 8 + ks + 1 + 7) & ~7) + 8) << 1;
}

/** Widens columns ix0 .. ix0+len-1 of input row iy of channel c into int16
 *  at d (zeros outside the image). */
@inline export function widenInputRow(
  G: i32, xn: usize, c: i32, H: i32, W: i32, iy: i32, ix0: i32, len: i32, d: usize,
): void {
  const a = max(0, -ix0);
  const b = min(len, W - ix0);
  if (iy < 0 || iy >= H || a >= b) {
    zeroBytes(d, len << 1);
    return;
  }
  const Gu = <usize>G;
  const src = xn + <usize>(c / G) * <usize>(H * W * G) + <usize>(c % G);
  if (a > 0) zeroBytes(d, a << 1);
  let s = src + <usize>iy * <usize>(W * G) + <usize>(ix0 + a) * Gu;
  let t = a;
  if (G == 4) {
    // 4 pixels per 16-byte load (lane c%4 of each), while the load stays
    // inside the row.
    const lane = c & 3;
    for (; t + 4 <= b; t += 4) {
      const v = ldv(s - <usize>lane);
      const e = i16x8.extend_low_i8x16_s(
        lane == 0 ? i8x16.shuffle(v, v, 0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        : lane == 1 ? i8x16.shuffle(v, v, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        : lane == 2 ? i8x16.shuffle(v, v, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        : i8x16.shuffle(v, v, 3, 7, 11, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
      check(d + (<usize>t << 1), 8);
      v128.store64_lane(d + (<usize>t << 1), e, 0);
      s += 16;
    }
  }
  for (; t < b; t++) {
    check(d + (<usize>t << 1), 2);
    store<i16>(d + (<usize>t << 1), <i16>ldi8(s));
    s += Gu;
  }
  if (b < len) zeroBytes(d + (<usize>b << 1), (len - b) << 1);
}

/** Pair row from two int16 rows: dst column t = (a[t], b[t]); n8 groups of
 *  8 columns (the rows' pitch covers them). */
@inline export function interleaveRows(a: usize, b: usize, dst: usize, n8: i32): void {
  for (let i = 0; i < n8; i++) {
    const o = <usize>i << 4;
    const u = ldv(a + o), v = ldv(b + o);
    stv(dst + (o << 1), i16x8.shuffle(u, v, 0, 8, 1, 9, 2, 10, 3, 11));
    stv(dst + (o << 1) + 16, i16x8.shuffle(u, v, 4, 12, 5, 13, 6, 14, 7, 15));
  }
}
