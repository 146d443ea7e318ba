// Scalar reference: int8 channel concatenation on plain nchw tensors: x
// [N, Ci, H, W] into channels [at, at + Ci) of y [N, Ctotal, H, W] (in place),
// each value requantized from qx to qy by rescaleValue (numerics.ts).
import { requantizeAffine, rescaleValue, scaleRatio, type QuantParams } from "../int8/numerics.js";

export function concatIntoS8Ref(
  y: Int8Array, Ctotal: number, x: Int8Array, N: number, Ci: number, H: number, W: number, at: number,
  qx: QuantParams, qy: QuantParams,
): void {
  const m = scaleRatio(qx.scale, qy.scale);
  const HW = H * W;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < Ci; c++)
      for (let p = 0; p < HW; p++) {
        y[(n * Ctotal + at + c) * HW + p] = requantizeAffine(rescaleValue(x[(n * Ci + c) * HW + p]!, qx.zeroPoint, m), qy.zeroPoint);
      }
}
