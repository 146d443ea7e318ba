// Scalar references: int8 max and average pooling on plain nchw int8
// tensors, floor output size, no padding. Max keeps the input's values;
// average = requantize(int32 window sum, f32(1/(window*window)), no ReLU).
import { avgPoolMultiplier, requantize } from "../int8/numerics.js";

export interface PoolRefArgs {
  x: Int8Array; N: number; C: number; H: number; W: number; window: number; stride: number;
}

function pool(a: PoolRefArgs, reduce: (values: number[]) => number): { y: Int8Array; Ho: number; Wo: number } {
  const { x, N, C, H, W, window, stride } = a;
  const Ho = Math.floor((H - window) / stride) + 1;
  const Wo = Math.floor((W - window) / stride) + 1;
  const y = new Int8Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        const values: number[] = [];
        for (let ky = 0; ky < window; ky++)
          for (let kx = 0; kx < window; kx++) values.push(x[(nc * H + oy * stride + ky) * W + ox * stride + kx]!);
        y[(nc * Ho + oy) * Wo + ox] = reduce(values);
      }
  return { y, Ho, Wo };
}

export function maxPoolS8Ref(a: PoolRefArgs): { y: Int8Array; Ho: number; Wo: number } {
  return pool(a, (v) => Math.max(...v));
}

export function avgPoolS8Ref(a: PoolRefArgs): { y: Int8Array; Ho: number; Wo: number } {
  const m = avgPoolMultiplier(a.window);
  return pool(a, (v) => requantize(v.reduce((s, t) => s + t, 0), m, false));
}
