// Build-time packing of int8 fully connected weights for the fc kernels
// (assembly/int8/fc-core-s8.ts). The FC input is a 4-D [N, C, H, W] tensor in
// a blocked layout; its result must equal flattening the input in nchw order.
// So each weight row W[o][(c*H + h)*W + w] is permuted into the layout's byte
// order ((c/G)*H*W + h*W + w)*G + c%G, with zeros at padding channels; rows
// are padded to O4 = ceil(O/4)*4 (zero), bias and multipliers likewise.
import { type Layout, lanesOf, ceilTo } from "./layout.js";
import { padF32, padI32 } from "./pack-conv.js";

export interface PackedFc {
  layout: Layout;
  O: number;
  C: number;
  H: number;
  W: number;
  /** Bytes per packed weight row = bytes per image of the input. */
  Kl: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

/** Bytes of packed weights packFc produces for O outputs over a [C, H, W] input in `layout`. */
export function packedFcWeightBytes(O: number, C: number, H: number, W: number, layout: Layout): number {
  return ceilTo(O, 4) * ceilTo(C, lanesOf(layout)) * H * W * 2;
}

/** w: int8 [O][C*H*W] (Caffe InnerProduct order); bias int32 [O]; mult f32 [O]. */
export function packFc(
  w: Int8Array, bias: Int32Array, mult: Float32Array,
  O: number, C: number, H: number, W: number, layout: Layout,
): PackedFc {
  const G = lanesOf(layout);
  const Kl = ceilTo(C, G) * H * W;
  const O4 = ceilTo(O, 4);
  const HW = H * W;
  const I = C * HW;
  const weights16 = new Int16Array(O4 * Kl);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let p = 0; p < HW; p++) {
        weights16[o * Kl + (Math.floor(c / G) * HW + p) * G + (c % G)] = w[o * I + c * HW + p]!;
      }
  const weights = new Int8Array(weights16.buffer);
  return { layout, O, C, H, W, Kl, weights, bias: padI32(bias, O4), mult: padF32(mult, O4) };
}
