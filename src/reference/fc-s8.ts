// Scalar reference: int8 fully connected on the nchw-flattened input
// x [N][I], weights [O][I] (Caffe InnerProduct order), int32 bias, f32
// multipliers, optional ReLU, or an output zero point and clamp. Output [N][O].
import { addI32, requantizeZc } from "../int8/numerics.js";

export function fcS8Ref(
  x: Int8Array, N: number, I: number, w: Int8Array, bias: Int32Array, mult: Float32Array, O: number, relu: boolean,
  yZero = 0, lo = relu ? yZero : -128, hi = 127,
): Int8Array {
  const y = new Int8Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let acc = bias[o]!;
      for (let i = 0; i < I; i++) acc = addI32(acc, x[n * I + i]! * w[o * I + i]!);
      y[n * O + o] = requantizeZc(acc, mult[o]!, yZero, lo, hi);
    }
  return y;
}
