// Gathers one output pixel's receptive field from an int8 input in a
// blocked layout (G = 4: nchw4, G = 32: nc32hw32) into a dense int16
// K-vector (widened once here, so the GEMM's inner loop needs no widening).
// K order: (channel block cb, ky, kx, lane l < r_cb) with r_cb the number of
// REAL channels in block cb (min(G, C - cb*G)): padding channels are never
// read, so both layouts gather exactly C*k*k values. Positions outside the
// input (convolution padding) contribute zeros. The vector is then padded
// with zeros up to Kp elements (a multiple of 8). src/int8/pack-conv.ts packs
// the weights in the same order.
import { widenBytes, zeroBytes } from "./mem-s8";
import { ldi8, ldv } from "../mem";
import { check } from "../mem";

/** Widens `ks` positions of r channels each (stride G bytes in the source,
 *  r int16 in the destination) from a row known to be fully inside. */
@inline function widenRow(src: usize, d: usize, ks: i32, r: i32, G: i32, limit: usize): void {
  if (r == G) {
    widenBytes(src, d, ks * G);
  } else if (r == 1) {
    let s = src;
    let kx = 0;
    if (G == 4) {
      // 4 positions per 16-byte load, lane 0 of each picked by a shuffle and
      // sign-extended; never loads past `limit` (the end of the image).
      for (; kx + 4 <= ks && s + 16 <= limit; kx += 4) {
        const v = ldv(s);
        const e = i16x8.extend_low_i8x16_s(i8x16.shuffle(v, v, 0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        check(d + (<usize>kx << 1), 8);
        v128.store64_lane(d + (<usize>kx << 1), e, 0);
        s += 16;
      }
    }
    for (; kx < ks; kx++) {
      check(d + (<usize>kx << 1), 2);
      store<i16>(d + (<usize>kx << 1), <i16>ldi8(s));
      s += <usize>G;
    }
  } else {
    let s = src, dd = d;
    for (let kx = 0; kx < ks; kx++) {
      widenBytes(s, dd, r);
      s += <usize>G;
      dd += <usize>(r << 1);
    }
  }
}

/** (iy0, ix0): input position of the window's top-left corner (may be
 *  negative with padding). xn: the image's first byte. dst: Kp int16. */
@inline export function gatherPixel(
  G: i32, xn: usize, C: i32, H: i32, W: i32, ks: i32,
  iy0: i32, ix0: i32, dst: usize, Kp: i32,
): void {
  const plane = <usize>(H * W * G);
  const rowBytes = <usize>(W * G);
  const limit = xn + <usize>((C + G - 1) / G) * plane;
  let d = dst;
  if (iy0 >= 0 && iy0 + ks <= H && ix0 >= 0 && ix0 + ks <= W) {
    // Interior pixel: no bounds checks per position.
    let src = xn + <usize>iy0 * rowBytes + <usize>(ix0 * G);
    for (let c0 = 0; c0 < C; c0 += G) {
      const r = min(G, C - c0);
      const run = <usize>(ks * r) << 1;
      let s = src;
      for (let ky = 0; ky < ks; ky++) {
        widenRow(s, d, ks, r, G, limit);
        s += rowBytes;
        d += run;
      }
      src += plane;
    }
  } else {
    let src = xn;
    const rowInside = ix0 >= 0 && ix0 + ks <= W;
    for (let c0 = 0; c0 < C; c0 += G) {
      const r = min(G, C - c0);
      const run = (ks * r) << 1;
      for (let ky = 0; ky < ks; ky++) {
        const iy = iy0 + ky;
        if (iy < 0 || iy >= H) {
          zeroBytes(d, run);
        } else {
          const row = src + <usize>iy * rowBytes;
          if (rowInside) {
            widenRow(row + <usize>(ix0 * G), d, ks, r, G, limit);
          } else {
            for (let kx = 0; kx < ks; kx++) {
              const ix = ix0 + kx;
              const dd = d + <usize>((kx * r) << 1);
              if (ix < 0 || ix >= W) zeroBytes(dd, r << 1);
              else widenBytes(row + <usize>(ix * G), dd, r);
            }
          }
        }
        d += <usize>run;
      }
      src += plane;
    }
  }
  zeroBytes(d, <i32>(dst + (<usize>Kp << 1) - d));
}
