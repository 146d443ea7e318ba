// Build-time packing of int8 convolution weights for the conv kernels
// (assembly/int8/conv-core-s8.ts): rows of K4 = ceil(K/4)*4 output channels
// (padding rows zero), each a dense K-vector in the kernel's gather order
// (channel block cb of the layout, ky, kx, real lane l), zero-padded to Kp =
// ceil(C*k*k/8)*8 elements, stored as int16 (little-endian; the values are
// the int8 weights, widened once here so the kernel's inner loop is a plain
// v128.load). Bias and multipliers are padded to K4 with zeros, which makes
// padding output channels exactly 0.
//
// The path comes from the kernel config table (kernel-config.ts). Shallow
// receptive fields (e.g. a first layer) take the kernels' channels-in-lanes path (assembly/int8/conv-pairs-s8.ts):
// there the weights are int16 (little-endian) pairs [C*ceil(k*k/2)][K4][2],
// per channel c: first the vertical pairs (w[k][c][2rp][kx],
// w[k][c][2rp+1][kx]) for rp < floor(k/2), kx < k; then, for odd k, the
// horizontal pairs (w[k][c][k-1][2kxp], w[k][c][k-1][2kxp+1]) for kxp <
// ceil(k/2) (0 past the window, and for padding channels).
import { type Layout, lanesOf, ceilTo } from "./layout.js";
import { convPath, type ConvPath } from "./kernel-config.js";

export interface PackedConv {
  layout: Layout;
  /** Real output channels. */
  K: number;
  C: number;
  kernel: number;
  /** The kernel's path (kernel-config.ts), which the packing follows. */
  path: ConvPath;
  /** Elements per packed weight row (int16 each on the dot path). */
  Kp: number;
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

/** Int16 weight pairs per input channel on the pair path: floor(k/2) row
 *  pairs of k vertical pairs, plus ceil(k/2) horizontal pairs of an odd last
 *  row (= ceil(k*k/2)). */
export function convPairsPerChannel(kernel: number): number {
  return Math.floor(kernel / 2) * kernel + (kernel % 2) * Math.ceil(kernel / 2);
}

/** Int16 elements per Winograd row: depth 5*C4 (order ky, c; C4 =
 *  ceil(C/4)*4, zero at padding channels), rounded up to 8. */
export function winoDepth(C: number): number {
  return ceilTo(5 * ceilTo(C, 4), 8);
}

/** Int16 elements per (point, tile) input ring of the Winograd path. */
export function winoRing(C: number): number {
  return ceilTo(10 * ceilTo(C, 4) + 8, 8);
}


export function convRowBytes(C: number, kernel: number): number {
  return ceilTo(C * kernel * kernel, 8);
}

/**
 * Bytes of packed weights packConv produces for K outputs, C inputs, a
 * kernel x kernel window on `path`: the pairs; or the direct [K4][Kp] rows,
 * followed on the Winograd path by U[e][K4][winoDepth(C)] int16 (U_e at
 * depth ky*C4 + c).
 */
export function packedConvWeightBytes(K: number, C: number, kernel: number, path: ConvPath): number {
  const K4 = ceilTo(K, 4);
  if (path === "pairs") return C * convPairsPerChannel(kernel) * K4 * 2 * 2;
  return (K4 * convRowBytes(C, kernel) + (path === "winograd" ? 6 * K4 * winoDepth(C) : 0)) * 2;
}

/** w: int8 [K][C][kernel][kernel] (Caffe order); bias int32 [K]; mult f32 [K]; packed for the path the config table gives at `stride`. */
export function packConv(
  w: Int8Array, bias: Int32Array, mult: Float32Array,
  K: number, C: number, kernel: number, layout: Layout, stride: number,
): PackedConv {
  const path = convPath(layout, C, kernel, stride);
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
  if (path === "winograd") {
    const Dw = winoDepth(C);
    const C4 = ceilTo(C, 4);
    const all = new Int16Array(rows.length + 6 * K4 * Dw);
    all.set(rows);
    const u = all.subarray(rows.length);
    // U_e = sum_kx G'[e][kx] w[kx], G' rows [1,0,0,0,0] [1,1,1,1,1] [1,-1,1,-1,1] [1,2,4,8,16]
    // [1,-2,4,-8,16] [0,0,0,0,1] (assembly/int8/conv-wino-s8.ts) written out: this runs at every plan load, cold.
    const plane = K4 * Dw;
    for (let k = 0; k < K; k++)
      for (let c = 0; c < C; c++)
        for (let ky = 0; ky < 5; ky++) {
          const s = ((k * C + c) * 5 + ky) * 5;
          const t0 = w[s]!, t1 = w[s + 1]!, t2 = w[s + 2]!, t3 = w[s + 3]!, t4 = w[s + 4]!;
          const o = k * Dw + ky * C4 + c;
          u[o] = t0;
          u[plane + o] = t0 + t1 + t2 + t3 + t4;
          u[2 * plane + o] = t0 - t1 + t2 - t3 + t4;
          u[3 * plane + o] = t0 + 2 * t1 + 4 * t2 + 8 * t3 + 16 * t4;
          u[4 * plane + o] = t0 - 2 * t1 + 4 * t2 - 8 * t3 + 16 * t4;
          u[5 * plane + o] = t4;
        }
    weights = new Int8Array(all.buffer);
  }
  if (path === "pairs") {
    const pairs = new Int16Array(C * convPairsPerChannel(kernel) * K4 * 2);
    let j = 0;
    const put = (c: number, ky0: number, kx0: number, ky1: number, kx1: number) => {
      for (let k = 0; k < K; k++) {
        pairs[(j * K4 + k) * 2] = w[((k * C + c) * kernel + ky0) * kernel + kx0]!;
        if (kx1 < kernel) pairs[(j * K4 + k) * 2 + 1] = w[((k * C + c) * kernel + ky1) * kernel + kx1]!;
      }
      j++;
    };
    for (let c = 0; c < C; c++) {
      // rows 2rp, 2rp+1 paired vertically (P rows), tap by tap ...
      for (let rp = 0; rp < Math.floor(kernel / 2); rp++)
        for (let kx = 0; kx < kernel; kx++) put(c, 2 * rp, kx, 2 * rp + 1, kx);
      // ... and an odd last row paired horizontally (R row).
      if (kernel % 2 === 1)
        for (let kxp = 0; kxp < Math.ceil(kernel / 2); kxp++) put(c, kernel - 1, 2 * kxp, kernel - 1, 2 * kxp + 1);
    }
    weights = new Int8Array(pairs.buffer);
  }
  return { layout, K, C, kernel, path, Kp, weights, bias: padI32(bias, K4), mult: padF32(mult, K4) };
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
