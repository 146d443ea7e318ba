// Plain-loop FP32 reference for convg_nchw_f32: groups, kh x kw, per-axis
// strides and dilations, asymmetric pads, clamp to [lo, hi].
import { type ConvGeometry, convgOutputSize } from "../int8/conv-geometry.js";

export interface ConvgF32RefArgs {
  x: Float32Array; N: number; C: number; H: number; W: number;
  w: Float32Array; b: Float32Array; K: number; groups: number;
  geometry: ConvGeometry; lo: number; hi: number;
}

export function convgF32Ref(a: ConvgF32RefArgs): { y: Float32Array; Ho: number; Wo: number } {
  const { x, N, C, H, W, w, b, K, groups, lo, hi } = a;
  const { kh, kw, sh, sw, dh, dw, padTop, padLeft } = a.geometry;
  const [Ho, Wo] = convgOutputSize(H, W, a.geometry);
  const Cg = C / groups, Kg = K / groups;
  const y = new Float32Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const c0 = Math.floor(k / Kg) * Cg;
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let s = b[k]!;
          for (let cc = 0; cc < Cg; cc++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * sh - padTop + ky * dh, ix = ox * sw - padLeft + kx * dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x[((n * C + c0 + cc) * H + iy) * W + ix]! * w[((k * Cg + cc) * kh + ky) * kw + kx]!;
              }
          y[((n * K + k) * Ho + oy) * Wo + ox] = s < lo ? lo : s > hi ? hi : s;
        }
    }
  return { y, Ho, Wo };
}
