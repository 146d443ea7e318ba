// The GEMM micro-kernels shared by convolution and fully connected.
// A tile computes 4 output channels x 2 (or 1) columns: dot products of 4
// weight rows (stride ldw bytes) with 2 activation rows, with
// i32x4.dot_i16x8_s and 8 accumulators (V8 keeps ~15 vector registers;
// bigger tiles spill). Then a transposed horizontal reduction, + int32 bias,
// requantization (requant.ts) and a 4-byte store per column: the 4 channels
// of one pixel are contiguous in both nchw4 and nc32hw32 as long as the
// channel group starts at a multiple of 4.
//
// The tiles are generated (scripts/gen-kernels.mjs, from
// templates/tile4x2.ts.in and tile4x1.ts.in, into gen/gemm-tiles-s8.ts), in
// two operand families:
// * int16 x int16 (s16, the conv dot path): weights packed as int16 at build
//   time, receptive fields widened once by the gather, so the inner loop is
//   plain v128.load + i32x4.dot_i16x8_s + i32x4.add. K: int16 elements per
//   row, a multiple of 8; ldw: BYTES between weight rows.
// * int16 weights x int8 activations (w16, fully connected): the weights,
//   re-read for every image pair, are int16 in memory; each activation
//   vector is widened once per step and used against 4 weight rows. K:
//   elements per row, a multiple of 4.
import { tile4x2s16, tile4x1s16 } from "./gen/gemm-tiles-s8";

export { tile4x2s16sums, tile4x2w16, tile4x1w16, tile4x1w16far } from "./gen/gemm-tiles-s8";

/** A panel: 4 channels x pc columns (rows of K int16 at xs, ldw bytes apart,
 *  the same stride as the weights), outputs `step` bytes apart from out. */
export function panel4s16(
  w: usize, ldw: usize, xs: usize, pc: i32, K: i32,
  bias: usize, mult: usize, relu: bool, out: usize, step: usize,
): void {
  let j = 0;
  for (; j + 2 <= pc; j += 2) {
    const x = xs + <usize>j * ldw;
    const o = out + <usize>j * step;
    tile4x2s16(w, ldw, x, x + ldw, K, bias, mult, relu, o, o + step);
  }
  if (j < pc) tile4x1s16(w, ldw, xs + <usize>j * ldw, K, bias, mult, relu, out + <usize>j * step);
}
