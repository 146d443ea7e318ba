// One image of the FP32 convolution as a matrix product computed panel by
// panel:
//   y[m, p] = relu?(bias[m] + sum_k w[m, k] * col[k, p])
// for m < M output channels, p < P = Ho*Wo output pixels and k < depth =
// C*kh*kw, col being the image's im2col matrix. The pixels go 8 at a time:
// im2colPanel writes col's 8 columns as depth rows of 8 floats (so the inner
// loop reads them contiguously and they stay in L1 while every output
// channel passes), then 4x8 register blocks sweep the output channels.
//
// Register blocking: 4 output channels x 8 pixels = 8 accumulators, 2 panel
// vectors and 4 broadcast weights per depth step, 15 of V8's 15 vector
// registers on x64 at the peak (a larger block or a hand-unrolled depth loop
// makes TurboFan hoist the loads and spill; it unrolls this loop itself).
// No FMA in SIMD128: mul then add. With packed weights (the 4 channels'
// weights interleaved, [M/4][depth][4], see packWeights4) the 4 broadcasts
// come from one pointer at fixed offsets, which saves 3 address updates per
// step (about 10%). The blocks are generated (scripts/gen-kernels.mjs, from
// fp32/templates/block.ts.in into gen/blocks-f32.ts).
import { ldf, stf, ldv, stv } from "../mem";
import { block4x8p, block4x8, block3x8, block2x8, block1x8 } from "./gen/blocks-f32";

/** Floats of `scratch` a panel needs, and where packed weights would go. */
@inline export function panelFloats(depth: i32): i32 {
  return depth << 3;
}

/** Output channels done in 4-channel blocks: M & ~3, except that 4 + 2
 *  remaining channels go as 3 + 3 (a 2-channel block runs at about half
 *  the speed of a 3-channel one). */
@inline export function fourBlockChannels(M: i32): i32 {
  const M4 = M & ~3;
  return M - M4 == 2 && M4 >= 4 ? M4 - 4 : M4;
}

/** Interleaves the first M4 (a multiple of 4) rows of w [M, depth] as
 *  wp[t][k][r] = w[4t + r][k], one 4x4 transpose per 4 depth steps. */
export function packWeights4(w: usize, M4: i32, depth: i32, wp: usize): void {
  const lda = (<usize>depth) << 2;
  const d4 = depth & ~3;
  for (let m = 0; m < M4; m += 4) {
    const r0 = w + <usize>m * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
    for (let k = 0; k < d4; k += 4) {
      const off = (<usize>k) << 2;
      const a = ldv(r0 + off), b = ldv(r1 + off), c = ldv(r2 + off), d = ldv(r3 + off);
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
      stv(wp, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      stv(wp + 16, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      stv(wp + 32, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      stv(wp + 48, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      wp += 64;
    }
    for (let k = d4; k < depth; k++) {
      const off = (<usize>k) << 2;
      stf(wp, ldf(r0 + off));
      stf(wp + 4, ldf(r1 + off));
      stf(wp + 8, ldf(r2 + off));
      stf(wp + 12, ldf(r3 + off));
      wp += 16;
    }
  }
}

/** One image: x [C, H, W] -> y [M, Ho*Wo]. `panel` holds panelFloats(depth)
 *  floats; `wp` is packWeights4's output for the first fourBlockChannels(M)
 *  channels, or 0 to read w directly. */
export function convImage(
  x: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, Ho: i32, Wo: i32,
  M: i32, w: usize, wp: usize, bias: usize, y: usize, relu: bool, panel: usize,
): void {
  const depth = C * kh * kw;
  const P = Ho * Wo;
  const P8 = P & ~7;
  const M4 = fourBlockChannels(M);
  const lda = (<usize>depth) << 2;
  const ldc = (<usize>P) << 2;
  for (let p0 = 0; p0 < P8; p0 += 8) {
    im2colPanel(x, C, H, W, kh, kw, stride, pad, Wo, p0, 8, panel);
    const cj = y + ((<usize>p0) << 2);
    let m = 0;
    if (wp != 0) {
      for (; m < M4; m += 4) {
        block4x8p(depth, wp + <usize>m * lda, bias + ((<usize>m) << 2), panel, cj + <usize>m * ldc, ldc, relu);
      }
    } else {
      for (; m < M4; m += 4) {
        block4x8(depth, w + <usize>m * lda, lda, bias + ((<usize>m) << 2), panel, cj + <usize>m * ldc, ldc, relu);
      }
    }
    while (M - m >= 3) {
      block3x8(depth, w + <usize>m * lda, lda, bias + ((<usize>m) << 2), panel, cj + <usize>m * ldc, ldc, relu);
      m += 3;
    }
    if (m + 2 <= M) {
      block2x8(depth, w + <usize>m * lda, lda, bias + ((<usize>m) << 2), panel, cj + <usize>m * ldc, ldc, relu);
      m += 2;
    }
    if (m < M) {
      block1x8(depth, w + <usize>m * lda, lda, bias + ((<usize>m) << 2), panel, cj + <usize>m * ldc, ldc, relu);
    }
  }
  const rem = P - P8;
  if (rem > 0) {
    im2colPanel(x, C, H, W, kh, kw, stride, pad, Wo, P8, rem, panel);
    const step = (<usize>rem) << 2;
    for (let m = 0; m < M; m++) {
      const wr = w + <usize>m * lda;
      const b = ldf(bias + ((<usize>m) << 2));
      for (let q = 0; q < rem; q++) {
        let s = b;
        let bq = panel + ((<usize>q) << 2);
        for (let k = 0; k < depth; k++) {
          s += ldf(wr + ((<usize>k) << 2)) * ldf(bq);
          bq += step;
        }
        if (relu && s < 0) s = 0;
        stf(y + <usize>m * ldc + ((<usize>(P8 + q)) << 2), s);
      }
    }
  }
}

// ---------------------------------------------------------------- im2col

// dst[k][q] = the input under tap k = (c, ky, kx) of output pixel p0 + q,
// q < count (0 in the padding): depth rows of `count` floats.
function im2colPanel(
  x: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, Wo: i32,
  p0: i32, count: i32, dst: usize,
): void {
  const oy = p0 / Wo;
  const ox = p0 - oy * Wo;
  const ix0 = ox - pad;
  const rowBytes = (<usize>W) << 2;
  const planeBytes = <usize>H * rowBytes;
  if (count == 8 && stride == 1 && ox + 8 <= Wo && ix0 >= 0 && ix0 + kw + 7 <= W) {
    // The 8 pixels lie in one output row and, for every tap, read 8 adjacent
    // inputs inside the row: panel rows are plain copies (or zeros where the
    // tap's input row is padding).
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy - pad + ky;
        const end = dst + ((<usize>kw) << 5);
        if (iy >= 0 && iy < H) {
          let src = x + <usize>c * planeBytes + <usize>iy * rowBytes + ((<usize>ix0) << 2);
          if (kw == 5) {
            stv(dst, ldv(src)); stv(dst + 16, ldv(src + 16));
            stv(dst + 32, ldv(src + 4)); stv(dst + 48, ldv(src + 20));
            stv(dst + 64, ldv(src + 8)); stv(dst + 80, ldv(src + 24));
            stv(dst + 96, ldv(src + 12)); stv(dst + 112, ldv(src + 28));
            stv(dst + 128, ldv(src + 16)); stv(dst + 144, ldv(src + 32));
            dst = end;
            continue;
          }
          while (dst < end) {
            stv(dst, ldv(src));
            stv(dst + 16, ldv(src + 16));
            src += 4;
            dst += 32;
          }
        } else {
          while (dst < end) {
            stv(dst, f32x4.splat(0));
            stv(dst + 16, f32x4.splat(0));
            dst += 32;
          }
        }
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        let py = oy, px = ox;
        for (let q = 0; q < count; q++) {
          const iy = py * stride - pad + ky;
          const ix = px * stride - pad + kx;
          const v: f32 = iy >= 0 && iy < H && ix >= 0 && ix < W
            ? ldf(x + <usize>c * planeBytes + <usize>iy * rowBytes + ((<usize>ix) << 2))
            : 0;
          stf(dst, v);
          dst += 4;
          if (++px == Wo) { px = 0; py++; }
        }
      }
    }
  }
}
