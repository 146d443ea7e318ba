// Scalar reference: int8 convolution on a plain nchw int8 tensor, weights
// [K][C][k][k] (Caffe order), int32 bias, f32 multipliers, optional ReLU.
// Plain loops; the numerics are src/int8/numerics.ts's.
import { addI32, requantize } from "../int8/numerics.js";

export interface ConvRefArgs {
  x: Int8Array; N: number; C: number; H: number; W: number;
  w: Int8Array; bias: Int32Array; mult: Float32Array;
  K: number; kernel: number; stride: number; pad: number; relu: boolean;
}

export function convS8Ref(a: ConvRefArgs): { y: Int8Array; Ho: number; Wo: number } {
  const { x, N, C, H, W, w, bias, mult, K, kernel, stride, pad, relu } = a;
  const Ho = Math.floor((H + 2 * pad - kernel) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - kernel) / stride) + 1;
  const y = new Int8Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let acc = bias[k]!;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < kernel; ky++)
              for (let kx = 0; kx < kernel; kx++) {
                const iy = oy * stride - pad + ky;
                const ix = ox * stride - pad + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc = addI32(acc, x[((n * C + c) * H + iy) * W + ix]! * w[((k * C + c) * kernel + ky) * kernel + kx]!);
              }
          y[((n * K + k) * Ho + oy) * Wo + ox] = requantize(acc, mult[k]!, relu);
        }
  return { y, Ho, Wo };
}
