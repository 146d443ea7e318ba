// FP32 max pooling in NCHW, floor output size, no padding (TensorRT's
// default). When `argmax` is non-zero it receives, per output, the flat index
// of the winning input within its (n, c) plane, for the training backward pass.
import { ldf, stf, sti32 } from "../mem";

export function maxpool_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  window: i32, stride: i32, y: usize, argmax: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const xp = x + ((<usize>(plane * H * W)) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        let best = -Infinity as f32;
        let bestAt = 0;
        for (let ky = 0; ky < window; ky++) {
          const iy = oy * stride + ky;
          for (let kx = 0; kx < window; kx++) {
            const at = iy * W + ox * stride + kx;
            const v = ldf(xp + ((<usize>at) << 2));
            if (v > best) { best = v; bestAt = at; }
          }
        }
        stf(y + ((<usize>o) << 2), best);
        if (argmax != 0) sti32(argmax + ((<usize>o) << 2), bestAt);
        o++;
      }
    }
  }
}

// FP32 average pooling in NCHW, floor output size, no padding.
export function avgpool_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32, window: i32, stride: i32, y: usize,
): void {
  const Ho = (H - window) / stride + 1;
  const Wo = (W - window) / stride + 1;
  const inv: f32 = 1 / <f32>(window * window);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const xp = x + ((<usize>(plane * H * W)) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        let sum: f32 = 0;
        for (let ky = 0; ky < window; ky++) {
          const row = xp + ((<usize>((oy * stride + ky) * W + ox * stride)) << 2);
          for (let kx = 0; kx < window; kx++) sum += ldf(row + ((<usize>kx) << 2));
        }
        stf(y + ((<usize>o) << 2), sum * inv);
        o++;
      }
    }
  }
}
