// Build-time packing for the pointwise int8 convolution conv1x1_*_s8
// (assembly/int8/conv1x1-core-s8.ts): int16 little-endian rows
// [ceil(K/4)*4][ceil(C/G)*G] in input channel order (G = 4 or 32 lanes of
// the layout), zero at padding channels and padding rows; bias and
// multipliers padded to ceil(K/4)*4 with zeros.
import { type Layout, ceilTo, lanesOf } from "./layout.js";
import { padF32, padI32 } from "./pack-conv.js";

export interface PackedConv1x1 {
  layout: Layout;
  K: number; C: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

export function packedConv1x1WeightBytes(K: number, C: number, layout: Layout): number {
  return ceilTo(K, 4) * ceilTo(C, lanesOf(layout)) * 2;
}

/** w: int8 [K][C] (or [K][C][1][1]); bias int32 [K]; mult f32 [K]. */
export function packConv1x1(w: Int8Array, bias: Int32Array, mult: Float32Array, K: number, C: number, layout: Layout): PackedConv1x1 {
  const K4 = ceilTo(K, 4), Cp = ceilTo(C, lanesOf(layout));
  const rows = new Int16Array(K4 * Cp);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++) rows[k * Cp + c] = w[k * C + c]!;
  return { layout, K, C, weights: new Int8Array(rows.buffer), bias: padI32(bias, K4), mult: padF32(mult, K4) };
}
