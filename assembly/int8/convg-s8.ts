// General int8 convolution, nchw4 and nc32hw32 (see convg-core-s8.ts).
import { convgS8 } from "./convg-core-s8";

export function convg_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32,
  xZero: i32, yZero: i32, lo: i32, hi: i32, y: usize, scratch: usize,
): void {
  convgS8(2, x, N, C, H, W, weights, bias, mult, K, groups, kh, kw, sh, sw, dh, dw,
    padTop, padLeft, padBottom, padRight, xZero, yZero, lo, hi, y, scratch);
}

export function convg_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32,
  xZero: i32, yZero: i32, lo: i32, hi: i32, y: usize, scratch: usize,
): void {
  convgS8(5, x, N, C, H, W, weights, bias, mult, K, groups, kh, kw, sh, sw, dh, dw,
    padTop, padLeft, padBottom, padRight, xZero, yZero, lo, hi, y, scratch);
}
