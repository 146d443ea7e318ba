// FP32 fully connected: y[N, O] = x[N, I]·Wᵀ + b, weights [O, I] (Caffe's
// InnerProduct layout), optional fused ReLU.
import { ldf, stf } from "../mem";
import { gemm_nt_f32 } from "./gemm-f32";
import { relu_f32 } from "./conv-nchw-f32";

export function fc_f32(
  x: usize, N: i32, I: i32, weights: usize, bias: usize, O: i32, y: usize, relu: bool,
): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      stf(y + ((<usize>(n * O + o)) << 2), ldf(bias + ((<usize>o) << 2)));
    }
  }
  gemm_nt_f32(N, O, I, x, I, weights, I, y, O, true);
  if (relu) relu_f32(y, N * O);
}
