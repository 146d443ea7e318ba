// Build-time packing of int8 convolution weights for the conv kernels
// (assembly/int8/conv-core-s8.ts): rows of K4 = ceil(K/4)*4 output channels
// (padding rows zero), each a dense K-vector in the kernel's gather order
// (channel block cb of the layout, ky, kx, real lane l), zero-padded to Kp =
// ceil(C*k*k/8)*8. Bias and multipliers are padded to K4 with zeros, which
// makes padding output channels exactly 0.
import { type Layout, lanesOf, ceilTo } from "./layout.js";

export interface PackedConv {
  layout: Layout;
  /** Real output channels. */
  K: number;
  C: number;
  kernel: number;
  /** Bytes per packed weight row. */
  Kp: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
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
  const weights = new Int8Array(K4 * Kp);
  for (let k = 0; k < K; k++) {
    let i = k * Kp;
    for (let c0 = 0; c0 < C; c0 += G) {
      const r = Math.min(G, C - c0);
      for (let ky = 0; ky < kernel; ky++)
        for (let kx = 0; kx < kernel; kx++)
          for (let l = 0; l < r; l++) weights[i++] = w[((k * C + c0 + l) * kernel + ky) * kernel + kx]!;
    }
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
