// Validated wrappers over the int8 per-channel affine (standalone
// BatchNormalization) scale_shift_{nchw4,nc32hw32}_s8 and the data-movement
// kernels pad_constant_* and resize_nearest_* (values unchanged: y keeps x's
// scale and zero point; pad's value is an int8, x's zero point for ONNX's 0).
import type { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import { parseLayout, type Layout } from "./layout.js";
import type { PackedScaleShift } from "./channel-params.js";
import type { Pads } from "./pool-shapes.js";
import { checkClampRange, checkInt, checkPtr, checkTensor } from "./validate.js";
import type { UnaryCall } from "./ops-activation.js";

type Ptr = number;

/** y = a_c*x + b_c: v = f32(f32(mult_c*(x - zx)) + offset_c), y = clamp(nearest(v) + zy, lo, hi). */
export function scaleShiftS8(
  k: Kernels, packed: PackedScaleShift, dev: { mult: Ptr; offset: Ptr }, a: UnaryCall, lo = -128, hi = 127,
): void {
  const op = `scale_shift_${packed.layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.C !== packed.C) fail("BAD_ARGUMENT", `${op}: C: expected ${packed.C} (packed parameters), found ${a.C}`);
  checkClampRange(op, lo, hi);
  for (const [n, p] of [["x", a.x], ["y", a.y], ["mult", dev.mult], ["offset", dev.offset]] as const) checkPtr(op, n, p);
  const f = packed.layout === "nchw4" ? k.exports.scale_shift_nchw4_s8 : k.exports.scale_shift_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, dev.mult, dev.offset, packed.qx.zeroPoint, packed.qy.zeroPoint, lo, hi, a.y);
}

const MAX_SIDE = 1 << 16;

/** ONNX Pad, constant mode, pads [top, left, bottom, right] >= 0 on H and W. Returns [Ho, Wo]. */
export function padConstantS8(k: Kernels, layout: Layout, pads: Pads, value: number, a: UnaryCall): [number, number] {
  const op = `pad_constant_${parseLayout(layout)}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (!Array.isArray(pads) || pads.length !== 4) fail("BAD_ARGUMENT", `${op}: pads: expected [top, left, bottom, right], found ${JSON.stringify(pads)}`);
  ["top", "left", "bottom", "right"].forEach((name, i) => checkInt(op, name, pads[i]!, 0, MAX_SIDE));
  const Ho = a.H + pads[0] + pads[2], Wo = a.W + pads[1] + pads[3];
  checkInt(op, "H + top + bottom", Ho, 1, MAX_SIDE);
  checkInt(op, "W + left + right", Wo, 1, MAX_SIDE);
  checkInt(op, "value", value, -128, 127);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  if (a.x === a.y) fail("BAD_ARGUMENT", `${op}: y: expected a buffer other than x`);
  const f = layout === "nchw4" ? k.exports.pad_constant_nchw4_s8 : k.exports.pad_constant_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, pads[0], pads[1], pads[2], pads[3], value, a.y);
  return [Ho, Wo];
}

/** Nearest Resize by integer factors: y[oy][ox] = x[floor(oy/fh)][floor(ox/fw)]. Returns [Ho, Wo]. */
export function resizeNearestS8(k: Kernels, layout: Layout, fh: number, fw: number, a: UnaryCall): [number, number] {
  const op = `resize_nearest_${parseLayout(layout)}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  checkInt(op, "fh", fh, 1, MAX_SIDE);
  checkInt(op, "fw", fw, 1, MAX_SIDE);
  checkInt(op, "H * fh", a.H * fh, 1, MAX_SIDE);
  checkInt(op, "W * fw", a.W * fw, 1, MAX_SIDE);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  if (a.x === a.y) fail("BAD_ARGUMENT", `${op}: y: expected a buffer other than x`);
  const f = layout === "nchw4" ? k.exports.resize_nearest_nchw4_s8 : k.exports.resize_nearest_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, fh, fw, a.y);
  return [a.H * fh, a.W * fw];
}
