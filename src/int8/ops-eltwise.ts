// Validated wrappers over the int8 elementwise kernels add_s8 / sub_s8 /
// mul_s8 (assembly/int8/eltwise-s8.ts): the multipliers come from the
// operands' and the output's scales here (numerics.ts), the zero points and
// the clamp [lo, hi] (a fused ReLU: lo = zy) pass through.
import type { Kernels } from "../runtime/kernels.js";
import { BROADCAST_CODE, type Broadcast } from "./broadcast.js";
import { lanesOf, parseLayout, type Layout } from "./layout.js";
import { mulMultiplier, scaleRatio, type QuantParams } from "./numerics.js";
import { checkClampRange, checkMultiplier, checkPtr, checkQuant, checkTensor } from "./validate.js";
import { fail } from "../errors.js";

type Ptr = number;

export interface EltwiseCall {
  a: Ptr; b: Ptr; y: Ptr;
  N: number; C: number; H: number; W: number;
  broadcast: Broadcast;
  qa: QuantParams; qb: QuantParams; qy: QuantParams;
  /** Output clamp, default -128..127. */
  lo?: number; hi?: number;
}

function check(op: string, layout: Layout, a: EltwiseCall): [number, number] {
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (!(a.broadcast in BROADCAST_CODE)) fail("BAD_ARGUMENT", `${op}: broadcast: expected one of ${Object.keys(BROADCAST_CODE).join(", ")}, found ${String(a.broadcast)}`);
  parseLayout(layout);
  checkQuant(op, "qa", a.qa);
  checkQuant(op, "qb", a.qb);
  checkQuant(op, "qy", a.qy);
  const lo = a.lo ?? -128, hi = a.hi ?? 127;
  checkClampRange(op, lo, hi);
  checkPtr(op, "a", a.a);
  checkPtr(op, "b", a.b);
  checkPtr(op, "y", a.y);
  return [lo, hi];
}

function addOrSub(k: Kernels, sub: boolean, layout: Layout, a: EltwiseCall): void {
  const op = `${sub ? "sub" : "add"}_s8 (${layout})`;
  const [lo, hi] = check(op, layout, a);
  const ma = scaleRatio(a.qa.scale, a.qy.scale), mb = scaleRatio(a.qb.scale, a.qy.scale);
  checkMultiplier(op, "sa/sy", ma);
  checkMultiplier(op, "sb/sy", mb);
  const f = sub ? k.exports.sub_s8 : k.exports.add_s8;
  f(a.a, a.b, a.N, a.C, a.H, a.W, lanesOf(layout), BROADCAST_CODE[a.broadcast], ma, a.qa.zeroPoint, mb, a.qb.zeroPoint, a.qy.zeroPoint, lo, hi, a.y);
}

/** y = a + b: v = f32(f32(ma*(a-za)) + f32(mb*(b-zb))), y = clamp(nearest(v) + zy, lo, hi). */
export function addS8(k: Kernels, layout: Layout, a: EltwiseCall): void {
  addOrSub(k, false, layout, a);
}

/** y = a - b: add with mb negated. */
export function subS8(k: Kernels, layout: Layout, a: EltwiseCall): void {
  addOrSub(k, true, layout, a);
}

/** y = a * b: v = f32(m*((a-za)*(b-zb))), m = f32(sa*sb/sy). */
export function mulS8(k: Kernels, layout: Layout, a: EltwiseCall): void {
  const op = `mul_s8 (${layout})`;
  const [lo, hi] = check(op, layout, a);
  const m = mulMultiplier(a.qa.scale, a.qb.scale, a.qy.scale);
  checkMultiplier(op, "sa*sb/sy", m);
  k.exports.mul_s8(a.a, a.b, a.N, a.C, a.H, a.W, lanesOf(layout), BROADCAST_CODE[a.broadcast], m, a.qa.zeroPoint, a.qb.zeroPoint, a.qy.zeroPoint, lo, hi, a.y);
}
