// Channel concatenation, int8 blocked layouts: copies x [N, Ci, H, W] into
// channels [at, at + Ci) of y [N, Ctotal, H, W], optionally requantizing from
// x's (scale, zero point) to y's: v = f32(m * (x - zx)), m = f32(sx/sy),
// q = clamp(nearest(v) + zy, -128, 127) (docs/int8-numerics.md "Concat").
// Each call writes exactly its own channels, plus y's padding lanes (zeros)
// when it ends at Ctotal, so the inputs of one concat can be copied in any
// order. When at % G != 0 the lanes shift: output block cbo takes lanes
// l < s (s = at % G) from input block cbo - at/G - 1 and lanes l >= s from
// block cbo - at/G, gathered with byte swizzles (an index >= 16 gives 0).
import { ldv, stv, ldi32, sti32 } from "../mem";
import { copyBytes, ld32z } from "./mem-s8";
import { affine16 } from "./requant";
import { centeredF32, boundF32 } from "./lanes-s8";

@inline function iota(): v128 {
  return i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

// Lanes of a 16-byte chunk within the block (G = 4: iota & 3; G = 32: iota + 16*half).
@inline function chunkLanes(G: i32, half: i32): v128 {
  return G == 4 ? v128.and(iota(), i8x16.splat(3)) : i8x16.add(iota(), i8x16.splat(<i8>(half << 4)));
}

// 0xFF where lo <= lane < hi.
@inline function laneRange(lanes: v128, lo: i32, hi: i32): v128 {
  return v128.and(
    i8x16.ge_s(lanes, i8x16.splat(<i8>lo)),
    i8x16.lt_s(lanes, i8x16.splat(<i8>hi)));
}

// Swizzle indices gathering output lanes from a source chunk: byte j of the
// output takes source byte j + shift where `take` is set, else 0 (index 0x80).
@inline function gatherIndex(take: v128, shift: i32): v128 {
  return v128.bitselect(i8x16.add(iota(), i8x16.splat(<i8>shift)), i8x16.splat(-128), take);
}

@inline function requant16(v: v128, m: v128, zx: v128, loF: v128, hiF: v128, zy: v128): v128 {
  return affine16(
    f32x4.mul(centeredF32(v, 0, zx), m), f32x4.mul(centeredF32(v, 1, zx), m),
    f32x4.mul(centeredF32(v, 2, zx), m), f32x4.mul(centeredF32(v, 3, zx), m), loF, hiF, zy);
}

@inline function concat(
  G: i32, x: usize, N: i32, Ci: i32, H: i32, W: i32, y: usize, Ctotal: i32, at: i32,
  m: f32, zx: i32, zy: i32,
): void {
  const identity = m == 1 && zx == zy;
  const HW = H * W;
  const bytes = HW * G;
  const CBi = (Ci + G - 1) / G, CBo = (Ctotal + G - 1) / G;
  const ka = at / G, s = at - ka * G;
  const mV = f32x4.splat(m), zxV = i32x4.splat(zx), zyV = i8x16.splat(<i8>zy);
  const loF = boundF32(-128, zy), hiF = boundF32(127, zy);
  const end = at + Ci;
  const cbEnd = (end + G - 1) / G;
  // Source offsets of each output chunk's lanes, per source chunk. G = 4:
  // A = the previous input block (lanes < s), B = this one (lanes >= s), the
  // same pixel. G = 32, half h: A0, A1, B0, B1 = the two halves of A and B.
  const l0 = chunkLanes(G, 0), l1 = chunkLanes(G, 1);
  const fromA0 = i8x16.lt_s(l0, i8x16.splat(<i8>s)), fromA1 = i8x16.lt_s(l1, i8x16.splat(<i8>s));
  const notA0 = v128.not(fromA0), notA1 = v128.not(fromA1);
  // G = 4: the whole output chunk from one gather of A and one of B.
  const gA = gatherIndex(fromA0, G - s), gB = gatherIndex(notA0, -s);
  // G = 32: output half h byte j = lane L = j + 16h; from B byte L - s, from A byte L - s + 32.
  const hA00 = gatherIndex(fromA0, 32 - s), hA01 = gatherIndex(fromA0, 16 - s);
  const hB00 = gatherIndex(notA0, -s), hB01 = gatherIndex(notA0, -s - 16);
  const hA10 = gatherIndex(fromA1, 48 - s), hA11 = gatherIndex(fromA1, 32 - s);
  const hB10 = gatherIndex(notA1, 16 - s), hB11 = gatherIndex(notA1, -s);
  for (let n = 0; n < N; n++) {
    for (let cbo = ka; cbo < cbEnd; cbo++) {
      const base = cbo * G;
      const first = max(0, at - base);
      const real = min(G, end - base);
      const last = end == Ctotal && cbo == CBo - 1 ? G : real;
      const py = y + <usize>((n * CBo + cbo) * bytes);
      const ib = cbo - ka;
      const pB = x + <usize>((n * CBi + min(ib, CBi - 1)) * bytes);
      const pA = ib >= 1 ? x + <usize>((n * CBi + ib - 1) * bytes) : pB;
      if (identity && s == 0 && first == 0 && real == G) {
        copyBytes(pB, py, bytes);
        continue;
      }
      // Written lanes: [first, last); those >= real become 0 (y's padding).
      const w0 = laneRange(l0, first, last), w1 = laneRange(l1, first, last);
      const r0 = laneRange(l0, first, real), r1 = laneRange(l1, first, real);
      if (G == 4) {
        let i = 0;
        for (; i + 16 <= bytes; i += 16) {
          const o = <usize>i;
          let v = v128.or(i8x16.swizzle(ldv(pA + o), gA), i8x16.swizzle(ldv(pB + o), gB));
          if (!identity) v = requant16(v, mV, zxV, loF, hiF, zyV);
          stv(py + o, v128.bitselect(v128.and(v, r0), ldv(py + o), w0));
        }
        for (; i < bytes; i += 4) {
          const o = <usize>i;
          let v = v128.or(i8x16.swizzle(ld32z(pA + o), gA), i8x16.swizzle(ld32z(pB + o), gB));
          if (!identity) v = requant16(v, mV, zxV, loF, hiF, zyV);
          sti32(py + o, i32x4.extract_lane(v128.bitselect(v128.and(v, r0), ld32z(py + o), w0), 0));
        }
        continue;
      }
      for (let i = 0; i < bytes; i += 32) {
        const o = <usize>i;
        const a0 = ldv(pA + o), a1 = ldv(pA + o + 16), b0 = ldv(pB + o), b1 = ldv(pB + o + 16);
        let v0 = v128.or(
          v128.or(i8x16.swizzle(a0, hA00), i8x16.swizzle(a1, hA01)),
          v128.or(i8x16.swizzle(b0, hB00), i8x16.swizzle(b1, hB01)));
        let v1 = v128.or(
          v128.or(i8x16.swizzle(a0, hA10), i8x16.swizzle(a1, hA11)),
          v128.or(i8x16.swizzle(b0, hB10), i8x16.swizzle(b1, hB11)));
        if (!identity) {
          v0 = requant16(v0, mV, zxV, loF, hiF, zyV);
          v1 = requant16(v1, mV, zxV, loF, hiF, zyV);
        }
        stv(py + o, v128.bitselect(v128.and(v0, r0), ldv(py + o), w0));
        stv(py + o + 16, v128.bitselect(v128.and(v1, r1), ldv(py + o + 16), w1));
      }
    }
  }
}

export function concat_channels_nchw4_s8(
  x: usize, N: i32, Ci: i32, H: i32, W: i32, y: usize, Ctotal: i32, at: i32, m: f32, zx: i32, zy: i32,
): void {
  concat(4, x, N, Ci, H, W, y, Ctotal, at, m, zx, zy);
}

export function concat_channels_nc32hw32_s8(
  x: usize, N: i32, Ci: i32, H: i32, W: i32, y: usize, Ctotal: i32, at: i32, m: f32, zx: i32, zy: i32,
): void {
  concat(32, x, N, Ci, H, W, y, Ctotal, at, m, zx, zy);
}
