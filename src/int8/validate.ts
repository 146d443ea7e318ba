// Host-side argument checks for the int8 kernels: the kernels trust their
// arguments, so everything is validated here, within the DLA limits TensorRT
// documents (kernel 1..32, stride 1..8, pooling window 1..8, pooling stride
// 1..16, at most 8192 channels). Errors name the parameter, expected, found.
import { fail } from "../errors.js";

export const MAX_CHANNELS = 8192;

export function checkInt(op: string, name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    fail("BAD_ARGUMENT", `${op}: ${name}: expected an integer in ${lo}..${hi}, found ${v}`);
  }
}

export function checkTensor(op: string, N: number, C: number, H: number, W: number): void {
  checkInt(op, "N", N, 1, 1 << 20);
  checkInt(op, "C", C, 1, MAX_CHANNELS);
  checkInt(op, "H", H, 1, 1 << 16);
  checkInt(op, "W", W, 1, 1 << 16);
}

export function checkPtr(op: string, name: string, p: number): void {
  if (!Number.isInteger(p) || p <= 0) fail("BAD_ARGUMENT", `${op}: ${name}: expected a pointer into the arena, found ${p}`);
}

export function checkScale(op: string, name: string, s: number): void {
  if (!(Number.isFinite(s) && s > 0)) fail("BAD_ARGUMENT", `${op}: ${name}: expected a finite scale > 0, found ${s}`);
}

/** Output size of a convolution (floor), failing if the kernel does not fit. */
export function convOutputSize(op: string, H: number, W: number, kernel: number, stride: number, pad: number): [number, number] {
  checkInt(op, "kernel", kernel, 1, 32);
  checkInt(op, "stride", stride, 1, 8);
  checkInt(op, "pad", pad, 0, kernel - 1);
  const Ho = Math.floor((H + 2 * pad - kernel) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - kernel) / stride) + 1;
  if (Ho < 1 || Wo < 1) {
    fail("BAD_ARGUMENT", `${op}: kernel: expected at most ${Math.min(H, W) + 2 * pad} for input ${H}x${W} with pad ${pad}, found ${kernel}`);
  }
  return [Ho, Wo];
}

/** Output size of a pooling (floor, no padding). */
export function poolOutputSize(op: string, H: number, W: number, window: number, stride: number): [number, number] {
  checkInt(op, "window", window, 1, 8);
  checkInt(op, "stride", stride, 1, 16);
  if (window > H || window > W) {
    fail("BAD_ARGUMENT", `${op}: window: expected at most ${Math.min(H, W)} for input ${H}x${W}, found ${window}`);
  }
  return [Math.floor((H - window) / stride) + 1, Math.floor((W - window) / stride) + 1];
}

/** An int8 tensor's (scale, zero point): scale a finite f32 > 0, zero point an integer in -128..127. */
export function checkQuant(op: string, name: string, q: { scale: number; zeroPoint: number } | undefined): void {
  if (q === null || typeof q !== "object") fail("BAD_ARGUMENT", `${op}: ${name}: expected { scale, zeroPoint }, found ${String(q)}`);
  checkScale(op, `${name}.scale`, q.scale);
  checkInt(op, `${name}.zeroPoint`, q.zeroPoint, -128, 127);
}

/** An int8 output clamp: -128 <= lo <= hi <= 127. */
export function checkClampRange(op: string, lo: number, hi: number): void {
  checkInt(op, "lo", lo, -128, 127);
  checkInt(op, "hi", hi, lo, 127);
}

/** A host-computed f32 multiplier or offset: finite, |m| <= 2^64 (so every
 *  kernel value v stays finite). */
export function checkMultiplier(op: string, name: string, m: number): void {
  if (!(Number.isFinite(m) && Math.abs(m) <= 2 ** 64)) fail("BAD_ARGUMENT", `${op}: ${name}: expected a finite multiplier of magnitude <= 2^64, found ${m}`);
}
