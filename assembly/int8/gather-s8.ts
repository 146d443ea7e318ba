// Gathers one output pixel's receptive field from an int8 input in a
// blocked layout (G = 4: nchw4, G = 32: nc32hw32) into a dense K-vector.
// K order: (channel block cb, ky, kx, lane l < r_cb) with r_cb the number of
// REAL channels in block cb (min(G, C - cb*G)): padding channels are never
// read, so both layouts gather exactly C*k*k values. Positions outside the
// input (convolution padding) contribute zeros. The vector is then padded
// with zeros up to Kp (a multiple of 8). src/int8/pack-conv.ts packs the
// weights in the same order.
import { copyBytes, zeroBytes } from "./mem-s8";
import { ldi8, sti8 } from "../mem";

@inline export function gatherPixel(
  G: i32, xn: usize, C: i32, H: i32, W: i32, ks: i32, stride: i32, pad: i32,
  oy: i32, ox: i32, dst: usize, Kp: i32,
): void {
  const iy0 = oy * stride - pad;
  const ix0 = ox * stride - pad;
  const plane = <usize>(H * W * G);
  const rowInside = ix0 >= 0 && ix0 + ks <= W;
  let d = dst;
  let cb = 0;
  for (let c0 = 0; c0 < C; c0 += G) {
    const r = min(G, C - c0);
    const run = ks * r;
    const src = xn + <usize>cb * plane;
    for (let ky = 0; ky < ks; ky++) {
      const iy = iy0 + ky;
      if (iy < 0 || iy >= H) {
        zeroBytes(d, run);
      } else {
        const row = src + <usize>(iy * W * G);
        if (rowInside && r == G) {
          copyBytes(row + <usize>(ix0 * G), d, run);
        } else if (rowInside && r == 1) {
          let s = row + <usize>(ix0 * G);
          for (let kx = 0; kx < ks; kx++) {
            sti8(d + <usize>kx, ldi8(s));
            s += <usize>G;
          }
        } else {
          for (let kx = 0; kx < ks; kx++) {
            const ix = ix0 + kx;
            const dd = d + <usize>(kx * r);
            if (ix < 0 || ix >= W) zeroBytes(dd, r);
            else copyBytes(row + <usize>(ix * G), dd, r);
          }
        }
      }
      d += <usize>run;
    }
    cb++;
  }
  zeroBytes(d, <i32>(dst + <usize>Kp - d));
}
