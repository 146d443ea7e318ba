// Convolution with a 5x5 kernel at stride 1 (e.g. LeNet's conv2) by 1-D
// Winograd F(2,5) along x: per (input channel, kernel row), two adjacent
// outputs of a 5-tap correlation take 6 multiplies instead of 10, so the
// GEMMs do 60% of the direct method's multiply-adds. Exact integer
// arithmetic throughout, hence bit-identical to the direct sum:
//
//   24 * [y(2T), y(2T+1)] = A^T [ (G' g) . (B^T d) ]   (per channel and row)
//
// with d = the 6 inputs at columns 2T-pad .. 2T+5-pad, g = the 5 taps, and
//   G' (weights, host side) rows: [1,0,0,0,0] [1,1,1,1,1] [1,-1,1,-1,1]
//       [1,2,4,8,16] [1,-2,4,-8,16] [0,0,0,0,1]   (|U| <= 31*128, int16)
//   B^T (inputs, here) rows: [4,0,-5,0,1,0] [0,-4,-4,1,1,0] [0,4,-4,-1,1,0]
//       [0,-2,-1,2,1,0] [0,2,-1,-2,1,0] [0,4,0,-5,0,1]   (|V| <= 10*128, int16)
//   A^T (outputs) rows: [6,-4,-4,1,1,0] [0,-4,4,2,-2,24].
//
// Summed over channels and kernel rows, M_e = sum U_e * V_e is one int16 GEMM
// per Winograd point e (depth order (ky, c), channels padded to C4 =
// ceil(C/4)*4). All sums are int32 wrap-around, i.e. exact modulo 2^32;
// since |24 * y| <= 24 * 25C * 128 * 128 < 2^31 when 25C <=
// CONV_WINO_MAX_DEPTH, the combination is exactly 24 * y, and y = (Y >> 3) *
// inverse(3) mod 2^32 recovers y exactly. Then y + bias and the usual
// requantization (requant.ts).
//
// Per chunk of CONV_WINO_TILES output column pairs, walking down the output
// rows, each input row is transformed ONCE into a ring of 5 rows kept twice
// (slots m and m+5, m = iy mod 5), so an output row's 5 kernel rows are
// contiguous: per (e, tile) the ring holds 10 slots of C4 int16, and the
// GEMM reads Dw = ceil(5*C4/8)*8 of them from the window's first slot
// (channel lanes past C and the elements past 5*C4 meet zero weights).
//
// weights (after the direct path's [K4][Kp] int16 rows, at wu): U as
//   [6][K4][Dw] int16, zero at padding channels and past 5*C4;
// scratch: the ring [6][CONV_WINO_TILES][RV] int16, RV = 10*C4 + 8, then
//   6 * 32 bytes of sums.
import { ldv, sti32 } from "../mem";
import { ld32z, st64low } from "./mem-s8";
import { tile4x2s16sums } from "./gemm-s8";
import { requant4x2 } from "./requant";

/** Largest receptive-field depth 25C of the Winograd path
 *  (24 * depth * 2^14 < 2^31). */
export const CONV_WINO_MAX_DEPTH: i32 = 5460;
/** Output tile pairs (2 output columns each) per chunk of an output row. */
export const CONV_WINO_TILES: i32 = 8;

@inline export function winoDepth(C: i32): i32 {
  return (5 * ((C + 3) & ~3) + 7) & ~7;
}

/** Int16 elements per (e, tile) ring: 10 slots of C4, plus 8, rounded up
 *  to 8. */
@inline export function winoRing(C: i32): i32 {
  return (10 * ((C + 3) & ~3) + 8 + 7) & ~7;
}

/** 4 channels (c0..c0+3; lanes past C meet zero weights) at column ix of
 *  an input row (xc: its channel c0 at column 0), widened to int16 in lanes
 *  0..3; 0 outside the row. */
@inline function px4(xc: usize, W: i32, G: i32, ix: i32): v128 {
  if (ix < 0 || ix >= W) return i32x4.splat(0);
  return i16x8.extend_low_i8x16_s(ld32z(xc + <usize>(ix * G)));
}

@inline function mul4(v: v128): v128 { return i16x8.shl(v, 2); }
@inline function mul2(v: v128): v128 { return i16x8.shl(v, 1); }

/** Transforms input row iy (all channels) for tiles t0 .. t0+tc-1 into ring
 *  slots m and m + 5. */
@inline function transformRow(
  G: i32, gs: i32, xn: usize, C: i32, H: i32, W: i32, pad: i32, iy: i32,
  t0: i32, tc: i32, ring: usize, planeV: usize, ldr: usize, m: usize,
): void {
  const C4 = (C + 3) & ~3;
  const slot = <usize>C4 << 1;
  const dup = <usize>5 * slot;
  const plane = <usize>(H * W * G);
  const rowIn = iy >= 0 && iy < H;
  for (let t = 0; t < tc; t++) {
    const ix0 = 2 * (t0 + t) - pad;
    let d = ring + <usize>t * ldr + m * slot;
    if (!rowIn) {
      for (let c0 = 0; c0 < C; c0 += 4) {
        const z = i32x4.splat(0);
        for (let e = 0; e < 6; e++) {
          const q = d + <usize>e * planeV;
          st64low(q, z);
          st64low(q + dup, z);
        }
        d += 8;
      }
      continue;
    }
    const inside = ix0 >= 0 && ix0 + 6 <= W;
    for (let c0 = 0; c0 < C; c0 += 4) {
      const xc = xn + <usize>(c0 >> gs) * plane + <usize>(c0 & (G - 1)) + <usize>(iy * W * G);
      let d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128;
      if (inside) {
        const p = xc + <usize>(ix0 * G);
        const Gu = <usize>G;
        d0 = i16x8.extend_low_i8x16_s(ld32z(p));
        d1 = i16x8.extend_low_i8x16_s(ld32z(p + Gu));
        d2 = i16x8.extend_low_i8x16_s(ld32z(p + 2 * Gu));
        d3 = i16x8.extend_low_i8x16_s(ld32z(p + 3 * Gu));
        d4 = i16x8.extend_low_i8x16_s(ld32z(p + 4 * Gu));
        d5 = i16x8.extend_low_i8x16_s(ld32z(p + 5 * Gu));
      } else {
        d0 = px4(xc, W, G, ix0); d1 = px4(xc, W, G, ix0 + 1); d2 = px4(xc, W, G, ix0 + 2);
        d3 = px4(xc, W, G, ix0 + 3); d4 = px4(xc, W, G, ix0 + 4); d5 = px4(xc, W, G, ix0 + 5);
      }
      const s12 = i16x8.add(d1, d2), m12 = i16x8.sub(d1, d2);
      const s34 = i16x8.add(d3, d4), m43 = i16x8.sub(d4, d3);
      const m42 = i16x8.sub(d4, d2), m31 = i16x8.sub(d3, d1);
      const v0 = i16x8.add(i16x8.sub(mul4(d0), i16x8.add(mul4(d2), d2)), d4);
      const v1 = i16x8.sub(s34, mul4(s12));
      const v2 = i16x8.add(m43, mul4(m12));
      const v3 = i16x8.add(m42, mul2(m31));
      const v4 = i16x8.sub(m42, mul2(m31));
      const v5 = i16x8.add(i16x8.sub(mul4(d1), i16x8.add(mul4(d3), d3)), d5);
      st64low(d, v0); st64low(d + dup, v0);
      st64low(d + planeV, v1); st64low(d + planeV + dup, v1);
      st64low(d + 2 * planeV, v2); st64low(d + 2 * planeV + dup, v2);
      st64low(d + 3 * planeV, v3); st64low(d + 3 * planeV + dup, v3);
      st64low(d + 4 * planeV, v4); st64low(d + 4 * planeV + dup, v4);
      st64low(d + 5 * planeV, v5); st64low(d + 5 * planeV + dup, v5);
      d += 8;
    }
  }
}

export function convWinoS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  wu: usize, bias: usize, mult: usize, K: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const gs = G == 4 ? 2 : 5;
  const Ho = H + 2 * pad - 4;
  const Wo = W + 2 * pad - 4;
  const P = Ho * Wo;
  const CBi = (C + G - 1) >> gs;
  const CBo = (K + G - 1) >> gs;
  const K4 = (K + 3) & ~3;
  const C4 = (C + 3) & ~3;
  const Dw = winoDepth(C);
  const ldw = <usize>Dw << 1;             // bytes per U row
  const ldr = <usize>winoRing(C) << 1;    // bytes per (e, tile) ring
  const planeU = <usize>K4 * ldw;         // bytes per Winograd point in U
  const planeV = <usize>CONV_WINO_TILES * ldr;
  const sums = scratch + 6 * planeV;      // 6 x (2 x 4 int32)
  const Tn = (Wo + 1) >> 1;               // tiles (output column pairs) per row
  const Gu = <usize>G;
  const inv3 = i32x4.splat(0xAAAAAAAB);
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * CBi * H * W * G);
    const yn = y + <usize>(n * CBo * P * G);
    for (let t0 = 0; t0 < Tn; t0 += CONV_WINO_TILES) {
      const tc = min(CONV_WINO_TILES, Tn - t0);
      let next = -pad; // next input row to transform
      for (let oy = 0; oy < Ho; oy++) {
        const lo = oy - pad;
        for (let iy = max(next, lo); iy < lo + 5; iy++) {
          transformRow(G, gs, xn, C, H, W, pad, iy, t0, tc, scratch, planeV, ldr, <usize>(((iy % 5) + 5) % 5));
        }
        next = lo + 5;
        const win = <usize>((((lo % 5) + 5) % 5) * C4) << 1; // window's first slot
        // Six GEMMs per (4 channels, 2 tiles), the output transform, requant.
        const orow = yn + <usize>(oy * Wo) * Gu;
        for (let kg = 0; kg < K4; kg += 4) {
          const wk = wu + <usize>kg * ldw;
          const bv = ldv(bias + (<usize>kg << 2));
          const mv = ldv(mult + (<usize>kg << 2));
          const ob = orow + <usize>((((kg >> gs) * P) << gs) + (kg & (G - 1)));
          for (let t = 0; t < tc; t += 2) {
            const xa = scratch + <usize>t * ldr + win;
            const xb = t + 1 < tc ? xa + ldr : xa;
            for (let e = 0; e < 6; e++) {
              tile4x2s16sums(wk + <usize>e * planeU, ldw, xa + <usize>e * planeV, xb + <usize>e * planeV, Dw, sums + (<usize>e << 5));
            }
            for (let h = 0; h < 2 && t + h < tc; h++) {
              const s = sums + (<usize>h << 4);
              const M0 = ldv(s), M1 = ldv(s + 32), M2 = ldv(s + 64);
              const M3 = ldv(s + 96), M4 = ldv(s + 128), M5 = ldv(s + 160);
              // Y0 = 6M0 - 4(M1 + M2) + M3 + M4; Y1 = 4(M2 - M1) + 2(M3 - M4) + 24 M5
              const Y0 = i32x4.add(
                i32x4.sub(i32x4.mul(M0, i32x4.splat(6)), i32x4.shl(i32x4.add(M1, M2), 2)),
                i32x4.add(M3, M4));
              const Y1 = i32x4.add(
                i32x4.add(i32x4.shl(i32x4.sub(M2, M1), 2), i32x4.shl(i32x4.sub(M3, M4), 1)),
                i32x4.mul(M5, i32x4.splat(24)));
              const y0 = i32x4.add(i32x4.mul(i32x4.shr_s(Y0, 3), inv3), bv);
              const y1 = i32x4.add(i32x4.mul(i32x4.shr_s(Y1, 3), inv3), bv);
              const q = requant4x2(y0, y1, mv, relu);
              const ox = 2 * (t0 + t + h);
              const o = ob + <usize>ox * Gu;
              sti32(o, i32x4.extract_lane(q, 0));
              if (ox + 1 < Wo) sti32(o + Gu, i32x4.extract_lane(q, 1));
            }
          }
        }
      }
    }
  }
}
