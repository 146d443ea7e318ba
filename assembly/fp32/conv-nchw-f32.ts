// FP32 convolution in NCHW as im2col + matrix product, computed 8 output
// pixels at a time so only one im2col panel exists at once; the product
// starts from the bias and applies the optional ReLU on its store
// (conv-gemm-f32.ts). weights [K, C*kh*kw], bias [K], output [N, K, Ho, Wo].
// scratch holds C*kh*kw*Ho*Wo floats: one panel (C*kh*kw*8 floats) and, when
// the rest has room (Ho*Wo >= 8 + the channels in 4-channel blocks), the
// weights repacked for those blocks once per call.
import { ldf, stf, ldv, stv } from "../mem";
import { convImage, fourBlockChannels, packWeights4, panelFloats } from "./conv-gemm-f32";

export function conv_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, K: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const Ho = (H + 2 * pad - kh) / stride + 1;
  const Wo = (W + 2 * pad - kw) / stride + 1;
  const P = Ho * Wo;
  const depth = C * kh * kw;
  const K4 = fourBlockChannels(K);
  let wp: usize = 0;
  if (K4 > 0 && P >= 8 + K4) {
    wp = scratch + ((<usize>panelFloats(depth)) << 2);
    packWeights4(weights, K4, depth, wp);
  }
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>(n * C * H * W)) << 2);
    const yn = y + ((<usize>(n * K * P)) << 2);
    convImage(xn, C, H, W, kh, kw, stride, pad, Ho, Wo, K, weights, wp, bias, yn, relu, scratch);
  }
}

// x := max(x, 0) in place, keeping NaN and -0 like `if (v < 0) v = 0`.
export function relu_f32(x: usize, count: i32): void {
  const zero = f32x4.splat(0);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const p = x + ((<usize>i) << 2);
    stv(p, f32x4.pmax(ldv(p), zero));
  }
  for (let i = c4; i < count; i++) {
    const p = x + ((<usize>i) << 2);
    const v = ldf(p);
    if (v < 0) stf(p, 0);
  }
}
