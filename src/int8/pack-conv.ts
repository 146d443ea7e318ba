// Build-time packing of int8 convolution weights for the conv kernels
// (assembly/int8/conv-core-s8.ts): rows of K4 = ceil(K/4)*4 output channels
// (padding rows zero), each a dense K-vector in the kernel's gather order
// (channel block cb of the layout, ky, kx, real lane l), zero-padded to Kp =
// ceil(C*k*k/8)*8 elements, stored as int16 (little-endian; the values are
// the int8 weights, widened once here so the kernel's inner loop is a plain
// v128.load). Bias and multipliers are padded to K4 with zeros, which makes
// padding output channels exactly 0.
//
// Shallow receptive fields (C*k*k <= CONV_PAIR_MAX_DEPTH, e.g. a first layer)
// use the kernels' channels-in-lanes path (assembly/int8/conv-pairs-s8.ts):
// there the weights are int16 (little-endian) pairs [C*k*ceil(k/2)][K4][2]:
// pair j = (c*k + ky)*ceil(k/2) + kxp, element e = w[k][c][ky][2*kxp + e]
// (0 when 2*kxp + e = k, or for padding channels).
import { type Layout, lanesOf, ceilTo } from "./layout.js";

export interface PackedConv {
  layout: Layout;
  /** Real output channels. */
  K: number;
  C: number;
  kernel: number;
  /** Elements per packed weight row (int16 each on the dot path). */
  Kp: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

/** Must match CONV_PAIR_MAX_DEPTH in assembly/int8/conv-pairs-s8.ts. */
export const CONV_PAIR_MAX_DEPTH = 64;

/** Whether the conv kernels take the channels-in-lanes (int16 pair) path. */
export function convUsesPairs(C: number, kernel: number): boolean {
  return C * kernel * kernel <= CONV_PAIR_MAX_DEPTH;
}

export function convRowBytes(C: number, kernel: number): number {
  return ceilTo(C * kernel * kernel, 8);
}

/** w: int8 [K][C][kernel][kernel] (Caffe order); bias int32 [K]; mult f32 [K]. */
export function packConv(
  w: Int8Array, bias: Int32Array, mult: Float32Array,
  K: number, C: number, kernel: number, layout: Layout,
): PackedConv {
  const G = lanesOf(layout);
  const Kp = convRowBytes(C, kernel);
  const K4 = ceilTo(K, 4);
  // rows[k] = channel k's weights in gather order (cb, ky, kx, real lane).
  const rows = new Int16Array(K4 * Kp);
  for (let k = 0; k < K; k++) {
    let i = k * Kp;
    for (let c0 = 0; c0 < C; c0 += G) {
      const r = Math.min(G, C - c0);
      for (let ky = 0; ky < kernel; ky++)
        for (let kx = 0; kx < kernel; kx++)
          for (let l = 0; l < r; l++) rows[i++] = w[((k * C + c0 + l) * kernel + ky) * kernel + kx]!;
    }
  }
  let weights = new Int8Array(rows.buffer);
  if (convUsesPairs(C, kernel)) {
    const hk = Math.ceil(kernel / 2);
    const pairs = new Int16Array(C * kernel * hk * K4 * 2);
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < kernel; ky++)
        for (let kxp = 0; kxp < hk; kxp++) {
          const j = (c * kernel + ky) * hk + kxp;
          for (let k = 0; k < K; k++)
            for (let e = 0; e < 2; e++) {
              const kx = 2 * kxp + e;
              if (kx < kernel) pairs[(j * K4 + k) * 2 + e] = w[((k * C + c) * kernel + ky) * kernel + kx]!;
            }
        }
    weights = new Int8Array(pairs.buffer);
  }
  return { layout, K, C, kernel, Kp, weights, bias: padI32(bias, K4), mult: padF32(mult, K4) };
}

export function padI32(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  out.set(a.subarray(0, Math.min(a.length, n)));
  return out;
}

export function padF32(a: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(a.subarray(0, Math.min(a.length, n)));
  return out;
}
