// FP32 data movement on NCHW: channel concatenation (x [N, Ci, H, W] into
// channels [at, at + Ci) of y [N, Ctotal, H, W]), ONNX Pad in constant mode on
// H and W, and nearest Resize by integer factors (y[oy][ox] = x[oy/fh][ox/fw]).
import { ldf, stf } from "../mem";
import { copyBytes } from "../int8/mem-s8";

export function concat_channels_nchw_f32(x: usize, N: i32, Ci: i32, H: i32, W: i32, y: usize, Ctotal: i32, at: i32): void {
  const HW = H * W;
  for (let n = 0; n < N; n++) {
    copyBytes(x + ((<usize>(n * Ci * HW)) << 2), y + ((<usize>((n * Ctotal + at) * HW)) << 2), Ci * HW * 4);
  }
}

@inline function fillF32(p: usize, count: i32, v: f32): void {
  for (let i = 0; i < count; i++) stf(p + ((<usize>i) << 2), v);
}

export function pad_constant_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32, top: i32, left: i32, bottom: i32, right: i32, value: f32, y: usize,
): void {
  const Wo = W + left + right, Ho = H + top + bottom;
  for (let pl = 0; pl < N * C; pl++) {
    const xp = x + ((<usize>(pl * H * W)) << 2);
    const yp = y + ((<usize>(pl * Ho * Wo)) << 2);
    fillF32(yp, top * Wo, value);
    for (let iy = 0; iy < H; iy++) {
      const row = yp + ((<usize>((top + iy) * Wo)) << 2);
      fillF32(row, left, value);
      copyBytes(xp + ((<usize>(iy * W)) << 2), row + ((<usize>left) << 2), W * 4);
      fillF32(row + ((<usize>(left + W)) << 2), right, value);
    }
    fillF32(yp + ((<usize>((top + H) * Wo)) << 2), bottom * Wo, value);
  }
}

export function resize_nearest_nchw_f32(x: usize, N: i32, C: i32, H: i32, W: i32, fh: i32, fw: i32, y: usize): void {
  const Wo = W * fw;
  for (let pl = 0; pl < N * C; pl++) {
    const xp = x + ((<usize>(pl * H * W)) << 2);
    const yp = y + ((<usize>(pl * H * fh * Wo)) << 2);
    for (let iy = 0; iy < H; iy++) {
      const dst = yp + ((<usize>(iy * fh * Wo)) << 2);
      for (let ox = 0; ox < Wo; ox++) stf(dst + ((<usize>ox) << 2), ldf(xp + ((<usize>(iy * W + ox / fw)) << 2)));
      for (let r = 1; r < fh; r++) copyBytes(dst, dst + ((<usize>(r * Wo)) << 2), Wo * 4);
    }
  }
}
