// Per-channel f32 parameters of the int8 PRelu and scale-shift kernels,
// packed on the host: ceil(C/G)*G entries, zero past C (src/runtime/kernel-abi.ts),
// computed from the FP32 parameters and the (scale, zero point) of x and y
// (numerics.ts preluMultiplier, scaleShiftParams).
import { fail } from "../errors.js";
import type { Kernels } from "../runtime/kernels.js";
import { ceilTo, lanesOf, parseLayout, type Layout } from "./layout.js";
import { preluMultiplier, scaleRatio, scaleShiftParams, type QuantParams } from "./numerics.js";
import { checkInt, checkMultiplier, checkQuant, MAX_CHANNELS } from "./validate.js";

export interface PackedPrelu {
  layout: Layout; C: number;
  /** The (scale, zero point) of x and y the multipliers were computed for. */
  qx: QuantParams; qy: QuantParams;
  /** f32(sx/sy), the multiplier of x >= zx. */
  mPos: number;
  /** f32(slope_c * sx / sy) per channel, padded. */
  mNeg: Float32Array;
}

export interface PackedScaleShift {
  layout: Layout; C: number;
  qx: QuantParams; qy: QuantParams;
  /** f32(a_c * sx / sy) per channel, padded. */
  mult: Float32Array;
  /** f32(b_c / sy) per channel, padded. */
  offset: Float32Array;
}

function checkChannels(op: string, layout: Layout, C: number, arrays: [string, Float32Array][]): number {
  parseLayout(layout);
  checkInt(op, "C", C, 1, MAX_CHANNELS);
  for (const [name, a] of arrays) {
    if (!(a instanceof Float32Array) || a.length !== C) fail("BAD_ARGUMENT", `${op}: ${name}: expected a Float32Array of ${C} values, found ${a instanceof Float32Array ? a.length : typeof a}`);
  }
  return ceilTo(C, lanesOf(layout));
}

export function packPrelu(slopes: Float32Array, layout: Layout, qx: QuantParams, qy: QuantParams): PackedPrelu {
  const op = "packPrelu";
  const CP = checkChannels(op, layout, slopes.length, [["slopes", slopes]]);
  checkQuant(op, "qx", qx);
  checkQuant(op, "qy", qy);
  const mPos = scaleRatio(qx.scale, qy.scale);
  checkMultiplier(op, "sx/sy", mPos);
  const mNeg = new Float32Array(CP);
  slopes.forEach((s, c) => {
    mNeg[c] = preluMultiplier(s, qx.scale, qy.scale);
    checkMultiplier(op, `slope[${c}]*sx/sy`, mNeg[c]!);
  });
  return { layout, C: slopes.length, qx, qy, mPos, mNeg };
}

/** y = a_c * x + b_c per channel (a standalone BatchNormalization: a = gamma/sqrt(var+eps), b = beta - mean*a). */
export function packScaleShift(a: Float32Array, b: Float32Array, layout: Layout, qx: QuantParams, qy: QuantParams): PackedScaleShift {
  const op = "packScaleShift";
  const CP = checkChannels(op, layout, a.length, [["a", a], ["b", b]]);
  checkQuant(op, "qx", qx);
  checkQuant(op, "qy", qy);
  const mult = new Float32Array(CP), offset = new Float32Array(CP);
  for (let c = 0; c < a.length; c++) {
    const { m, d } = scaleShiftParams(a[c]!, b[c]!, qx.scale, qy.scale);
    checkMultiplier(op, `a[${c}]*sx/sy`, m);
    checkMultiplier(op, `b[${c}]/sy`, d);
    mult[c] = m;
    offset[c] = d;
  }
  return { layout, C: a.length, qx, qy, mult, offset };
}

/** Copies f32 values into a new arena buffer; returns its pointer. */
export function uploadF32(k: Kernels, a: Float32Array): number {
  const p = k.arena.allocF32(a.length);
  k.arena.f32(p, a.length).set(a);
  return p;
}
