// INT8 numerics, host side: the one definition shared by the scalar
// references, the weight/bias packing and the tests. The wasm twin of
// `requantize` is assembly/int8/requant.ts; docs/int8-numerics.md explains
// both. All scales are f32 values (Math.fround).

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** Round half to even of a finite number (NaN stays NaN). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // half rounds toward +Infinity
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** q = clamp(round_half_even(f32(x / scale)), -128, 127); NaN -> 0.
 *  x and scale are f32 values, so Math.fround(x / scale) is the f32 division. */
export function quantize(x: number, scale: number): number {
  const r = roundHalfEven(Math.fround(x / scale));
  return Number.isNaN(r) ? 0 : clamp(r, -128, 127);
}

/** x = f32(q) * scale, one f32 multiply. */
export function dequantize(q: number, scale: number): number {
  return Math.fround(q * scale);
}

/**
 * THE requantization: int32 accumulator (bias included) -> int8 at the
 * output scale, optional fused ReLU:
 *   out = clamp(nearest_f32(f32(acc) * m), relu ? 0 : -128, 127)
 * with m = requantMultiplier(...) an f32. Bit-identical to the wasm SIMD
 * sequence convert_i32x4_s, mul, nearest, trunc_sat, saturating narrows.
 */
export function requantize(acc: number, m: number, relu: boolean): number {
  const v = roundHalfEven(Math.fround(Math.fround(acc) * m));
  return clamp(v, relu ? 0 : -128, 127);
}

/** m_k = f32(s_in * s_w[k] / s_out), computed once on the host. */
export function requantMultiplier(sIn: number, sW: number, sOut: number): number {
  return Math.fround((sIn * sW) / sOut);
}

/** Average pooling's multiplier: f32(1 / (window * window)). */
export function avgPoolMultiplier(window: number): number {
  return Math.fround(1 / (window * window));
}

/** Activation scale from a calibrated |x| maximum: f32(amax / 127). */
export function activationScale(amax: number): number {
  return amax > 0 ? Math.fround(amax / 127) : 1;
}

/** int32 wrap-around addition, as the kernels' i32 arithmetic. */
export function addI32(a: number, b: number): number {
  return (a + b) | 0;
}

export interface QuantizedWeights {
  /** int8 weights, same shape and order as the f32 input: [K][rest]. */
  q: Int8Array;
  /** Per-output-channel scales s_w[k] = f32(max|W_k| / 127), 1 if W_k is all zero. */
  scales: Float32Array;
}

/** Per-output-channel symmetric quantization of weights [K][perChannel]. */
export function quantizeWeights(w: Float32Array, K: number): QuantizedWeights {
  const per = w.length / K;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    let amax = 0;
    for (let i = 0; i < per; i++) amax = Math.max(amax, Math.abs(w[k * per + i]!));
    const s = amax > 0 ? Math.fround(amax / 127) : 1;
    scales[k] = s;
    for (let i = 0; i < per; i++) q[k * per + i] = quantize(w[k * per + i]!, s);
  }
  return { q, scales };
}

/** Bias at scale s_in * s_w[k]: round_half_even(b / (s_in * s_w[k])) clamped to int32. */
export function quantizeBias(b: Float32Array, sIn: number, wScales: Float32Array): Int32Array {
  const out = new Int32Array(b.length);
  for (let k = 0; k < b.length; k++) {
    const v = roundHalfEven(b[k]! / (sIn * wScales[k]!));
    out[k] = Number.isNaN(v) ? 0 : clamp(v, I32_MIN, I32_MAX);
  }
  return out;
}

/** Requantization multipliers m_k for every output channel. */
export function requantMultipliers(sIn: number, wScales: Float32Array, sOut: number): Float32Array {
  const m = new Float32Array(wScales.length);
  for (let k = 0; k < m.length; k++) m[k] = requantMultiplier(sIn, wScales[k]!, sOut);
  return m;
}

/**
 * The conv family's epilogue (assembly/int8/requant.ts requantZc*): the
 * requantization above with an output zero point and a clamp range,
 *   out = clamp(nearest_f32(f32(acc) * m) + yZero, lo, hi),
 * -128 <= lo <= hi <= 127. yZero = 0, lo = relu ? 0 : -128, hi = 127 gives
 * `requantize` exactly.
 */
export function requantizeZc(acc: number, m: number, yZero: number, lo: number, hi: number): number {
  return clamp(roundHalfEven(Math.fround(Math.fround(acc) * m)) + yZero, lo, hi);
}

export type ClampKind = "none" | "relu" | "relu6";

/** [lo, hi] of requantizeZc for an activation fused after a layer whose
 *  output has scale sy and zero point yZero. */
export function clampRange(kind: ClampKind, yZero: number, sy: number): [number, number] {
  if (kind === "none") return [-128, 127];
  const lo = clamp(yZero, -128, 127);
  if (kind === "relu") return [lo, 127];
  return [lo, clamp(yZero + roundHalfEven(6 / sy), lo, 127)];
}

// ---- Issue 15: zero points on every input and output (eltwise, concat,
// PRelu, scale-shift, pool2d, GAP; docs/int8-numerics.md). Each op computes
// one f32 value v per output, rounding every f32 step with Math.fround
// exactly where the wasm kernel rounds, then requantizeAffine. ----

/** (scale, zero point) of an int8 tensor: real = scale * (q - zeroPoint). */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export function symmetricQuant(scale: number): QuantParams {
  return { scale, zeroPoint: 0 };
}

/** q = clamp(round_half_even(v) + zOut, lo, hi); v an f32 value. requantizeZc
 *  is this with v = f32(f32(acc) * m). */
export function requantizeAffine(v: number, zOut: number, lo = -128, hi = 127): number {
  return clamp(roundHalfEven(v) + zOut, lo, hi);
}

/** f32(sFrom / sTo): the multiplier taking values at scale sFrom to sTo. */
export function scaleRatio(sFrom: number, sTo: number): number {
  return Math.fround(sFrom / sTo);
}

/** Add: v = f32(f32(ma * (a - za)) + f32(mb * (b - zb))); Sub passes -mb. */
export function addValue(a: number, za: number, ma: number, b: number, zb: number, mb: number): number {
  return Math.fround(Math.fround(ma * (a - za)) + Math.fround(mb * (b - zb)));
}

/** Mul's multiplier f32(sa * sb / sy). */
export function mulMultiplier(sa: number, sb: number, sy: number): number {
  return Math.fround((sa * sb) / sy);
}

/** Mul: v = f32(m * ((a - za) * (b - zb))) (the integer product is exact in f32). */
export function mulValue(a: number, za: number, b: number, zb: number, m: number): number {
  return Math.fround(m * ((a - za) * (b - zb)));
}

/** Concat's requantization: v = f32(m * (x - zx)), m = scaleRatio(sx, sy). */
export function rescaleValue(x: number, zx: number, m: number): number {
  return Math.fround(m * (x - zx));
}

/** Average pooling / GAP: m = f32(ratio / f32(count)), ratio = scaleRatio(sx, sy). */
export function averageMultiplier(ratio: number, count: number): number {
  return Math.fround(ratio / count);
}

/** Average pooling / GAP: v = f32(f32(acc) * m), acc = sum of (x - zx) over the counted input taps. */
export function averageValue(acc: number, m: number): number {
  return Math.fround(Math.fround(acc) * m);
}

/** PRelu: v = f32((x >= zx ? mPos : mNeg) * (x - zx)), mPos = f32(sx/sy), mNeg = preluMultiplier. */
export function preluValue(x: number, zx: number, mPos: number, mNeg: number): number {
  return Math.fround((x >= zx ? mPos : mNeg) * (x - zx));
}

/** PRelu's negative-side multiplier f32(slope * sx / sy). */
export function preluMultiplier(slope: number, sx: number, sy: number): number {
  return Math.fround((slope * sx) / sy);
}

/** Scale-shift (y = a*x + b per channel): v = f32(f32(m * (x - zx)) + d),
 *  m = f32(a * sx / sy), d = f32(b / sy) (scaleShiftParams). */
export function scaleShiftValue(x: number, zx: number, m: number, d: number): number {
  return Math.fround(Math.fround(m * (x - zx)) + d);
}

export function scaleShiftParams(a: number, b: number, sx: number, sy: number): { m: number; d: number } {
  return { m: Math.fround((a * sx) / sy), d: Math.fround(b / sy) };
}

/** Quantize with a zero point: clamp(round_half_even(f32(x / s)) + z, -128, 127); NaN -> z. */
export function quantizeZp(x: number, s: number, z: number): number {
  const r = roundHalfEven(Math.fround(x / s));
  return Number.isNaN(r) ? z : clamp(r + z, -128, 127);
}

/** Dequantize with a zero point: f32((q - z) * s). */
export function dequantizeZp(q: number, s: number, z: number): number {
  return Math.fround((q - z) * s);
}
