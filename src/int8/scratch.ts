// Scratch sizes of the int8 kernels (kernels never allocate; the host
// reserves scratch once). Must match assembly/int8/conv-core-s8.ts.
import { convPairsPerChannel, convRowBytes, winoRing } from "./pack-conv.js";
import type { ConvPath } from "./kernel-config.js";
import { ceilTo, lanesOf, type Layout } from "./layout.js";
import { convgDepth } from "./pack-convg.js";
import { dwconvPairs } from "./pack-dwconv.js";
import type { ConvGeometry } from "./conv-geometry.js";

/** Output pixels gathered per chunk by the conv kernels (CONV_PIXEL_CHUNK). */
export const CONV_PIXEL_CHUNK = 16;

/** Output column pairs per chunk on the Winograd path (CONV_WINO_TILES). */
export const CONV_WINO_TILES = 8;

/** Scratch bytes for conv_nchw4_s8 / conv_nc32hw32_s8 with C input channels on `path`. */
export function convScratchBytes(C: number, kernel: number, path: ConvPath): number {
  const Kp = convRowBytes(C, kernel);
  // Pair path (assembly/int8/conv-pairs-s8.ts): per channel, rings of
  // kernel int16 R rows of (CHUNK-1)*8 + kernel + 1 columns rounded up to 8,
  // plus 8 (stride at most 8), and of kernel P and kernel H rows twice as wide;
  // then a table of one int32 per weight pair. Dot path: CHUNK gathered
  // rows of Kp int16; Winograd path (5x5, stride 1): input rings
  // [6][TILES][winoRing(C)] int16 and 6 x 32 bytes of sums.
  const pitchR = (ceilTo((CONV_PIXEL_CHUNK - 1) * 8 + kernel + 1, 8) + 8) * 2;
  if (path === "pairs") return C * 5 * kernel * pitchR + 4 * C * convPairsPerChannel(kernel);
  return path === "winograd" ? 6 * CONV_WINO_TILES * winoRing(C) * 2 + 6 * 32 : CONV_PIXEL_CHUNK * Kp * 2;
}

/** Output pixels gathered per chunk by convg (CONVG_PIXEL_CHUNK). */
export const CONVG_PIXEL_CHUNK = 16;

/** Output columns per band of dwconv (DW_BAND). */
export const DW_BAND = 64;

/** Scratch bytes for convg_nchw4_s8 / convg_nc32hw32_s8: CHUNK gathered
 *  rows of convgDepth int16, then 32 bytes of tile sums. */
export function convgScratchBytes(C: number, groups: number, kh: number, kw: number): number {
  return CONVG_PIXEL_CHUNK * convgDepth(C, groups, kh, kw) * 2 + 32;
}

/** Scratch bytes for dwconv_nchw4_s8 / dwconv_nc32hw32_s8 with output width
 *  Wo: the pair offset table (rounded to 16 bytes), then per group of 4
 *  channels of a layout block floor(kh/2) + kh%2 pair rows of `cols` columns
 *  of 16 bytes, then per group (kh - 1)*dh + 1 int16 input rows of cols + dw
 *  columns of 8 bytes; cols = (min(DW_BAND, Wo) - 1)*sw + (kw - 1)*dw + 1
 *  rounded up to even. */
export function dwconvScratchBytes(layout: Layout, g: ConvGeometry, Wo: number): number {
  const groups = lanesOf(layout) / 4;
  const pairRows = Math.floor(g.kh / 2) + (g.kh % 2);
  // Columns for whole 4-pixel quads (the fused 3x3 rows compute the band's last quad in full).
  const cols = ceilTo((ceilTo(Math.min(DW_BAND, Wo), 4) - 1) * g.sw + (g.kw - 1) * g.dw + 1, 2);
  const inputRows = (g.kh - 1) * g.dh + 1;
  return ceilTo(dwconvPairs(g.kh, g.kw) * 4, 16) + groups * (pairRows * cols * 16 + inputRows * (cols + g.dw) * 8);
}

/** Scratch floats for convg_nchw_f32: one group's im2col matrix. */
export function convgF32ScratchFloats(C: number, groups: number, kh: number, kw: number, Ho: number, Wo: number): number {
  return (C / groups) * kh * kw * Ho * Wo;
}
