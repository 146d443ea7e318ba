// Validated wrappers over the general int8 pooling pool2d_{nchw4,nc32hw32}_s8
// and global average pooling gap_{nchw4,nc32hw32}_s8. Max keeps x's scale and
// zero point; average requantizes to qy with ratio = f32(sx/sy) and
// m = f32(ratio / f32(count)) (docs/int8-numerics.md "Pool2d").
import type { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import { parseLayout, type Layout } from "./layout.js";
import { scaleRatio, type QuantParams } from "./numerics.js";
import { checkPool2d, type Pool2dGeometry } from "./pool-shapes.js";
import { checkMultiplier, checkPtr, checkQuant, checkTensor } from "./validate.js";

type Ptr = number;

export type PoolMethod = "max" | "average";

export interface Pool2dCall {
  x: Ptr; N: number; C: number; H: number; W: number; y: Ptr;
  geometry: Pool2dGeometry;
  method: PoolMethod;
  /** Average only: count padding taps (ONNX count_include_pad). */
  countIncludePad?: boolean;
  qx: QuantParams;
  /** Average only (max keeps qx). */
  qy?: QuantParams;
}

/** Returns [Ho, Wo]. */
export function pool2dS8(k: Kernels, layout: Layout, a: Pool2dCall): [number, number] {
  const op = `pool2d_${parseLayout(layout)}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  const out = checkPool2d(op, a.H, a.W, a.geometry);
  if (a.method !== "max" && a.method !== "average") fail("BAD_ARGUMENT", `${op}: method: expected "max" or "average", found ${String(a.method)}`);
  checkQuant(op, "qx", a.qx);
  const qy = a.method === "max" ? a.qx : a.qy;
  if (a.method === "max" && a.qy !== undefined && (a.qy.scale !== a.qx.scale || a.qy.zeroPoint !== a.qx.zeroPoint)) {
    fail("BAD_ARGUMENT", `${op}: qy: max pooling keeps x's scale and zero point, found a different qy`);
  }
  checkQuant(op, "qy", qy);
  const ratio = scaleRatio(a.qx.scale, qy!.scale);
  checkMultiplier(op, "sx/sy", ratio);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const g = a.geometry;
  const f = layout === "nchw4" ? k.exports.pool2d_nchw4_s8 : k.exports.pool2d_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, g.kh, g.kw, g.sh, g.sw, g.pads[0], g.pads[1], g.pads[2], g.pads[3], g.ceilMode ? 1 : 0,
    a.method === "max" ? 0 : 1, a.countIncludePad ? 1 : 0, ratio, a.qx.zeroPoint, qy!.zeroPoint, a.y);
  return out;
}

export interface GapCall {
  x: Ptr; N: number; C: number; H: number; W: number; y: Ptr;
  qx: QuantParams; qy: QuantParams;
}

/** Largest H*W: the int32 sum of (x - zx) stays exact and f32(H*W) is exact. */
export const MAX_GAP_PIXELS = 1 << 23;

/** y [N, C, 1, 1] in x's layout. */
export function gapS8(k: Kernels, layout: Layout, a: GapCall): void {
  const op = `gap_${parseLayout(layout)}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.H * a.W > MAX_GAP_PIXELS) fail("BAD_ARGUMENT", `${op}: H*W: expected at most ${MAX_GAP_PIXELS}, found ${a.H * a.W}`);
  checkQuant(op, "qx", a.qx);
  checkQuant(op, "qy", a.qy);
  const ratio = scaleRatio(a.qx.scale, a.qy.scale);
  checkMultiplier(op, "sx/sy", ratio);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const f = layout === "nchw4" ? k.exports.gap_nchw4_s8 : k.exports.gap_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, ratio, a.qx.zeroPoint, a.qy.zeroPoint, a.y);
}
