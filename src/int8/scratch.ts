// Scratch sizes of the int8 kernels (kernels never allocate; the host
// reserves scratch once). Must match assembly/int8/conv-core-s8.ts.
import { convPairsPerChannel, convRowBytes, convUsesPairs } from "./pack-conv.js";
import { ceilTo } from "./layout.js";

/** Output pixels gathered per chunk by the conv kernels (CONV_PIXEL_CHUNK). */
export const CONV_PIXEL_CHUNK = 16;

/** Scratch bytes for conv_nchw4_s8 / conv_nc32hw32_s8 with C input channels. */
export function convScratchBytes(C: number, kernel: number): number {
  const Kp = convRowBytes(C, kernel);
  // Pair path (assembly/int8/conv-pairs-s8.ts): per channel, rings of
  // kernel int16 R rows of (CHUNK-1)*8 + kernel + 1 columns rounded up to 8,
  // plus 8 (stride at most 8), and of kernel P and kernel H rows twice as wide;
  // then a table of one int32 per weight pair. Dot path: CHUNK gathered
  // rows of Kp int16.
  const pitchR = (ceilTo((CONV_PIXEL_CHUNK - 1) * 8 + kernel + 1, 8) + 8) * 2;
  return convUsesPairs(C, kernel)
    ? C * 5 * kernel * pitchR + 4 * C * convPairsPerChannel(kernel)
    : CONV_PIXEL_CHUNK * Kp * 2;
}
