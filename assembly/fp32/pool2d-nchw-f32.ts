// FP32 general pooling on NCHW: kernel kh x kw, strides, pads (top, left,
// bottom, right), ceil_mode, count_include_pad (pool-geometry.ts); method 0 =
// max over the window's input taps (padding ignored), 1 = average: the f32
// sum of the input taps in row-major order divided by f32(count).
// gap_nchw_f32: the mean of each (n, c) plane, y [N, C, 1, 1].
import { ldf, stf } from "../mem";
import { pooledSize, windowCount } from "../pool-geometry";

export function pool2d_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32, ceilMode: bool,
  method: i32, countIncludePad: bool, y: usize,
): void {
  const Ho = pooledSize(H, kh, sh, padTop, padBottom, ceilMode);
  const Wo = pooledSize(W, kw, sw, padLeft, padRight, ceilMode);
  let out = y;
  for (let pl = 0; pl < N * C; pl++) {
    const xp = x + ((<usize>(pl * H * W)) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      const iy0 = oy * sh - padTop;
      const ya = max(iy0, 0), yb = min(iy0 + kh, H);
      for (let ox = 0; ox < Wo; ox++) {
        const ix0 = ox * sw - padLeft;
        const xa = max(ix0, 0), xb = min(ix0 + kw, W);
        let r: f32;
        if (method == 0) {
          r = -Infinity;
          for (let iy = ya; iy < yb; iy++) {
            for (let ix = xa; ix < xb; ix++) {
              const v = ldf(xp + ((<usize>(iy * W + ix)) << 2));
              if (v > r) r = v;
            }
          }
        } else {
          let s: f32 = 0;
          for (let iy = ya; iy < yb; iy++) {
            for (let ix = xa; ix < xb; ix++) s += ldf(xp + ((<usize>(iy * W + ix)) << 2));
          }
          const count = countIncludePad
            ? windowCount(iy0, kh, H, padBottom, true) * windowCount(ix0, kw, W, padRight, true)
            : (yb - ya) * (xb - xa);
          r = s / <f32>count;
        }
        stf(out, r);
        out += 4;
      }
    }
  }
}

export function gap_nchw_f32(x: usize, N: i32, C: i32, H: i32, W: i32, y: usize): void {
  const HW = H * W;
  for (let pl = 0; pl < N * C; pl++) {
    const xp = x + ((<usize>(pl * HW)) << 2);
    let s: f32 = 0;
    for (let i = 0; i < HW; i++) s += ldf(xp + ((<usize>i) << 2));
    stf(y + ((<usize>pl) << 2), s / <f32>HW);
  }
}
