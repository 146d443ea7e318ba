// Plain-loop FP32 references for the issue-15 FP32 kernels (NCHW): the
// elementwise ops with broadcasts, per-channel PRelu and scale-shift, general
// pooling and GAP (f32 sums in row-major order, as the kernels add), channel
// concatenation.
import type { Broadcast } from "../int8/broadcast.js";
import { pool2dOutputSize, windowCount, type Pool2dGeometry } from "../int8/pool-shapes.js";

export function eltwiseF32Ref(
  op: "add" | "sub" | "mul", a: Float32Array, b: Float32Array, N: number, C: number, H: number, W: number, broadcast: Broadcast,
): Float32Array {
  const HW = H * W;
  const y = new Float32Array(N * C * HW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let p = 0; p < HW; p++) {
        const i = (n * C + c) * HW + p;
        const j = broadcast === "same" ? i : broadcast === "image-channel" ? n * C + c : broadcast === "channel" ? c : 0;
        y[i] = op === "add" ? a[i]! + b[j]! : op === "sub" ? a[i]! - b[j]! : a[i]! * b[j]!;
      }
  return y;
}

export function mapF32Ref(x: Float32Array, fn: (v: number) => number): Float32Array {
  return Float32Array.from(x, fn);
}

export function preluF32Ref(x: Float32Array, N: number, C: number, H: number, W: number, slope: Float32Array): Float32Array {
  const HW = H * W;
  return Float32Array.from(x, (v, i) => (v < 0 ? v * slope[Math.floor(i / HW) % C]! : v));
}

export function scaleShiftF32Ref(x: Float32Array, N: number, C: number, H: number, W: number, a: Float32Array, b: Float32Array): Float32Array {
  const HW = H * W;
  return Float32Array.from(x, (v, i) => Math.fround(v * a[Math.floor(i / HW) % C]!) + b[Math.floor(i / HW) % C]!);
}

export function pool2dF32Ref(
  x: Float32Array, N: number, C: number, H: number, W: number, g: Pool2dGeometry, method: "max" | "average", countIncludePad: boolean,
): { y: Float32Array; Ho: number; Wo: number } {
  const [Ho, Wo] = pool2dOutputSize(H, W, g.kh, g.kw, g.sh, g.sw, g.pads, g.ceilMode);
  const y = new Float32Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        const y0 = oy * g.sh - g.pads[0], x0 = ox * g.sw - g.pads[1];
        let best = -Infinity, sum = 0, taps = 0;
        for (let iy = Math.max(y0, 0); iy < Math.min(y0 + g.kh, H); iy++)
          for (let ix = Math.max(x0, 0); ix < Math.min(x0 + g.kw, W); ix++) {
            const v = x[(nc * H + iy) * W + ix]!;
            best = Math.max(best, v);
            sum = Math.fround(sum + v);
            taps++;
          }
        const count = countIncludePad ? windowCount(y0, g.kh, H, g.pads[2], true) * windowCount(x0, g.kw, W, g.pads[3], true) : taps;
        y[(nc * Ho + oy) * Wo + ox] = method === "max" ? best : sum / count;
      }
  return { y, Ho, Wo };
}

export function gapF32Ref(x: Float32Array, N: number, C: number, H: number, W: number): Float32Array {
  const HW = H * W;
  const y = new Float32Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let p = 0; p < HW; p++) s = Math.fround(s + x[nc * HW + p]!);
    y[nc] = s / HW;
  }
  return y;
}

export function concatF32Ref(inputs: { x: Float32Array; C: number }[], N: number, H: number, W: number): Float32Array {
  const HW = H * W;
  const Ct = inputs.reduce((s, i) => s + i.C, 0);
  const y = new Float32Array(N * Ct * HW);
  for (let n = 0; n < N; n++) {
    let at = 0;
    for (const { x, C } of inputs) {
      y.set(x.subarray(n * C * HW, (n + 1) * C * HW), (n * Ct + at) * HW);
      at += C;
    }
  }
  return y;
}
