// Scalar references: general int8 pooling and global average pooling on
// plain nchw int8 tensors (src/int8/pool-shapes.ts geometry; numerics.ts
// averageMultiplier / averageValue / requantizeAffine). Max keeps x's values
// (and scale, zero point); padding taps take no part.
import { averageMultiplier, averageValue, requantizeAffine, scaleRatio, type QuantParams } from "../int8/numerics.js";
import { pool2dOutputSize, windowCount, type Pool2dGeometry } from "../int8/pool-shapes.js";

export type PoolMethod = "max" | "average";

export interface Pool2dRefArgs {
  x: Int8Array; N: number; C: number; H: number; W: number;
  geometry: Pool2dGeometry; method: PoolMethod; countIncludePad: boolean;
  qx: QuantParams; qy: QuantParams;
}

export function pool2dS8Ref(r: Pool2dRefArgs): { y: Int8Array; Ho: number; Wo: number } {
  const { x, N, C, H, W, geometry: g, qx, qy } = r;
  const [Ho, Wo] = pool2dOutputSize(H, W, g.kh, g.kw, g.sh, g.sw, g.pads, g.ceilMode);
  const ratio = scaleRatio(qx.scale, qy.scale);
  const y = new Int8Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        const y0 = oy * g.sh - g.pads[0], x0 = ox * g.sw - g.pads[1];
        let best = -128, sum = 0, taps = 0;
        for (let iy = Math.max(y0, 0); iy < Math.min(y0 + g.kh, H); iy++)
          for (let ix = Math.max(x0, 0); ix < Math.min(x0 + g.kw, W); ix++) {
            const v = x[(nc * H + iy) * W + ix]!;
            best = Math.max(best, v);
            sum += v - qx.zeroPoint;
            taps++;
          }
        const count = r.countIncludePad
          ? windowCount(y0, g.kh, H, g.pads[2], true) * windowCount(x0, g.kw, W, g.pads[3], true)
          : taps;
        y[(nc * Ho + oy) * Wo + ox] = r.method === "max"
          ? best
          : requantizeAffine(averageValue(sum, averageMultiplier(ratio, count)), qy.zeroPoint);
      }
  return { y, Ho, Wo };
}

/** y [N, C] (= [N, C, 1, 1]): the average of each plane, count H*W. */
export function gapS8Ref(x: Int8Array, N: number, C: number, H: number, W: number, qx: QuantParams, qy: QuantParams): Int8Array {
  const HW = H * W;
  const m = averageMultiplier(scaleRatio(qx.scale, qy.scale), HW);
  const y = new Int8Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let sum = 0;
    for (let p = 0; p < HW; p++) sum += x[nc * HW + p]! - qx.zeroPoint;
    y[nc] = requantizeAffine(averageValue(sum, m), qy.zeroPoint);
  }
  return y;
}
