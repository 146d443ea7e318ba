// Geometry and epilogue of the general convolutions (convg, dwconv,
// conv1x1; FP32 convg): per-axis kernel, stride, dilation and asymmetric
// pads, and the int8 epilogue (input zero point as pad fill, output zero
// point and clamp range). Checks for the host wrappers.
import { fail } from "../errors.js";
import { checkInt } from "./validate.js";

export interface ConvGeometry {
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
}

/** Int8 epilogue: padding taps read xZero; y = clamp(requant(acc) + yZero, lo, hi). */
export interface ConvEpilogue {
  xZero: number; yZero: number; lo: number; hi: number;
}

export const SYMMETRIC: ConvEpilogue = { xZero: 0, yZero: 0, lo: -128, hi: 127 };

/** A square kernel with equal strides, no dilation and the same pad on every side. */
export function squareGeometry(kernel: number, stride = 1, pad = 0, dilation = 1): ConvGeometry {
  return { kh: kernel, kw: kernel, sh: stride, sw: stride, dh: dilation, dw: dilation, padTop: pad, padLeft: pad, padBottom: pad, padRight: pad };
}

/** Output size (floor); may be < 1 for a window larger than the padded input. */
export function convgOutputSize(H: number, W: number, g: ConvGeometry): [number, number] {
  const Ho = Math.floor((H + g.padTop + g.padBottom - ((g.kh - 1) * g.dh + 1)) / g.sh) + 1;
  const Wo = Math.floor((W + g.padLeft + g.padRight - ((g.kw - 1) * g.dw + 1)) / g.sw) + 1;
  return [Ho, Wo];
}

/** Kernel 1..32, stride 1..8, dilation 1..32 per axis, each pad 0..(dilated
 *  kernel - 1), and an output of at least 1x1. */
export function checkGeometry(op: string, H: number, W: number, g: ConvGeometry): [number, number] {
  checkInt(op, "kh", g.kh, 1, 32);
  checkInt(op, "kw", g.kw, 1, 32);
  checkInt(op, "sh", g.sh, 1, 8);
  checkInt(op, "sw", g.sw, 1, 8);
  checkInt(op, "dh", g.dh, 1, 32);
  checkInt(op, "dw", g.dw, 1, 32);
  const eh = (g.kh - 1) * g.dh + 1, ew = (g.kw - 1) * g.dw + 1;
  checkInt(op, "padTop", g.padTop, 0, eh - 1);
  checkInt(op, "padBottom", g.padBottom, 0, eh - 1);
  checkInt(op, "padLeft", g.padLeft, 0, ew - 1);
  checkInt(op, "padRight", g.padRight, 0, ew - 1);
  const [Ho, Wo] = convgOutputSize(H, W, g);
  if (Ho < 1 || Wo < 1) {
    fail("BAD_ARGUMENT", `${op}: kernel: expected a dilated window of at most ${H + g.padTop + g.padBottom}x${W + g.padLeft + g.padRight} for input ${H}x${W} with its pads, found ${eh}x${ew}`);
  }
  return [Ho, Wo];
}

export function checkEpilogue(op: string, e: ConvEpilogue): void {
  checkInt(op, "xZero", e.xZero, -128, 127);
  checkInt(op, "yZero", e.yZero, -128, 127);
  checkInt(op, "lo", e.lo, -128, 127);
  checkInt(op, "hi", e.hi, e.lo, 127);
}
