// Int8 data movement in the blocked layouts: ONNX Pad (constant mode, on H
// and W) and nearest Resize by integer factors. Values move unchanged (y has
// x's scale and zero point); pad writes `value` (the zero point, for ONNX's
// constant 0) into the real lanes of padded pixels and 0 into padding lanes;
// copied pixels keep x's padding lanes, which are 0.
import { ldi32, ldv, sti32, stv } from "../mem";
import { copyBytes } from "./mem-s8";
import { realLaneMask } from "./lanes-s8";

// Writes `bytes` bytes (a multiple of G) of the pixel pattern p0 (G = 4: four
// pixels; G = 32: lanes 0..15 of a pixel) and p1 (lanes 16..31).
@inline function fill(G: i32, dst: usize, bytes: i32, p0: v128, p1: v128): void {
  let i = 0;
  if (G == 4) {
    for (; i + 16 <= bytes; i += 16) stv(dst + <usize>i, p0);
    for (; i < bytes; i += 4) sti32(dst + <usize>i, i32x4.extract_lane(p0, 0));
    return;
  }
  for (; i < bytes; i += 32) {
    stv(dst + <usize>i, p0);
    stv(dst + <usize>i + 16, p1);
  }
}

@inline function pad(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  top: i32, left: i32, bottom: i32, right: i32, value: i32, y: usize,
): void {
  const Ho = H + top + bottom, Wo = W + left + right;
  const CB = (C + G - 1) / G;
  const rowIn = W * G, rowOut = Wo * G;
  const v = i8x16.splat(<i8>value);
  for (let pl = 0; pl < N * CB; pl++) {
    const real = min(G, C - (pl % CB) * G);
    const p0 = v128.and(v, realLaneMask(G, 0, real)), p1 = v128.and(v, realLaneMask(G, 1, real));
    const xp = x + <usize>(pl * H * rowIn);
    const yp = y + <usize>(pl * Ho * rowOut);
    fill(G, yp, top * rowOut, p0, p1);
    for (let iy = 0; iy < H; iy++) {
      const row = yp + <usize>((top + iy) * rowOut);
      fill(G, row, left * G, p0, p1);
      copyBytes(xp + <usize>(iy * rowIn), row + <usize>(left * G), rowIn);
      fill(G, row + <usize>((left + W) * G), right * G, p0, p1);
    }
    fill(G, yp + <usize>((top + H) * rowOut), bottom * rowOut, p0, p1);
  }
}

@inline function resize(G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, fh: i32, fw: i32, y: usize): void {
  const CB = (C + G - 1) / G;
  const rowIn = W * G, rowOut = W * fw * G;
  for (let pl = 0; pl < N * CB; pl++) {
    const xp = x + <usize>(pl * H * rowIn);
    const yp = y + <usize>(pl * H * fh * rowOut);
    for (let iy = 0; iy < H; iy++) {
      const src = xp + <usize>(iy * rowIn);
      const dst = yp + <usize>(iy * fh * rowOut);
      let o = dst;
      for (let ix = 0; ix < W; ix++) {
        const p = src + <usize>(ix * G);
        if (G == 4) {
          const px = ldi32(p);
          for (let r = 0; r < fw; r++) { sti32(o, px); o += 4; }
        } else {
          const a = ldv(p), b = ldv(p + 16);
          for (let r = 0; r < fw; r++) { stv(o, a); stv(o + 16, b); o += 32; }
        }
      }
      for (let r = 1; r < fh; r++) copyBytes(dst, dst + <usize>(r * rowOut), rowOut);
    }
  }
}

export function pad_constant_nchw4_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, top: i32, left: i32, bottom: i32, right: i32, value: i32, y: usize,
): void {
  pad(4, x, N, C, H, W, top, left, bottom, right, value, y);
}

export function pad_constant_nc32hw32_s8(
  x: usize, N: i32, C: i32, H: i32, W: i32, top: i32, left: i32, bottom: i32, right: i32, value: i32, y: usize,
): void {
  pad(32, x, N, C, H, W, top, left, bottom, right, value, y);
}

export function resize_nearest_nchw4_s8(x: usize, N: i32, C: i32, H: i32, W: i32, fh: i32, fw: i32, y: usize): void {
  resize(4, x, N, C, H, W, fh, fw, y);
}

export function resize_nearest_nc32hw32_s8(x: usize, N: i32, C: i32, H: i32, W: i32, fh: i32, fw: i32, y: usize): void {
  resize(32, x, N, C, H, W, fh, fw, y);
}
