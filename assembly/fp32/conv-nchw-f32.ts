// FP32 convolution in NCHW: per image, im2col into `scratch` packed in column
// panels, then one register-blocked matrix product that starts from the bias
// and applies the optional ReLU on its store (conv-gemm-f32.ts).
// weights [K, C*kh*kw], bias [K], output [N, K, Ho, Wo].
// scratch holds C*kh*kw*Ho*Wo floats.
import { ldf, stf, ldv, stv } from "../mem";
import { im2col_panels_f32, conv_gemm_panels_f32 } from "./conv-gemm-f32";

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
    im2col_panels_f32(xn, C, H, W, kh, kw, stride, pad, Ho, Wo, scratch);
    conv_gemm_panels_f32(K, P, depth, weights, bias, scratch, yn, relu);
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
