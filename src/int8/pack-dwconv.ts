// Build-time packing for the depthwise int8 convolution dwconv_*_s8
// (assembly/int8/dwconv-core-s8.ts), the same for both layouts: per group
// of 4 output channels, per tap pair, 4 lanes of int16 (w_a, w_b):
// [ceil(K/4)][npairs][4][2] int16 little-endian, K = C*M. Pairs: for rp <
// floor(kh/2), kx < kw the vertical pair (w[2rp][kx], w[2rp+1][kx]); then,
// for odd kh, for j < ceil(kw/2) the horizontal pair (w[kh-1][2j],
// w[kh-1][2j+1]) (0 past kw). Padding channels get zero weights; bias and
// multipliers are padded to ceil(K/4)*4 with zeros.
import { type Layout, ceilTo } from "./layout.js";
import { padF32, padI32 } from "./pack-conv.js";

export interface PackedDwconv {
  layout: Layout;
  C: number; M: number; kh: number; kw: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

export function dwconvPairs(kh: number, kw: number): number {
  return Math.floor(kh / 2) * kw + (kh % 2) * Math.ceil(kw / 2);
}

export function packedDwconvWeightBytes(C: number, M: number, kh: number, kw: number): number {
  return ceilTo(C * M, 4) * dwconvPairs(kh, kw) * 2 * 2;
}

/** w: int8 [C*M][1][kh][kw] (PyTorch order); bias int32 [C*M]; mult f32 [C*M]. */
export function packDwconv(
  w: Int8Array, bias: Int32Array, mult: Float32Array,
  C: number, M: number, kh: number, kw: number, layout: Layout,
): PackedDwconv {
  const K = C * M, K4 = ceilTo(K, 4), np = dwconvPairs(kh, kw);
  const out = new Int16Array(K4 * np * 2);
  const tap = (k: number, ky: number, kx: number) => (kx < kw ? w[(k * kh + ky) * kw + kx]! : 0);
  for (let k = 0; k < K; k++) {
    const base = (Math.floor(k / 4) * np * 4 + (k % 4)) * 2;
    let t = 0;
    const put = (a: number, b: number) => {
      out[base + t * 8] = a;
      out[base + t * 8 + 1] = b;
      t++;
    };
    for (let rp = 0; rp < Math.floor(kh / 2); rp++)
      for (let kx = 0; kx < kw; kx++) put(tap(k, 2 * rp, kx), tap(k, 2 * rp + 1, kx));
    if (kh % 2 === 1)
      for (let j = 0; j < Math.ceil(kw / 2); j++) put(tap(k, kh - 1, 2 * j), tap(k, kh - 1, 2 * j + 1));
  }
  return { layout, C, M, kh, kw, weights: new Int8Array(out.buffer), bias: padI32(bias, K4), mult: padF32(mult, K4) };
}
