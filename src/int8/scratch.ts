// Scratch sizes of the int8 kernels (kernels never allocate; the host
// reserves scratch once). Must match assembly/int8/conv-core-s8.ts.
import { convPacksWinograd, convPairsPerChannel, convRowBytes, convUsesPairs, winoRing } from "./pack-conv.js";
import { ceilTo } from "./layout.js";

/** Output pixels gathered per chunk by the conv kernels (CONV_PIXEL_CHUNK). */
export const CONV_PIXEL_CHUNK = 16;

/** Output column pairs per chunk on the Winograd path (CONV_WINO_TILES). */
export const CONV_WINO_TILES = 8;

/** Scratch bytes for conv_nchw4_s8 / conv_nc32hw32_s8 with C input channels. */
export function convScratchBytes(C: number, kernel: number): number {
  const Kp = convRowBytes(C, kernel);
  // Pair path (assembly/int8/conv-pairs-s8.ts): per channel, rings of
  // kernel int16 R rows of (CHUNK-1)*8 + kernel + 1 columns rounded up to 8,
  // plus 8 (stride at most 8), and of kernel P and kernel H rows twice as wide;
  // then a table of one int32 per weight pair. Dot path: CHUNK gathered
  // rows of Kp int16; Winograd path (5x5, stride 1): input rings
  // [6][TILES][winoRing(C)] int16 and 6 x 32 bytes of sums.
  const pitchR = (ceilTo((CONV_PIXEL_CHUNK - 1) * 8 + kernel + 1, 8) + 8) * 2;
  return convUsesPairs(C, kernel)
    ? C * 5 * kernel * pitchR + 4 * C * convPairsPerChannel(kernel)
    : Math.max(CONV_PIXEL_CHUNK * Kp * 2, convPacksWinograd(C, kernel) ? 6 * CONV_WINO_TILES * winoRing(C) * 2 + 6 * 32 : 0);
}
