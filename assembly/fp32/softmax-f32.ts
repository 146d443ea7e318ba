// Softmax over the last axis of [N, C] FP32 logits, max-subtracted for range.
import { ldf, stf } from "../mem";

export function softmax_f32(x: usize, N: i32, C: i32, y: usize): void {
  for (let n = 0; n < N; n++) {
    const xr = x + ((<usize>(n * C)) << 2);
    const yr = y + ((<usize>(n * C)) << 2);
    let m = -Infinity as f32;
    for (let c = 0; c < C; c++) m = max(m, ldf(xr + ((<usize>c) << 2)));
    let sum: f32 = 0;
    for (let c = 0; c < C; c++) {
      const e = Mathf.exp(ldf(xr + ((<usize>c) << 2)) - m);
      stf(yr + ((<usize>c) << 2), e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    for (let c = 0; c < C; c++) {
      const p = yr + ((<usize>c) << 2);
      stf(p, ldf(p) * inv);
    }
  }
}
