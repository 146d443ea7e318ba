// Helpers of the issue-15 int8 kernel tests: both wasm builds (debug:
// every access bounds-checked; release: the optimized code), random (scale,
// zero point), blocked tensors in and out of the arena.
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import type { Rng } from "../../src/util/rng.js";
import { blockedBytes, lanesOf, nonZeroPadding, packBlocked, unpackBlocked, type Layout } from "../../src/int8/layout.js";
import type { QuantParams } from "../../src/int8/numerics.js";
import { debugKernels, dirtyPadding, garbageOut, putI8 } from "./helpers.js";

let release: Kernels | undefined;

export function builds(): [string, Kernels][] {
  release ??= loadKernels("release");
  return [["debug", debugKernels()], ["release", release]];
}

/** A random scale and a zero point in -zMax..zMax (0 when zMax = 0). */
export function randomQuant(rng: Rng, zMax = 40): QuantParams {
  return { scale: Math.fround(rng.uniform(0.002, 0.05)), zeroPoint: Math.round(rng.uniform(-zMax, zMax)) };
}

export const pick = <T>(rng: Rng, a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;

/** A blocked copy of nchw int8 x in the arena; `dirty`: padding lanes set to 77. */
export function putBlocked(k: Kernels, x: Int8Array, N: number, C: number, H: number, W: number, layout: Layout, dirty = false): number {
  const b = packBlocked(x, N, C, H, W, layout);
  return putI8(k, dirty ? dirtyPadding(b, N, C, H, W, lanesOf(layout)) : b);
}

/** An output buffer of a blocked [N, C, H, W], prefilled with garbage. */
export function outBlocked(k: Kernels, N: number, C: number, H: number, W: number, layout: Layout): number {
  return garbageOut(k, blockedBytes(N, C, H, W, layout));
}

/** The nchw values of a blocked tensor in the arena, and its non-zero padding bytes. */
export function readBlocked(k: Kernels, p: number, N: number, C: number, H: number, W: number, layout: Layout): { y: Int8Array; badPadding: number } {
  const b = k.arena.i8(p, blockedBytes(N, C, H, W, layout)).slice();
  return { y: unpackBlocked(b, N, C, H, W, layout), badPadding: nonZeroPadding(b, N, C, H, W, layout) };
}
