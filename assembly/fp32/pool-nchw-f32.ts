// FP32 max pooling in NCHW, floor output size, no padding (TensorRT's
// default). When `argmax` is non-zero it receives, per output, the flat index
// of the winning input within its (n, c) plane, for the training backward pass.
// A 2x2 window with stride 2 and no argmax (inference) takes a SIMD path;
// everything else the general scalar loop.
import { ldf, stf, sti32, ldv, stv } from "../mem";

export function maxpool_nchw_f32(
  x: usize, N: i32, C: i32, H: i32, W: i32,
  window: i32, stride: i32, y: usize, argmax: usize,
): void {
  if (window == 2 && stride == 2 && argmax == 0) {
    maxpool2x2s2(x, N * C, H, W, y);
    return;
  }
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

// y = max over each 2x2 block, four outputs per step: the two input rows'
// maxima, then the maxima of their even and odd lanes. pmax(a, b) is
// `b > a ? b : a`, the scalar loop's comparison.
function maxpool2x2s2(x: usize, planes: i32, H: i32, W: i32, y: usize): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  const Wo4 = Wo & ~3;
  const rowBytes = (<usize>W) << 2;
  for (let plane = 0; plane < planes; plane++) {
    let r0 = x + ((<usize>(plane * H * W)) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      const r1 = r0 + rowBytes;
      let ox = 0;
      for (; ox < Wo4; ox += 4) {
        const off = (<usize>ox) << 3;
        const m0 = f32x4.pmax(ldv(r0 + off), ldv(r1 + off));
        const m1 = f32x4.pmax(ldv(r0 + off + 16), ldv(r1 + off + 16));
        const even = v128.shuffle<f32>(m0, m1, 0, 2, 4, 6);
        const odd = v128.shuffle<f32>(m0, m1, 1, 3, 5, 7);
        stv(y, f32x4.pmax(even, odd));
        y += 16;
      }
      for (; ox < Wo; ox++) {
        const p = r0 + ((<usize>ox) << 3);
        let best = ldf(p);
        let v = ldf(p + 4); if (v > best) best = v;
        v = ldf(p + rowBytes); if (v > best) best = v;
        v = ldf(p + rowBytes + 4); if (v > best) best = v;
        stf(y, best);
        y += 4;
      }
      r0 += rowBytes << 1;
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
