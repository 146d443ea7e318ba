// Scalar reference: the general int8 convolution (groups, dilation, per-axis
// strides and asymmetric pads) on a plain nchw int8 tensor, weights int8
// [K][C/groups][kh][kw], int32 bias, f32 multipliers; padding taps read
// xZero; epilogue requantizeZc. Depthwise (groups = C, K = C*M) and 1x1
// convolutions are special cases. Plain loops, independent of any packing.
import { addI32, requantizeZc } from "../int8/numerics.js";
import { type ConvEpilogue, type ConvGeometry, convgOutputSize } from "../int8/conv-geometry.js";

export interface ConvgRefArgs {
  x: Int8Array; N: number; C: number; H: number; W: number;
  w: Int8Array; bias: Int32Array; mult: Float32Array;
  K: number; groups: number; geometry: ConvGeometry; epilogue: ConvEpilogue;
}

export function convgS8Ref(a: ConvgRefArgs): { y: Int8Array; Ho: number; Wo: number } {
  const { x, N, C, H, W, w, bias, mult, K, groups } = a;
  const { kh, kw, sh, sw, dh, dw, padTop, padLeft } = a.geometry;
  const { xZero, yZero, lo, hi } = a.epilogue;
  const [Ho, Wo] = convgOutputSize(H, W, a.geometry);
  const Cg = C / groups, Kg = K / groups;
  const y = new Int8Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const g = Math.floor(k / Kg);
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let acc = bias[k]!;
          for (let cc = 0; cc < Cg; cc++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * sh - padTop + ky * dh;
                const ix = ox * sw - padLeft + kx * dw;
                const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                const v = inside ? x[((n * C + g * Cg + cc) * H + iy) * W + ix]! : xZero;
                acc = addI32(acc, v * w[((k * Cg + cc) * kh + ky) * kw + kx]!);
              }
          y[((n * K + k) * Ho + oy) * Wo + ox] = requantizeZc(acc, mult[k]!, yZero, lo, hi);
        }
    }
  return { y, Ho, Wo };
}
