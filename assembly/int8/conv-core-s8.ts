// Int8 convolution shared by both blocked layouts (G = 4 or 32): for chunks
// of CONV_PIXEL_CHUNK output pixels, gather their receptive fields into the
// scratch buffer (gather-s8.ts), then run the 4x2 GEMM tiles (gemm-s8.ts)
// against the packed weights, requantize and store into the output layout.
//
// weights: [K4][Kp] int8, K4 = ceil(K/4)*4 rows (padding rows zero),
//          Kp = ceil(C*ks*ks / 8)*8 bytes per row, order as gather-s8.ts;
// bias: int32[K4]; mult: f32[K4] (padding channels 0);
// scratch: CONV_PIXEL_CHUNK * Kp bytes (src/int8/scratch.ts).
// Output padding channels (K4..ceil(K/G)*G) are written as zero.
import { gatherPixel } from "./gather-s8";
import { tile4x2, tile4x1 } from "./gemm-s8";
import { zeroBytes } from "./mem-s8";

export const CONV_PIXEL_CHUNK: i32 = 16;

@inline export function convS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, ks: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const Ho = (H + 2 * pad - ks) / stride + 1;
  const Wo = (W + 2 * pad - ks) / stride + 1;
  const P = Ho * Wo;
  const CBi = (C + G - 1) / G;
  const CBo = (K + G - 1) / G;
  const Kp = (C * ks * ks + 7) & ~7;
  const K4 = (K + 3) & ~3;
  const ldw = <usize>Kp;
  const Gu = <usize>G;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * CBi * H * W * G);
    const yn = y + <usize>(n * CBo * P * G);
    for (let p0 = 0; p0 < P; p0 += CONV_PIXEL_CHUNK) {
      const pc = min(CONV_PIXEL_CHUNK, P - p0);
      for (let j = 0; j < pc; j++) {
        const p = p0 + j;
        const oy = p / Wo;
        gatherPixel(G, xn, C, H, W, ks, stride, pad, oy, p - oy * Wo, scratch + <usize>(j * Kp), Kp);
      }
      for (let kg = 0; kg < K4; kg += 4) {
        const wr = weights + <usize>kg * ldw;
        const bk = bias + (<usize>kg << 2);
        const mk = mult + (<usize>kg << 2);
        const ob = yn + <usize>((kg / G) * P * G + kg % G) + <usize>p0 * Gu;
        let j = 0;
        for (; j + 2 <= pc; j += 2) {
          const xs = scratch + <usize>(j * Kp);
          const o = ob + <usize>j * Gu;
          tile4x2(wr, ldw, xs, xs + ldw, Kp, bk, mk, relu, o, o + Gu);
        }
        if (j < pc) tile4x1(wr, ldw, scratch + <usize>(j * Kp), Kp, bk, mk, relu, ob + <usize>j * Gu);
      }
    }
    // Output padding channels beyond K4 inside the last block.
    const tail = CBo * G - K4;
    if (tail > 0) {
      let o = yn + <usize>(((CBo - 1) * P) * G + (K4 % G));
      for (let p = 0; p < P; p++) {
        zeroBytes(o, tail);
        o += Gu;
      }
    }
  }
}
