// Scalar references on plain nchw int8 tensors: the table activation
// (y = table[x + 128]), PRelu and scale-shift per channel (numerics.ts
// preluValue / scaleShiftValue, requantizeAffine).
import {
  preluMultiplier, preluValue, requantizeAffine, scaleRatio, scaleShiftParams, scaleShiftValue, type QuantParams,
} from "../int8/numerics.js";

export function lutS8Ref(x: Int8Array, table: Int8Array): Int8Array {
  return Int8Array.from(x, (v) => table[v + 128]!);
}

export function preluS8Ref(x: Int8Array, N: number, C: number, H: number, W: number, slopes: Float32Array, qx: QuantParams, qy: QuantParams): Int8Array {
  const mPos = scaleRatio(qx.scale, qy.scale);
  const HW = H * W;
  const y = new Int8Array(x.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const mNeg = preluMultiplier(slopes[c]!, qx.scale, qy.scale);
      for (let p = 0; p < HW; p++) {
        const i = (n * C + c) * HW + p;
        y[i] = requantizeAffine(preluValue(x[i]!, qx.zeroPoint, mPos, mNeg), qy.zeroPoint);
      }
    }
  return y;
}

export function scaleShiftS8Ref(
  x: Int8Array, N: number, C: number, H: number, W: number, a: Float32Array, b: Float32Array,
  qx: QuantParams, qy: QuantParams, lo = -128, hi = 127,
): Int8Array {
  const HW = H * W;
  const y = new Int8Array(x.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const { m, d } = scaleShiftParams(a[c]!, b[c]!, qx.scale, qy.scale);
      for (let p = 0; p < HW; p++) {
        const i = (n * C + c) * HW + p;
        y[i] = requantizeAffine(scaleShiftValue(x[i]!, qx.zeroPoint, m, d), qy.zeroPoint, lo, hi);
      }
    }
  return y;
}
