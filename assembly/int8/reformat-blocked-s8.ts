// Reformatters between the two int8 blocked layouts, nchw4 <-> nc32hw32
// (same scale, a pure permutation). Padding channels of the output are
// written as zero whatever the input's padding lanes hold.
import { ldi32, sti32 } from "../mem";
import { load4x4, store4x4, laneMask } from "./reformat-core-s8";

@inline function reblock(Gi: i32, Go: i32, x: usize, N: i32, C: i32, H: i32, W: i32, y: usize): void {
  const P = H * W;
  const CBi = (C + Gi - 1) / Gi;
  const CBo = (C + Go - 1) / Go;
  const Giu = <usize>Gi, Gou = <usize>Go;
  for (let n = 0; n < N; n++) {
    for (let cg = 0; cg < CBo * Go; cg += 4) {
      const yb = y + <usize>(((n * CBo + cg / Go) * P) * Go + cg % Go);
      if (cg >= C) {
        for (let p = 0; p < P; p++) sti32(yb + <usize>p * Gou, 0);
        continue;
      }
      const xb = x + <usize>(((n * CBi + cg / Gi) * P) * Gi + cg % Gi);
      const mask = laneMask(C - cg);
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        store4x4(yb + <usize>p * Gou, Go, v128.and(load4x4(xb + <usize>p * Giu, Gi), mask));
      }
      const m = i32x4.extract_lane(mask, 0);
      for (; p < P; p++) sti32(yb + <usize>p * Gou, ldi32(xb + <usize>p * Giu) & m);
    }
  }
}

export function reformat_nchw4_s8_to_nc32hw32_s8(x: usize, N: i32, C: i32, H: i32, W: i32, y: usize): void {
  reblock(4, 32, x, N, C, H, W, y);
}

export function reformat_nc32hw32_s8_to_nchw4_s8(x: usize, N: i32, C: i32, H: i32, W: i32, y: usize): void {
  reblock(32, 4, x, N, C, H, W, y);
}
