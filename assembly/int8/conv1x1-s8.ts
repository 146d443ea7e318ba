// Pointwise int8 convolution, nchw4 and nc32hw32 (see conv1x1-core-s8.ts).
import { conv1x1S8 } from "./conv1x1-core-s8";

export function conv1x1_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32,
  yZero: i32, lo: i32, hi: i32, y: usize,
): void {
  conv1x1S8(2, x, N, C, H, W, weights, bias, mult, K, yZero, lo, hi, y);
}

export function conv1x1_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32,
  yZero: i32, lo: i32, hi: i32, y: usize,
): void {
  conv1x1S8(5, x, N, C, H, W, weights, bias, mult, K, yZero, lo, hi, y);
}
