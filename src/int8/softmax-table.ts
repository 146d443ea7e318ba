// The INT8 softmax (docs/int8-numerics.md "Softmax"): its output type and
// the exp table its kernels and scalar reference share.

/** The INT8 softmax's output: uint8 at 1/256 (ONNX Runtime's QLinearSoftmax), stored as int8 with zero point -128. */
export const SOFTMAX_INT8_SCALE = 1 / 256;
export const SOFTMAX_INT8_ZERO = -128;

/** T[d] = round(2^20 exp(-s d)), d = 0..255: the exp of a logit d steps below the image's largest. */
export function softmaxTable(inputScale: number): Int32Array {
  const t = new Int32Array(256);
  for (let d = 0; d < 256; d++) t[d] = Math.round(2 ** 20 * Math.exp(-inputScale * d));
  return t;
}
