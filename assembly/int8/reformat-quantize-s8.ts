// Reformatters FP32 nchw -> int8 nchw4 / nc32hw32: quantize at `scale` and
// zero point `zero` (requant.ts: q = clamp(nearest_f32(f32(x / scale)) +
// zero, -128, 127), NaN -> zero) and pack; padding channels written as zero.
import { ldv, ldf, sti8, sti32 } from "../mem";
import { quantize4z } from "./requant";
import { store4x4, transpose4x4 } from "./reformat-core-s8";

@inline function quantizePack(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  const P = H * W;
  const CB = (C + G - 1) / G;
  const sv = f32x4.splat(scale), zv = i32x4.splat(zero);
  const z = i32x4.splat(0);
  const Gu = <usize>G;
  for (let n = 0; n < N; n++) {
    for (let cg = 0; cg < CB * G; cg += 4) {
      const yb = y + <usize>(((n * CB + cg / G) * P) * G + cg % G);
      if (cg >= C) {
        for (let p = 0; p < P; p++) sti32(yb + <usize>p * Gu, 0);
        continue;
      }
      const x0 = x + (<usize>((n * C + cg) * P) << 2);
      const plane = <usize>P << 2;
      const has1 = cg + 1 < C, has2 = cg + 2 < C, has3 = cg + 3 < C;
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const o = <usize>p << 2;
        const q0 = quantize4z(ldv(x0 + o), sv, zv);
        const q1 = has1 ? quantize4z(ldv(x0 + plane + o), sv, zv) : z;
        const q2 = has2 ? quantize4z(ldv(x0 + 2 * plane + o), sv, zv) : z;
        const q3 = has3 ? quantize4z(ldv(x0 + 3 * plane + o), sv, zv) : z;
        const b = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
        store4x4(yb + <usize>p * Gu, G, transpose4x4(b));
      }
      for (; p < P; p++) {
        const o = <usize>p << 2;
        const d = yb + <usize>p * Gu;
        for (let l = 0; l < 4; l++) {
          const q = cg + l < C
            ? i32x4.extract_lane(quantize4z(f32x4.splat(ldf(x0 + <usize>l * plane + o)), sv, zv), 0)
            : 0;
          sti8(d + <usize>l, <i8>q);
        }
      }
    }
  }
}

export function reformat_nchw_f32_to_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  quantizePack(4, x, N, C, H, W, scale, zero, y);
}

export function reformat_nchw_f32_to_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  quantizePack(32, x, N, C, H, W, scale, zero, y);
}
