// Pooling geometry shared by the FP32 and int8 pool2d / GAP wrappers and
// references; the wasm twin is assembly/pool-geometry.ts. Output size as
// ONNX defines it: floor or ceil((size + padBegin + padEnd - k) / s) + 1, and
// with ceil_mode a last window that would start past the input and its begin
// padding is dropped (it must start inside the input or the left/top pad).
import { fail } from "../errors.js";
import { checkInt } from "./validate.js";

/** ONNX order: [top, left, bottom, right]. */
export type Pads = readonly [number, number, number, number];

export interface Pool2dGeometry {
  kh: number; kw: number;
  sh: number; sw: number;
  pads: Pads;
  ceilMode: boolean;
}

export function pooledSize(size: number, k: number, s: number, padBegin: number, padEnd: number, ceilMode: boolean): number {
  const span = size + padBegin + padEnd - k;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + padBegin) out--;
  return out;
}

/** [Ho, Wo] of a pooling (no checks; see checkPool2d). */
export function pool2dOutputSize(
  H: number, W: number, kh: number, kw: number, sh: number, sw: number, pads: Pads, ceilMode: boolean,
): [number, number] {
  return [pooledSize(H, kh, sh, pads[0], pads[2], ceilMode), pooledSize(W, kw, sw, pads[1], pads[3], ceilMode)];
}

/** Taps of a window starting at `start` that average pooling counts: inside
 *  the padded input when count_include_pad (taps past the end padding, which
 *  ceil_mode can reach, are not counted), else inside the input. */
export function windowCount(start: number, k: number, size: number, padEnd: number, includePad: boolean): number {
  return includePad ? Math.min(start + k, size + padEnd) - start : Math.min(start + k, size) - Math.max(start, 0);
}

/** Kernel 1..255 (global pooling of planes up to 255 wide; the int8 kernels
 *  sum a kernel row in int16) and stride 1..32 per axis, each pad 0..k-1 (so every window
 *  holds an input tap), the window within the padded input. Returns [Ho, Wo]. */
export function checkPool2d(op: string, H: number, W: number, g: Pool2dGeometry): [number, number] {
  checkInt(op, "kh", g.kh, 1, 255);
  checkInt(op, "kw", g.kw, 1, 255);
  checkInt(op, "sh", g.sh, 1, 32);
  checkInt(op, "sw", g.sw, 1, 32);
  if (!Array.isArray(g.pads) || g.pads.length !== 4) fail("BAD_ARGUMENT", `${op}: pads: expected [top, left, bottom, right], found ${JSON.stringify(g.pads)}`);
  const names = ["padTop", "padLeft", "padBottom", "padRight"] as const;
  g.pads.forEach((p, i) => checkInt(op, names[i]!, p, 0, (i % 2 === 0 ? g.kh : g.kw) - 1));
  if (typeof g.ceilMode !== "boolean") fail("BAD_ARGUMENT", `${op}: ceilMode: expected a boolean, found ${String(g.ceilMode)}`);
  if (H + g.pads[0] + g.pads[2] < g.kh || W + g.pads[1] + g.pads[3] < g.kw) {
    fail("BAD_ARGUMENT", `${op}: kernel: expected at most ${H + g.pads[0] + g.pads[2]}x${W + g.pads[1] + g.pads[3]} (the padded input), found ${g.kh}x${g.kw}`);
  }
  return pool2dOutputSize(H, W, g.kh, g.kw, g.sh, g.sw, g.pads, g.ceilMode);
}
