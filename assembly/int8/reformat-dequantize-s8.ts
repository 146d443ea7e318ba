// Reformatters int8 nchw4 / nc32hw32 -> FP32 nchw: unpack the real channels
// and dequantize, x = f32(q - zero) * scale (one f32 multiply).
import { stv, ldi8, stf } from "../mem";
import { load4x4, transpose4x4 } from "./reformat-core-s8";

@inline function deq(v: v128, sv: v128, zv: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(v, zv)), sv);
}

@inline function unpackDequantize(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  const P = H * W;
  const CB = (C + G - 1) / G;
  const sv = f32x4.splat(scale), zv = i32x4.splat(zero);
  const Gu = <usize>G;
  const plane = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let cg = 0; cg < C; cg += 4) {
      const xb = x + <usize>(((n * CB + cg / G) * P) * G + cg % G);
      const y0 = y + (<usize>((n * C + cg) * P) << 2);
      const real = min(4, C - cg);
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const t = transpose4x4(load4x4(xb + <usize>p * Gu, G)); // channel-major
        const lo = i16x8.extend_low_i8x16_s(t), hi = i16x8.extend_high_i8x16_s(t);
        const o = <usize>p << 2;
        stv(y0 + o, deq(i32x4.extend_low_i16x8_s(lo), sv, zv));
        if (real > 1) stv(y0 + plane + o, deq(i32x4.extend_high_i16x8_s(lo), sv, zv));
        if (real > 2) stv(y0 + 2 * plane + o, deq(i32x4.extend_low_i16x8_s(hi), sv, zv));
        if (real > 3) stv(y0 + 3 * plane + o, deq(i32x4.extend_high_i16x8_s(hi), sv, zv));
      }
      for (; p < P; p++) {
        for (let l = 0; l < real; l++) {
          const q = ldi8(xb + <usize>p * Gu + <usize>l);
          stf(y0 + <usize>l * plane + (<usize>p << 2), <f32>(q - zero) * scale);
        }
      }
    }
  }
}

export function reformat_nchw4_s8_to_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  unpackDequantize(4, x, N, C, H, W, scale, zero, y);
}

export function reformat_nc32hw32_s8_to_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32, scale: f32, zero: i32, y: usize,
): void {
  unpackDequantize(32, x, N, C, H, W, scale, zero, y);
}
