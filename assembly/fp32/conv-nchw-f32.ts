// FP32 convolution in NCHW: im2col into `scratch`, then one matrix product
// per image. weights [K, C*kh*kw], bias [K], output [N, K, Ho, Wo].
// scratch holds C*kh*kw*Ho*Wo floats.
import { ldf, stf } from "../mem";
import { im2col_f32 } from "./im2col-f32";
import { gemm_nn_f32 } from "./gemm-f32";

export function conv_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, K: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const Ho = (H + 2 * pad - kh) / stride + 1;
  const Wo = (W + 2 * pad - kw) / stride + 1;
  const P = Ho * Wo;
  const depth = C * kh * kw;
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>(n * C * H * W)) << 2);
    const yn = y + ((<usize>(n * K * P)) << 2);
    im2col_f32(xn, C, H, W, kh, kw, stride, pad, Ho, Wo, scratch);
    for (let k = 0; k < K; k++) {
      const b = ldf(bias + ((<usize>k) << 2));
      const row = yn + ((<usize>(k * P)) << 2);
      for (let p = 0; p < P; p++) stf(row + ((<usize>p) << 2), b);
    }
    gemm_nn_f32(K, P, depth, weights, depth, 1, scratch, P, yn, P, true);
    if (relu) relu_f32(yn, K * P);
  }
}

export function relu_f32(x: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const p = x + ((<usize>i) << 2);
    const v = ldf(p);
    if (v < 0) stf(p, 0);
  }
}
