// INT8 numerics: the ONE requantization function (and the quantize step of
// the reformatters). docs/int8-numerics.md is the prose version; the scalar
// TypeScript twin is src/int8/numerics.ts. Every kernel that produces int8
// from an int32 accumulator goes through requant4 below.
//
// Requantization of an int32 accumulator `acc` (bias already added, int32
// wrap-around arithmetic) for output channel k:
//
//   out = clamp(nearest_f32(f32(acc) * m_k), relu ? 0 : -128, 127)
//
//   * m_k = f32(s_in * s_w[k] / s_out), computed ONCE on the host and passed
//     to the kernel as an f32 array (padding channels get m = 0, bias = 0,
//     hence output 0);
//   * f32(acc) is the round-to-nearest-even int32 -> f32 conversion
//     (f32x4.convert_i32x4_s), the product is one f32 multiply (f32x4.mul),
//     nearest_f32 rounds half to even, then the clamp to [-128, 127] (how
//     the SIMD code does the last two steps: below);
//   * the fused ReLU is a max with 0 after the clamp.
//
// In TypeScript: Math.fround(Math.fround(acc) * m), round half to even,
// clamp: bit-identical, because an f64 product of two f32 values is exact and
// rounding it once to f32 is the f32 multiply.
//
// Average pooling uses the same function with acc = the int32 window sum and
// m = f32(1 / (window * window)) (same scale in and out).
//
// Quantization of f32 x at scale s (reformatters): q = clamp(nearest_f32(
// f32(x / s)), -128, 127) with one f32 division; NaN maps to 0.

// SIMD implementation (bit-identical to the definition above, and cheaper
// than f32x4.nearest + i32x4.trunc_sat_f32x4_s, which V8 expands to ~8 x64
// instructions): f = f32(acc) * m; clamp f to [-128, 127] with f32x4.pmax /
// f32x4.pmin (single maxps / minps; clamping before rounding gives the same
// result as rounding then clamping, since -128 and 127 are integers); then
// s = f + 1.5 * 2^23 rounds f to the nearest integer r, ties to even (s lies
// in [2^23, 2^24), where the f32 spacing is 1, and the rounding mode is
// nearest-even), and s's bit pattern is 0x4B400000 + r: its LOW BYTE is r as
// an int8, which a byte shuffle collects. A NaN product (only possible with a
// non-finite multiplier, which the host never produces) passes pmax/pmin
// unchanged (operand order below) and its low byte is 0, as trunc_sat's 0.
const MAGIC: f32 = 12582912.0; // 1.5 * 2^23

/** 4 int32 accumulators -> 4 lanes whose low byte is the requantized int8. */
@inline function requantBits(acc: v128, mult: v128): v128 {
  let f = f32x4.mul(f32x4.convert_i32x4_s(acc), mult);
  f = f32x4.pmax(f, f32x4.splat(-128.0)); // f < -128 ? -128 : f (NaN stays)
  f = f32x4.pmin(f, f32x4.splat(127.0));  // 127 < f ? 127 : f (NaN stays)
  return f32x4.add(f, f32x4.splat(MAGIC));
}

/** Requantizes 4 int32 lanes with 4 f32 multipliers; returns 4 int8 in the low
 *  4 bytes of the result (other bytes: copies). */
@inline export function requant4(acc: v128, mult: v128, relu: bool): v128 {
  const i = requantBits(acc, mult);
  const b = i8x16.shuffle(i, i, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
  return relu ? i8x16.max_s(b, i8x16.splat(0)) : b;
}

/** Requantizes 2 x 4 int32 lanes (same 4 multipliers); bytes 0..3 hold the
 *  first vector's int8 results, bytes 4..7 the second's. */
@inline export function requant4x2(acc0: v128, acc1: v128, mult: v128, relu: bool): v128 {
  const b = i8x16.shuffle(requantBits(acc0, mult), requantBits(acc1, mult),
    0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  return relu ? i8x16.max_s(b, i8x16.splat(0)) : b;
}

/** Requantizes 16 int32 lanes (4 vectors, 4 multiplier vectors) into 16 int8. */
@inline export function requant16(
  a0: v128, a1: v128, a2: v128, a3: v128,
  m0: v128, m1: v128, m2: v128, m3: v128, relu: bool,
): v128 {
  const lo = i8x16.shuffle(requantBits(a0, m0), requantBits(a1, m1),
    0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  const hi = i8x16.shuffle(requantBits(a2, m2), requantBits(a3, m3),
    0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  const b = i64x2.shuffle(lo, hi, 0, 2);
  return relu ? i8x16.max_s(b, i8x16.splat(0)) : b;
}

/** Quantizes 4 f32 lanes at scale s (splatted in `scale`) to 4 int32 lanes
 *  already clamped to [-128, 127] (NaN -> 0). */
@inline export function quantize4(x: v128, scale: v128): v128 {
  const i = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(x, scale)));
  return i32x4.min_s(i32x4.max_s(i, i32x4.splat(-128)), i32x4.splat(127));
}

/** quantize4 with a zero point (splatted in `zero`): clamp(nearest(x / s) + z, -128, 127), NaN -> z. */
@inline export function quantize4z(x: v128, scale: v128, zero: v128): v128 {
  const i = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(x, scale))), zero);
  return i32x4.min_s(i32x4.max_s(i, i32x4.splat(-128)), i32x4.splat(127));
}

// ---- Epilogue with an output zero point and a clamp range (conv family) ----
//
//   out = clamp(nearest_f32(f32(acc) * m_k) + yZero, lo, hi),
//   -128 <= lo <= hi <= 127 (ReLU: lo = yZero; none: -128..127).
//
// yZero = 0 with lo = -128 (0 for ReLU), hi = 127 is requant4 exactly. The
// sum saturates AFTER the zero point is added, as QLinearConv does. SIMD: f =
// f32(acc) * m is clamped to [lo - yZero, hi - yZero] (integer bounds, so
// clamping before rounding is the same) and rounded by the 1.5 * 2^23
// addition, whose bit pattern is 0x4B400000 + r; subtracting 0x4B400000 -
// yZero as an int32 leaves r + yZero in [lo, hi] (adding yZero in f32 instead
// would round ties differently for an odd yZero), which two narrowing packs
// (never saturating here) turn into bytes: no shuffle masks. The epilogue
// vectors come from zcLo / zcHi / zcZero, one lane per channel; zcMask /
// zcZeroMask set the lanes of channels that are layout padding so that
// their output is exactly 0. (A NaN product, only possible with a non-finite
// multiplier, which the host never produces, gives 127.)

/** 4 int32 accumulators -> 4 int32 results in [lo, hi]. */
@inline function requantZcInt(acc: v128, mult: v128, lo: v128, hi: v128, zero: v128): v128 {
  let f = f32x4.mul(f32x4.convert_i32x4_s(acc), mult);
  f = f32x4.pmax(f, lo); // f < lo ? lo : f
  f = f32x4.pmin(f, hi); // hi < f ? hi : f
  return i32x4.sub(f32x4.add(f, f32x4.splat(MAGIC)), zero);
}

/** f32 lanes of lo - yZero (the lower clamp before the zero point). */
@inline export function zcLo(yZero: i32, lo: i32): v128 {
  return f32x4.splat(<f32>(lo - yZero));
}

/** f32 lanes of hi - yZero. */
@inline export function zcHi(yZero: i32, hi: i32): v128 {
  return f32x4.splat(<f32>(hi - yZero));
}

/** int32 lanes of 0x4B400000 - yZero (the bits of 1.5 * 2^23, less yZero). */
@inline export function zcZero(yZero: i32): v128 {
  return i32x4.splat(0x4B400000 - yZero);
}

/** zcLo / zcHi with the lanes of channels >= n (0..4) zeroed. */
@inline export function zcMask(v: v128, n: i32): v128 {
  return v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n)));
}

/** zcZero with the lanes of channels >= n (0..4) at yZero = 0. */
@inline export function zcZeroMask(z: v128, n: i32): v128 {
  return v128.bitselect(z, i32x4.splat(0x4B400000), i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n)));
}

/** 4 results in the low 4 bytes. */
@inline export function requantZc4(acc: v128, mult: v128, lo: v128, hi: v128, zero: v128): v128 {
  const r = requantZcInt(acc, mult, lo, hi, zero);
  const h = i16x8.narrow_i32x4_s(r, r);
  return i8x16.narrow_i16x8_s(h, h);
}

/** 2 x 4 results (same multipliers and bounds): bytes 0..3, then 4..7. */
@inline export function requantZc4x2(acc0: v128, acc1: v128, mult: v128, lo: v128, hi: v128, zero: v128): v128 {
  const h = i16x8.narrow_i32x4_s(requantZcInt(acc0, mult, lo, hi, zero), requantZcInt(acc1, mult, lo, hi, zero));
  return i8x16.narrow_i16x8_s(h, h);
}

/** 4 x 4 results, same multipliers and bounds for all four: 16 bytes. */
@inline export function requantZc4x4(
  a0: v128, a1: v128, a2: v128, a3: v128, mult: v128, lo: v128, hi: v128, zero: v128,
): v128 {
  return i8x16.narrow_i16x8_s(
    i16x8.narrow_i32x4_s(requantZcInt(a0, mult, lo, hi, zero), requantZcInt(a1, mult, lo, hi, zero)),
    i16x8.narrow_i32x4_s(requantZcInt(a2, mult, lo, hi, zero), requantZcInt(a3, mult, lo, hi, zero)));
}

// Zero points and affine outputs (issue 15: eltwise, concat, PRelu, scale-
// shift, pool2d, GAP). Each of those kernels computes one f32 value v per
// output (its formula: docs/int8-numerics.md) and stores
//
//   q = clamp(nearest_f32(v) + z_out, lo, hi)        (lo, hi within [-128, 127])
//
// SIMD: clamp v to [lo - z_out, hi - z_out] in f32 (integer bounds, so the
// same as clamping after rounding), add 1.5 * 2^23 (rounds half to even; the
// low byte is r), collect the bytes, then add z_out bytewise (r + z_out lies
// in [lo, hi]: no wrap).
// Rounding first and adding z_out as an integer matters: rounding v + z_out
// in f32 could break a tie the other way.

/** 4 f32 values -> 4 lanes whose low byte is q - z_out. loF, hiF: f32
 *  splats of lo - z_out and hi - z_out. */
@inline export function affineBits(v: v128, loF: v128, hiF: v128): v128 {
  let f = f32x4.pmax(v, loF); // v < lo' ? lo' : v
  f = f32x4.pmin(f, hiF);     // hi' < f ? hi' : f
  return f32x4.add(f, f32x4.splat(MAGIC));
}

/** 16 f32 values (4 vectors) -> 16 int8 q; zOut: bytes of z_out. */
@inline export function affine16(
  v0: v128, v1: v128, v2: v128, v3: v128, loF: v128, hiF: v128, zOut: v128,
): v128 {
  const lo = i8x16.shuffle(affineBits(v0, loF, hiF), affineBits(v1, loF, hiF),
    0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  const hi = i8x16.shuffle(affineBits(v2, loF, hiF), affineBits(v3, loF, hiF),
    0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  return i8x16.add(i64x2.shuffle(lo, hi, 0, 2), zOut);
}

/** 4 f32 values -> 4 int8 q in the low 4 bytes. */
@inline export function affine4(v: v128, loF: v128, hiF: v128, zOut: v128): v128 {
  const i = affineBits(v, loF, hiF);
  return i8x16.add(i8x16.shuffle(i, i, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12), zOut);
}
