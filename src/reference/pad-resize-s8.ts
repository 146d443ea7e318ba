// Scalar references: constant Pad on H and W and nearest Resize by integer
// factors, on plain nchw tensors of any element type (values move unchanged).
import type { Pads } from "../int8/pool-shapes.js";

type Tensor = Int8Array | Float32Array;

export function padConstantRef<T extends Tensor>(x: T, N: number, C: number, H: number, W: number, pads: Pads, value: number): T {
  const [top, left, bottom, right] = pads;
  const Ho = H + top + bottom, Wo = W + left + right;
  const y = new (x.constructor as new (n: number) => T)(N * C * Ho * Wo);
  y.fill(value);
  for (let nc = 0; nc < N * C; nc++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) y[(nc * Ho + h + top) * Wo + w + left] = x[(nc * H + h) * W + w]!;
  return y;
}

export function resizeNearestRef<T extends Tensor>(x: T, N: number, C: number, H: number, W: number, fh: number, fw: number): T {
  const Ho = H * fh, Wo = W * fw;
  const y = new (x.constructor as new (n: number) => T)(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) y[(nc * Ho + oy) * Wo + ox] = x[(nc * H + Math.floor(oy / fh)) * W + Math.floor(ox / fw)]!;
  return y;
}
