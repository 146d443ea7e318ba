// Build-time packing for the general int8 convolution convg_*_s8
// (assembly/int8/convg-core-s8.ts): groups, any kh x kw. Per group g (input
// channels g*Cg .. g*Cg+Cg-1, output channels g*Kg .. g*Kg+Kg-1), rows of
// Kg4 = ceil(Kg/4)*4 output channels (padding rows zero), each a dense vector
// in the kernel's gather order: for each run of the group's channels inside
// one block of the layout (G = 4 or 32 lanes), ky, kx, then the run's
// channels; zero-padded to Dg = ceil(Cg*kh*kw/8)*8 elements, stored as
// int16 little-endian: weights [groups][Kg4][Dg]. Bias and multipliers are
// [groups][Kg4], zero at padding rows.
import { type Layout, lanesOf, ceilTo } from "./layout.js";

export interface PackedConvg {
  layout: Layout;
  K: number; C: number; groups: number; kh: number; kw: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

/** Int16 elements per packed row: Cg*kh*kw rounded up to 8. */
export function convgDepth(C: number, groups: number, kh: number, kw: number): number {
  return ceilTo((C / groups) * kh * kw, 8);
}

/** Bytes of packConvg's weights. */
export function packedConvgWeightBytes(K: number, C: number, groups: number, kh: number, kw: number): number {
  return groups * ceilTo(K / groups, 4) * convgDepth(C, groups, kh, kw) * 2;
}

/** w: int8 [K][C/groups][kh][kw] (PyTorch order); bias int32 [K]; mult f32 [K]. */
export function packConvg(
  w: Int8Array, bias: Int32Array, mult: Float32Array,
  K: number, C: number, groups: number, kh: number, kw: number, layout: Layout,
): PackedConvg {
  const G = lanesOf(layout);
  const Cg = C / groups, Kg = K / groups, Kg4 = ceilTo(Kg, 4);
  const Dg = convgDepth(C, groups, kh, kw);
  const rows = new Int16Array(groups * Kg4 * Dg);
  const b = new Int32Array(groups * Kg4), m = new Float32Array(groups * Kg4);
  for (let g = 0; g < groups; g++) {
    const c0 = g * Cg, c1 = c0 + Cg;
    for (let kk = 0; kk < Kg; kk++) {
      const k = g * Kg + kk;
      b[g * Kg4 + kk] = bias[k]!;
      m[g * Kg4 + kk] = mult[k]!;
      let i = (g * Kg4 + kk) * Dg;
      for (let cb = Math.floor(c0 / G) * G; cb < c1; cb += G) {
        const a = Math.max(c0, cb), e = Math.min(c1, cb + G);
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++)
            for (let c = a; c < e; c++) rows[i++] = w[((k * Cg + c - c0) * kh + ky) * kw + kx]!;
      }
    }
  }
  return { layout, K, C, groups, kh, kw, weights: new Int8Array(rows.buffer), bias: b, mult: m };
}

/** bias - xZero * sum(w_k): the input zero point folded into the bias, so
 *  that acc = bias' + sum(w * x) with pad taps reading xZero equals
 *  bias + sum(w * (x - xZero)). w: [K][perChannel] int8. */
export function foldInputZero(bias: Int32Array, w: Int8Array, K: number, xZero: number): Int32Array {
  const per = w.length / K;
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < per; i++) s += w[k * per + i]!;
    out[k] = (bias[k]! - xZero * s) | 0;
  }
  return out;
}
