// Unfolds one NCHW image into a [C*kh*kw, Ho*Wo] matrix so a convolution
// becomes a matrix product; col2im is its adjoint (used by training).
import { ldf, stf } from "../mem";

export function im2col_f32(
  x: usize, C: i32, H: i32, W: i32,
  kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, col: usize,
): void {
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        let dst = col + ((<usize>(row * Ho * Wo)) << 2);
        for (let oy = 0; oy < Ho; oy++) {
          const iy = oy * stride - pad + ky;
          const inRow = iy >= 0 && iy < H;
          const src = x + ((<usize>((c * H + iy) * W)) << 2);
          for (let ox = 0; ox < Wo; ox++) {
            const ix = ox * stride - pad + kx;
            const v: f32 = inRow && ix >= 0 && ix < W ? ldf(src + ((<usize>ix) << 2)) : 0;
            stf(dst, v);
            dst += 4;
          }
        }
        row++;
      }
    }
  }
}

// dx (NCHW, one image) += fold(dcol). dx must be zeroed by the caller.
export function col2im_f32(
  col: usize, C: i32, H: i32, W: i32,
  kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, dx: usize,
): void {
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        let src = col + ((<usize>(row * Ho * Wo)) << 2);
        for (let oy = 0; oy < Ho; oy++) {
          const iy = oy * stride - pad + ky;
          for (let ox = 0; ox < Wo; ox++) {
            const ix = ox * stride - pad + kx;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
              const p = dx + ((<usize>((c * H + iy) * W + ix)) << 2);
              stf(p, ldf(p) + ldf(src));
            }
            src += 4;
          }
        }
        row++;
      }
    }
  }
}
