// Int8 fully connected, input nc32hw32, output [N, O, 1, 1] nc32hw32
// (fc-core-s8.ts).
import { fcS8 } from "./fc-core-s8";

export function fc_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, O: i32, yZero: i32, lo: i32, hi: i32, y: usize,
): void {
  fcS8(32, x, N, C, H, W, weights, bias, mult, O, yZero, lo, hi, y);
}
