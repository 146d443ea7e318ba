// Which variant of a kernel family a layer runs, decided here once per
// device (its layout), as XNNPACK's gemm-config.c picks microkernels per
// ISA: the packing (pack-conv.ts), the scratch sizes (scratch.ts), the plan
// check (pack-check.ts), the plan file (stored-weights.ts) and the lowering
// read the choice from this table, and the kernels take it as an argument
// and never re-derive it (assembly/int8/conv-core-s8.ts).
import type { Layout } from "./layout.js";
import type { Isa } from "../runtime/isa.js";

/** The convolution kernel's paths: gathered receptive fields x int16 GEMM tiles; channels in lanes with int16 tap pairs; 1-D Winograd F(2,5). */
export type ConvPath = "gather" | "pairs" | "winograd";

/** The path argument of conv_nchw4_s8 / conv_nc32hw32_s8. */
export const CONV_PATH_CODE: Record<ConvPath, number> = { gather: 0, pairs: 1, winograd: 2 };

/**
 * Largest receptive-field depth 25C of the Winograd path: an exactness bound,
 * not a tuning choice (24 * depth * 2^14 < 2^31; assembly/int8/conv-wino-s8.ts).
 */
export const WINOGRAD_MAX_DEPTH = 5460;

interface ConvConfig {
  /**
   * Receptive fields up to this depth C*k*k take the pairs path (a first
   * layer with 1..3 channels; on the GPU also 16-channel 3x3 layers, depth
   * 144, which ran 7-10% faster there than gathered in ResNet and SqueezeNet,
   * interleaved A/B in one process; on the DLA's nc32hw32 the same change
   * made ResNet 10-30% slower), where gathers and the tiles' reductions
   * would cost more than the multiply-adds.
   */
  pairsMaxDepth: number;
  /** 5x5 stride-1 kernels up to this depth 25C take the Winograd path (at most WINOGRAD_MAX_DEPTH). */
  winogradMaxDepth: number;
}

/** The table: the GPU (nchw4) and the DLA (nc32hw32). */
export const KERNEL_CONFIG: Record<Layout, { conv: ConvConfig }> = {
  nchw4: { conv: { pairsMaxDepth: 160, winogradMaxDepth: WINOGRAD_MAX_DEPTH } },
  nc32hw32: { conv: { pairsMaxDepth: 64, winogradMaxDepth: WINOGRAD_MAX_DEPTH } },
};

/** The path of a kernel x kernel convolution over C channels at `stride` on the device of `layout`. */
export function convPath(layout: Layout, C: number, kernel: number, stride: number): ConvPath {
  const c = KERNEL_CONFIG[layout].conv;
  const depth = C * kernel * kernel;
  if (depth <= c.pairsMaxDepth) return "pairs";
  if (kernel === 5 && stride === 1 && depth <= Math.min(c.winogradMaxDepth, WINOGRAD_MAX_DEPTH)) return "winograd";
  return "gather";
}

/**
 * The fully connected kernel's weight elements per instruction set: the
 * SIMD128 tiles multiply int16 rows (i32x4.dot_i16x8_s), the relaxed build's
 * int8 rows of the same values (i32x4.relaxed_dot_i8x16_i7x16_add_s). Plans
 * hold the int16 packing; a relaxed device gets it narrowed at upload.
 */
export const FC_WEIGHTS: Record<Isa, "int16" | "int8"> = { simd128: "int16", relaxed: "int8" };
