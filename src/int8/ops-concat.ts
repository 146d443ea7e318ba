// Validated wrapper over concat_channels_{nchw4,nc32hw32}_s8: copies one input
// into its channels of the concatenation, requantized from its own (scale,
// zero point) to the output's (a plain copy when they are equal). Each call
// writes only channels [at, at + Ci) (and the output's padding lanes when it
// ends at Ctotal), so the inputs may be copied in any order.
import type { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import type { Layout } from "./layout.js";
import { scaleRatio, type QuantParams } from "./numerics.js";
import { checkInt, checkMultiplier, checkPtr, checkQuant, checkTensor, MAX_CHANNELS } from "./validate.js";

type Ptr = number;

export interface ConcatCall {
  x: Ptr; N: number; Ci: number; H: number; W: number;
  y: Ptr; Ctotal: number; at: number;
  qx: QuantParams; qy: QuantParams;
}

export function concatChannelsS8(k: Kernels, layout: Layout, a: ConcatCall): void {
  const op = `concat_channels_${layout}_s8`;
  checkTensor(op, a.N, a.Ci, a.H, a.W);
  checkInt(op, "Ctotal", a.Ctotal, a.Ci, MAX_CHANNELS);
  checkInt(op, "at", a.at, 0, a.Ctotal - a.Ci);
  checkQuant(op, "qx", a.qx);
  checkQuant(op, "qy", a.qy);
  const m = scaleRatio(a.qx.scale, a.qy.scale);
  checkMultiplier(op, "sx/sy", m);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  if (a.x === a.y) fail("BAD_ARGUMENT", `${op}: y: expected a buffer other than x`);
  const f = layout === "nchw4" ? k.exports.concat_channels_nchw4_s8 : k.exports.concat_channels_nc32hw32_s8;
  f(a.x, a.N, a.Ci, a.H, a.W, a.y, a.Ctotal, a.at, m, a.qx.zeroPoint, a.qy.zeroPoint);
}
