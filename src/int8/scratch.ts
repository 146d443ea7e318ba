// Scratch sizes of the int8 kernels (kernels never allocate; the host
// reserves scratch once). Must match assembly/int8/conv-core-s8.ts.
import { convRowBytes, convUsesPairs } from "./pack-conv.js";

/** Output pixels gathered per chunk by the conv kernels (CONV_PIXEL_CHUNK). */
export const CONV_PIXEL_CHUNK = 16;

/** Scratch bytes for conv_nchw4_s8 / conv_nc32hw32_s8 with C input channels. */
export function convScratchBytes(C: number, kernel: number): number {
  const Kp = convRowBytes(C, kernel);
  // Pair path: C*kernel int16 compact rows of up to (CHUNK-1)*8 + kernel + 1
  // columns (stride at most 8); dot path: CHUNK gathered rows of Kp int16.
  return convUsesPairs(C, kernel)
    ? C * kernel * ((CONV_PIXEL_CHUNK - 1) * 8 + kernel + 1) * 2
    : CONV_PIXEL_CHUNK * Kp * 2;
}
