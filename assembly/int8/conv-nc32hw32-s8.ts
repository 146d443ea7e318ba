// Int8 convolution, input and output in nc32hw32 (see conv-core-s8.ts).
import { convS8 } from "./conv-core-s8";

export function conv_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, ks: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize, path: i32,
): void {
  convS8(32, x, N, C, H, W, weights, bias, mult, K, ks, stride, pad, y, relu, scratch, path);
}
