// Int8 convolution shared by both blocked layouts (G = 4 or 32): for chunks
// of CONV_PIXEL_CHUNK output pixels, gather their receptive fields into the
// scratch buffer, widened to int16 (gather-s8.ts), then run the int16 4x2
// GEMM tiles (gemm-s8.ts) against the packed int16 weights, requantize and
// store into the output layout.
//
// weights: [K4][Kp] int16, K4 = ceil(K/4)*4 rows (padding rows zero),
//          Kp = ceil(C*ks*ks / 8)*8 elements per row, order as gather-s8.ts;
// bias: int32[K4]; mult: f32[K4] (padding channels 0);
// scratch: CONV_PIXEL_CHUNK * Kp * 2 bytes (src/int8/scratch.ts).
// Output padding channels (K4..ceil(K/G)*G) are written as zero.
//
// The path is the host's choice, an argument (src/int8/kernel-config.ts's
// table and CONV_PATH_CODE; the packing follows it): 0 the gathered dot
// path above; 2 the 1-D Winograd F(2,5) path of conv-wino-s8.ts for 5x5
// kernels at stride 1 with 25C <= CONV_WINO_MAX_DEPTH (exact; its weights
// follow the [K4][Kp] rows, its scratch is in src/int8/scratch.ts); 1 the
// channels-in-lanes path of conv-pairs-s8.ts for shallow receptive fields:
// weights int16 pairs
// [C*ceil(ks*ks/2)][K4][2]; scratch C * 5ks * pairRowPitch bytes (R, P and
// H rings, stride at most 8) + 4 * C*ceil(ks*ks/2) bytes (pair table).
import { gatherPixel } from "./gather-s8";
import { sti32 } from "../mem";
import { panel4s16 } from "./gemm-s8";
import { convWinoS8 } from "./conv-wino-s8";
import { zeroBytes } from "./mem-s8";
import { pairPanel4, pairPanel8, pairPanel12, pairPanel16, pairRowPitch, widenInputRow, interleaveRows } from "./conv-pairs-s8";

export const CONV_PIXEL_CHUNK: i32 = 16;

/** The path argument (CONV_PATH_CODE in src/int8/kernel-config.ts); 0 is the gathered dot path. */
const CONV_PATH_PAIRS: i32 = 1;
const CONV_PATH_WINOGRAD: i32 = 2;

/** Byte offset of channel k (a multiple of 4) at pixel 0 within an image
 *  of P pixels in layout G = 1 << gs. */
@inline function chanOffset(k: i32, P: i32, gs: i32): usize {
  return <usize>((((k >> gs) * P) << gs) + (k & ((1 << gs) - 1)));
}

@inline export function convS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, ks: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize, path: i32,
): void {
  if (path == CONV_PATH_PAIRS) {
    convPairsS8(G, x, N, C, H, W, weights, bias, mult, K, ks, stride, pad, y, relu, scratch);
  } else if (path == CONV_PATH_WINOGRAD) {
    // U follows the direct path's [K4][Kp] int16 rows.
    const Kp = (C * ks * ks + 7) & ~7;
    const K4 = (K + 3) & ~3;
    convWinoS8(G, x, N, C, H, W, weights + <usize>(K4 * Kp * 2), bias, mult, K, pad, y, relu, scratch);
    const gs = G == 4 ? 2 : 5;
    const P = (H + 2 * pad - 4) * (W + 2 * pad - 4);
    const imageBytes = <usize>(((K + G - 1) >> gs) * P * G);
    for (let n = 0; n < N; n++) zeroPaddingChannels(y + <usize>n * imageBytes, P, G, gs, K);
  } else {
    convDotS8(G, x, N, C, H, W, weights, bias, mult, K, ks, stride, pad, y, relu, scratch);
  }
}

/** Gathers pixels p0 .. p0+pc-1 (p0 = oy0*Wo + ox0) into rows of Kp int16 at dst. */
@inline function gatherChunk(
  G: i32, xn: usize, C: i32, H: i32, W: i32, ks: i32, stride: i32, pad: i32,
  Wo: i32, oy0: i32, ox0: i32, pc: i32, Kp: i32, dst: usize,
): void {
  let oy = oy0, ox = ox0;
  for (let j = 0; j < pc; j++) {
    gatherPixel(G, xn, C, H, W, ks, oy * stride - pad, ox * stride - pad, dst + <usize>(j * Kp * 2), Kp);
    if (++ox == Wo) { ox = 0; oy++; }
  }
}

@inline function convDotS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, ks: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const gs = G == 4 ? 2 : 5;
  const Ho = (H + 2 * pad - ks) / stride + 1;
  const Wo = (W + 2 * pad - ks) / stride + 1;
  const P = Ho * Wo;
  const CBi = (C + G - 1) >> gs;
  const CBo = (K + G - 1) >> gs;
  const Kp = (C * ks * ks + 7) & ~7;
  const K4 = (K + 3) & ~3;
  const ldw = <usize>Kp << 1; // bytes per int16 row
  const Gu = <usize>G;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * CBi * H * W * G);
    const yn = y + <usize>(n * CBo * P * G);
    let oy = 0, ox = 0;
    for (let p0 = 0; p0 < P; p0 += CONV_PIXEL_CHUNK) {
      const pc = min(CONV_PIXEL_CHUNK, P - p0);
      gatherChunk(G, xn, C, H, W, ks, stride, pad, Wo, oy, ox, pc, Kp, scratch);
      ox += pc;
      while (ox >= Wo) { ox -= Wo; oy++; }
      for (let kg = 0; kg < K4; kg += 4) {
        const wr = weights + <usize>kg * ldw;
        const bk = bias + (<usize>kg << 2);
        const mk = mult + (<usize>kg << 2);
        const ob = yn + chanOffset(kg, P, gs) + <usize>p0 * Gu;
        panel4s16(wr, ldw, scratch, pc, Kp, bk, mk, relu, ob, Gu);
      }
    }
    zeroPaddingChannels(yn, P, G, gs, K);
  }
}

/** Writes zeros to output channels K4..ceil(K/G)*G of one image. */
@inline function zeroPaddingChannels(yn: usize, P: i32, G: i32, gs: i32, K: i32): void {
  const K4 = (K + 3) & ~3;
  const CBo = (K + G - 1) >> gs;
  const tail = (CBo << gs) - K4;
  if (tail > 0) {
    let o = yn + chanOffset(K4, P, gs);
    for (let p = 0; p < P; p++) {
      zeroBytes(o, tail);
      o += <usize>G;
    }
  }
}

@inline function convPairsS8(
  G: i32, x: usize, N: i32, C: i32, H: i32, W: i32,
  weights: usize, bias: usize, mult: usize, K: i32, ks: i32, stride: i32, pad: i32,
  y: usize, relu: bool, scratch: usize,
): void {
  const gs = G == 4 ? 2 : 5;
  const Ho = (H + 2 * pad - ks) / stride + 1;
  const Wo = (W + 2 * pad - ks) / stride + 1;
  const P = Ho * Wo;
  const CBi = (C + G - 1) >> gs;
  const CBo = (K + G - 1) >> gs;
  const K4 = (K + 3) & ~3;
  const ldw = <usize>(K4 << 2);
  // Scratch: per channel, rings of ks R slots, ks P slots, ks H slots; then
  // the pair address table.
  const pitchR = <usize>pairRowPitch(ks, CONV_PIXEL_CHUNK);
  const pitch2 = pitchR << 1;
  const ksu = <usize>ks;
  const offP = ksu * pitchR, offH = offP + ksu * pitch2;
  const cstride = offH + ksu * pitch2;
  const tab = scratch + <usize>C * cstride;
  const nrp = ks >> 1, odd = (ks & 1) != 0, hk = (ks + 1) >> 1;
  const npairs = C * (nrp * ks + (odd ? hk : 0));
  const st4 = <usize>(stride << 2);
  const Gu = <usize>G;
  // Byte distance between consecutive 4-channel groups inside a tile (which
  // never straddles a 32-channel block).
  const groupStep = G == 4 ? <usize>(P << 2) : <usize>4;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * CBi * H * W * G);
    const yn = y + <usize>(n * CBo * P * G);
    for (let ox0 = 0; ox0 < Wo; ox0 += CONV_PIXEL_CHUNK) {
      const pc = min(CONV_PIXEL_CHUNK, Wo - ox0);
      const len = (pc - 1) * stride + ks + 1;
      const n8 = (len + 7) >> 3;
      const ix0 = ox0 * stride - pad;
      let next = -pad; // next input row to build
      for (let oy = 0; oy < Ho; oy++) {
        const lo = oy * stride - pad;
        const hi = lo + ks; // window rows lo .. hi-1
        for (let iy = max(next, lo); iy < hi; iy++) {
          const m = <usize>(((iy % ks) + ks) % ks);
          const m0 = <usize>((((iy - 1) % ks) + ks) % ks);
          for (let c = 0; c < C; c++) {
            const cb = scratch + <usize>c * cstride;
            const r = cb + m * pitchR;
            widenInputRow(G, xn, c, H, W, iy, ix0, len, r);
            // Every built row but the first of the window completes the
            // vertical pair that starts one row above it.
            if (iy > lo) interleaveRows(cb + m0 * pitchR, r, cb + offP + m0 * pitch2, n8);
            if (odd) interleaveRows(r, r + 2, cb + offH + m * pitch2, n8);
          }
        }
        next = max(next, hi);
        // Pair address table for this output row (band's first pixel).
        let t = tab;
        for (let c = 0; c < C; c++) {
          const cb = scratch + <usize>c * cstride;
          for (let rp = 0; rp < nrp; rp++) {
            const row = cb + offP + <usize>((((lo + 2 * rp) % ks) + ks) % ks) * pitch2;
            for (let kx = 0; kx < ks; kx++) {
              sti32(t, <i32>(row + (<usize>kx << 2)));
              t += 4;
            }
          }
          if (odd) {
            const row = cb + offH + <usize>((((hi - 1) % ks) + ks) % ks) * pitch2;
            for (let kxp = 0; kxp < hk; kxp++) {
              sti32(t, <i32>(row + (<usize>kxp << 3)));
              t += 4;
            }
          }
        }
        const prow = yn + <usize>(oy * Wo + ox0) * Gu;
        // 16-channel panels, then the rest (4..20 channels; 20 as 12 + 8: a
        // 20-channel tile's 10 accumulators spill in V8).
        let kg = 0;
        for (; K4 - kg > 20; kg += 16) {
          const kb = <usize>kg << 2;
          pairPanel16(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, prow + chanOffset(kg, P, gs), Gu, groupStep);
        }
        const rest = K4 - kg;
        // A panel of more than 4 channels must not straddle a 32-channel block.
        if (G == 32 && rest > 4 && (kg >> 5) != ((K4 - 1) >> 5)) {
          for (; kg < K4; kg += 4) {
            const kb = <usize>kg << 2;
            pairPanel4(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, prow + chanOffset(kg, P, gs), Gu, groupStep);
          }
        } else {
          if (rest == 20 || rest == 12) {
            const kb = <usize>kg << 2;
            pairPanel12(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, prow + chanOffset(kg, P, gs), Gu, groupStep);
            kg += 12;
          }
          const kb = <usize>kg << 2;
          const co = prow + chanOffset(kg, P, gs);
          const left = K4 - kg;
          if (left == 16) pairPanel16(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, co, Gu, groupStep);
          else if (left == 8) pairPanel8(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, co, Gu, groupStep);
          else if (left == 4) pairPanel4(weights + kb, ldw, tab, npairs, pc, st4, bias + kb, mult + kb, relu, co, Gu, groupStep);
        }
      }
    }
    zeroPaddingChannels(yn, P, G, gs, K);
  }
}
