// The FP32 convolution's matrix product, on im2col data packed in column
// panels so the inner loop reads it contiguously:
//   y[m, p] = relu?(bias[m] + sum_k w[m, k] * col[k, p])
// for m < M output channels, p < P output pixels, k < depth = C*kh*kw.
//
// Panel layout of `col` (depth*P floats, the same size as plain im2col):
// the first P8 = P & ~7 columns come as P8/8 panels of depth rows of 8
// floats (panel j at col + 32*depth*j); the last P - P8 columns follow as
// depth rows of P - P8 floats.
//
// Register blocking: 5 output channels x 8 pixels (10 accumulators, 2 panel
// vectors, a broadcast weight and a product: 14 of V8's 15 vector registers
// on x64), the depth loop unrolled by 4. No FMA in SIMD128: mul then add.
import { ldf, stf, ldv, stv } from "../mem";
import { ldsp, ldsp1, ldsp2, ldsp3 } from "./mem-f32";

// ---------------------------------------------------------------- im2col

export function im2col_panels_f32(
  x: usize, C: i32, H: i32, W: i32,
  kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, col: usize,
): void {
  const P = Ho * Wo;
  const P8 = P & ~7;
  let dst = col;
  for (let p0 = 0; p0 < P8; p0 += 8) {
    const oy = p0 / Wo;
    const ox = p0 - oy * Wo;
    // The 8 pixels lie in one output row and read 8 adjacent inputs.
    const oneRow = stride == 1 && ox + 8 <= Wo;
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride - pad + ky;
        const src = x + ((<usize>((c * H + iy) * W)) << 2);
        const rowIn = iy >= 0 && iy < H;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * stride - pad + kx;
          if (oneRow && rowIn && ix >= 0 && ix + 8 <= W) {
            const s = src + ((<usize>ix) << 2);
            stv(dst, ldv(s));
            stv(dst + 16, ldv(s + 16));
          } else {
            gatherPixels(x, C, H, W, stride, pad, Wo, c, ky, kx, p0, 8, dst);
          }
          dst += 32;
        }
      }
    }
  }
  const rem = P - P8;
  if (rem > 0) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          gatherPixels(x, C, H, W, stride, pad, Wo, c, ky, kx, P8, rem, dst);
          dst += (<usize>rem) << 2;
        }
      }
    }
  }
}

// dst[q] = x[c, oy*stride - pad + ky, ox*stride - pad + kx] (0 outside the
// image) for the `count` output pixels (oy, ox) starting at flat index p0.
function gatherPixels(
  x: usize, C: i32, H: i32, W: i32, stride: i32, pad: i32, Wo: i32,
  c: i32, ky: i32, kx: i32, p0: i32, count: i32, dst: usize,
): void {
  let oy = p0 / Wo;
  let ox = p0 - oy * Wo;
  for (let q = 0; q < count; q++) {
    const iy = oy * stride - pad + ky;
    const ix = ox * stride - pad + kx;
    const v: f32 = iy >= 0 && iy < H && ix >= 0 && ix < W
      ? ldf(x + ((<usize>((c * H + iy) * W + ix)) << 2))
      : 0;
    stf(dst + ((<usize>q) << 2), v);
    if (++ox == Wo) { ox = 0; oy++; }
  }
}

// ---------------------------------------------------------------- GEMM

export function conv_gemm_panels_f32(
  M: i32, P: i32, depth: i32, w: usize, bias: usize, col: usize, y: usize, relu: bool,
): void {
  const P8 = P & ~7;
  const lda = (<usize>depth) << 2;
  const ldc = (<usize>P) << 2;
  const panelBytes = lda << 3;
  const M4 = M & ~3;
  let bp = col;
  for (let j = 0; j < P8; j += 8) {
    const cj = y + ((<usize>j) << 2);
    let m = 0;
    for (; m < M4; m += 4) {
      block4x8(depth, w + <usize>m * lda, lda, bias + ((<usize>m) << 2), bp, cj + <usize>m * ldc, ldc, relu);
    }
    for (; m < M; m++) {
      block1x8(depth, w + <usize>m * lda, ldf(bias + ((<usize>m) << 2)), bp, cj + <usize>m * ldc, relu);
    }
    bp += panelBytes;
  }
  const rem = P - P8;
  for (let m = 0; m < M; m++) {
    const wr = w + <usize>m * lda;
    const b = ldf(bias + ((<usize>m) << 2));
    for (let q = 0; q < rem; q++) {
      let s = b;
      let bq = bp + ((<usize>q) << 2);
      for (let k = 0; k < depth; k++) {
        s += ldf(wr + ((<usize>k) << 2)) * ldf(bq);
        bq += (<usize>rem) << 2;
      }
      if (relu && s < 0) s = 0;
      stf(y + <usize>m * ldc + ((<usize>(P8 + q)) << 2), s);
    }
  }
}

// @inline helpers keep the unrolled body readable; they are pure expressions.
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

@inline function out(p: usize, v: v128, relu: bool): void {
  // pmax(v, 0) = v < 0 ? 0 : v, the scalar ReLU exactly (NaN and -0 kept).
  stv(p, relu ? f32x4.pmax(v, f32x4.splat(0)) : v);
}

function block4x8(
  depth: i32, a0: usize, lda: usize, bias: usize, bp: usize, c: usize, ldc: usize, relu: bool,
): void {
  let a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  let c00 = ldsp(bias), c01 = c00;
  let c10 = ldsp1(bias), c11 = c10;
  let c20 = ldsp2(bias), c21 = c20;
  let c30 = ldsp3(bias), c31 = c30;
  const end = a0 + ((<usize>depth) << 2);
  while (a0 < end) {
    const b0 = ldv(bp), b1 = ldv(bp + 16);
    let s = ldsp(a0); c00 = madd(c00, s, b0); c01 = madd(c01, s, b1);
    s = ldsp(a1); c10 = madd(c10, s, b0); c11 = madd(c11, s, b1);
    s = ldsp(a2); c20 = madd(c20, s, b0); c21 = madd(c21, s, b1);
    s = ldsp(a3); c30 = madd(c30, s, b0); c31 = madd(c31, s, b1);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    bp += 32;
  }
  out(c, c00, relu); out(c + 16, c01, relu); c += ldc;
  out(c, c10, relu); out(c + 16, c11, relu); c += ldc;
  out(c, c20, relu); out(c + 16, c21, relu); c += ldc;
  out(c, c30, relu); out(c + 16, c31, relu);
}

function block1x8(depth: i32, a: usize, bias: f32, bp: usize, c: usize, relu: bool): void {
  let c0 = f32x4.splat(bias), c1 = c0;
  const end = a + ((<usize>depth) << 2);
  while (a < end) {
    const s = ldsp(a);
    c0 = madd(c0, s, ldv(bp));
    c1 = madd(c1, s, ldv(bp + 16));
    a += 4;
    bp += 32;
  }
  out(c, c0, relu);
  out(c + 16, c1, relu);
}
