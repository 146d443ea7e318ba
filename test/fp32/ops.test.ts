// The issue-15 FP32 kernels (debug build, bounds-checked) against plain-loop
// references within 1e-6 relative on odd shapes: elementwise ops with every
// broadcast, the activations against their ONNX definitions, PRelu,
// scale-shift, pool2d (pads, ceil_mode, count_include_pad), GAP, concat,
// constant pad and nearest resize.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { BROADCAST_CODE, broadcastShape, type Broadcast } from "../../src/int8/broadcast.js";
import { clip, hardSigmoid, hardSwish, leakyRelu, sigmoid, tanh } from "../../src/int8/activation-table.js";
import { pool2dOutputSize, type Pads, type Pool2dGeometry } from "../../src/int8/pool-shapes.js";
import {
  concatF32Ref, eltwiseF32Ref, gapF32Ref, mapF32Ref, pool2dF32Ref, preluF32Ref, scaleShiftF32Ref,
} from "../../src/reference/ops-f32.js";
import { padConstantRef, resizeNearestRef } from "../../src/reference/pad-resize-s8.js";
import { randomF32, assertClose } from "../helpers.js";

const k = loadKernels("debug");
const arena = k.arena;
const put = (a: Float32Array) => {
  const p = arena.allocF32(a.length);
  arena.f32(p, a.length).set(a);
  return p;
};
const get = (p: number, n: number) => arena.f32(p, n).slice();
const SHAPES = [[1, 3, 5, 7], [3, 5, 4, 3], [1, 33, 3, 2], [3, 37, 2, 5], [1, 1, 1, 1], [2, 4, 1, 6]] as const;
const RTOL = 1e-6;

test("add/sub/mul_nchw_f32 with every broadcast, into another buffer and in place", () => {
  const fns = { add: k.exports.add_nchw_f32, sub: k.exports.sub_nchw_f32, mul: k.exports.mul_nchw_f32 };
  for (const [N, C, H, W] of SHAPES) {
    for (const bc of Object.keys(BROADCAST_CODE) as Broadcast[]) {
      for (const op of ["add", "sub", "mul"] as const) {
        const mark = arena.mark();
        const bs = broadcastShape(bc, N, C, H, W);
        const a = randomF32(N * C * H * W, N + C), b = randomF32(bs.reduce((s, d) => s * d, 1), H + W);
        const want = eltwiseF32Ref(op, a, b, N, C, H, W, bc);
        const ap = put(a), bp = put(b), yp = arena.allocF32(a.length);
        fns[op](ap, bp, N, C, H, W, BROADCAST_CODE[bc], yp);
        assertClose(get(yp, a.length), want, `${op} ${bc} ${[N, C, H, W]}`, RTOL, 0);
        fns[op](ap, bp, N, C, H, W, BROADCAST_CODE[bc], ap);
        assertClose(get(ap, a.length), want, `${op} ${bc} ${[N, C, H, W]} in place`, RTOL, 0);
        arena.release(mark);
      }
    }
  }
});

test("activations against their ONNX definitions (sigmoid, tanh, hardsigmoid, hardswish, leakyrelu, clip)", () => {
  const x = randomF32(1003, 7, -9, 9);
  x.set([0, -0, -3, 3, -2.9999998, 3.0000002, -6, 6, -90, 90, 1e-8, -1e-8, -2.5, 2.5]);
  const n = x.length;
  const xp = put(x), yp = arena.allocF32(n);
  // |y - def| <= 1e-6 |def| + 1e-7: the absolute term covers a result near 0
  // after cancellation (alpha*x + beta, x + 3) and sigmoid's tiny tail.
  const close = (what: string, def: (v: number) => number) => assertClose(get(yp, n), mapF32Ref(x, def), what, RTOL, 1e-7);
  k.exports.sigmoid_f32(xp, yp, n); close("sigmoid", sigmoid);
  k.exports.tanh_f32(xp, yp, n); close("tanh", tanh);
  k.exports.hardsigmoid_f32(xp, yp, n, 0.2, 0.5); close("hardsigmoid default", hardSigmoid());
  k.exports.hardsigmoid_f32(xp, yp, n, Math.fround(1 / 6), 0.5); close("hardsigmoid 1/6", hardSigmoid(Math.fround(1 / 6), 0.5));
  k.exports.hardswish_f32(xp, yp, n); close("hardswish", hardSwish);
  k.exports.leakyrelu_f32(xp, yp, n, Math.fround(0.01)); close("leakyrelu", leakyRelu(Math.fround(0.01)));
  k.exports.clip_f32(xp, yp, n, 0, 6); close("relu6", clip(0, 6));
  k.exports.clip_f32(xp, yp, n, -1.5, 2.25); close("clip", clip(-1.5, 2.25));
  k.exports.clip_f32(xp, yp, n, -Infinity, Infinity); close("clip unbounded", (v) => v);
  // In place, and a NaN stays NaN through the SIMD clamps and the scalar tail.
  const nan = put(new Float32Array([NaN, 1, NaN, -7, NaN]));
  k.exports.clip_f32(nan, nan, 5, 0, 6);
  assert.equal(Array.from(get(nan, 5)).map(String), ["NaN", "1", "NaN", "0", "NaN"]);
});

test("prelu_nchw_f32 and scale_shift_nchw_f32 per channel", () => {
  for (const [N, C, H, W] of SHAPES) {
    const mark = arena.mark();
    const x = randomF32(N * C * H * W, C, -2, 2), s = randomF32(C, 3), b = randomF32(C, 4);
    const yp = arena.allocF32(x.length);
    k.exports.prelu_nchw_f32(put(x), N, C, H, W, put(s), yp);
    assertClose(get(yp, x.length), preluF32Ref(x, N, C, H, W, s), `prelu ${[N, C, H, W]}`, RTOL, 0);
    k.exports.scale_shift_nchw_f32(put(x), N, C, H, W, put(s), put(b), yp);
    assertClose(get(yp, x.length), scaleShiftF32Ref(x, N, C, H, W, s, b), `scale_shift ${[N, C, H, W]}`, RTOL, 0);
    arena.release(mark);
  }
});

test("pool2d_nchw_f32 max and average: pads, ceil_mode, count_include_pad; gap_nchw_f32", () => {
  const geos: Pool2dGeometry[] = [
    { kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], ceilMode: false },
    { kh: 3, kw: 3, sh: 2, sw: 2, pads: [0, 0, 0, 0], ceilMode: true },
    { kh: 2, kw: 3, sh: 1, sw: 2, pads: [1, 2, 0, 1], ceilMode: true },
    { kh: 5, kw: 1, sh: 3, sw: 1, pads: [2, 0, 4, 0], ceilMode: false },
  ];
  for (const [N, C, H0, W0] of SHAPES) {
    const H = H0 + 4, W = W0 + 4;
    const mark = arena.mark();
    const x = randomF32(N * C * H * W, H * W, -1, 1);
    const xp = put(x);
    for (const g of geos) {
      const [Ho, Wo] = pool2dOutputSize(H, W, g.kh, g.kw, g.sh, g.sw, g.pads, g.ceilMode);
      const yp = arena.allocF32(N * C * Ho * Wo);
      for (const [method, cip] of [["max", false], ["average", false], ["average", true]] as const) {
        k.exports.pool2d_nchw_f32(xp, N, C, H, W, g.kh, g.kw, g.sh, g.sw, g.pads[0], g.pads[1], g.pads[2], g.pads[3], g.ceilMode ? 1 : 0, method === "max" ? 0 : 1, cip ? 1 : 0, yp);
        const want = pool2dF32Ref(x, N, C, H, W, g, method, cip);
        assertClose(get(yp, want.y.length), want.y, `pool2d ${method} cip ${cip} ${JSON.stringify(g)} ${[N, C, H, W]}`, RTOL, 0);
      }
    }
    const gp = arena.allocF32(N * C);
    k.exports.gap_nchw_f32(xp, N, C, H, W, gp);
    assertClose(get(gp, N * C), gapF32Ref(x, N, C, H, W), `gap ${[N, C, H, W]}`, RTOL, 0);
    arena.release(mark);
  }
});

test("concat_channels_nchw_f32, pad_constant_nchw_f32, resize_nearest_nchw_f32", () => {
  for (const [N, C, H, W] of SHAPES) {
    const mark = arena.mark();
    const parts = [C, 3, 1].map((c, i) => ({ x: randomF32(N * c * H * W, 10 + i), C: c }));
    const Ct = parts.reduce((s, p) => s + p.C, 0);
    const yp = arena.allocF32(N * Ct * H * W);
    let at = 0;
    for (const p of parts) {
      k.exports.concat_channels_nchw_f32(put(p.x), N, p.C, H, W, yp, Ct, at);
      at += p.C;
    }
    assertClose(get(yp, N * Ct * H * W), concatF32Ref(parts, N, H, W), `concat ${[N, C, H, W]}`, 0, 0);
    const x = parts[0]!.x, xp = put(x);
    for (const pads of [[0, 0, 0, 0], [1, 2, 3, 0], [2, 2, 2, 2]] as Pads[]) {
      const n = N * C * (H + pads[0] + pads[2]) * (W + pads[1] + pads[3]);
      const pp = arena.allocF32(n);
      k.exports.pad_constant_nchw_f32(xp, N, C, H, W, pads[0], pads[1], pads[2], pads[3], -0.5, pp);
      assertClose(get(pp, n), padConstantRef(x, N, C, H, W, pads, -0.5), `pad ${pads} ${[N, C, H, W]}`, 0, 0);
    }
    for (const [fh, fw] of [[2, 2], [1, 3], [3, 1]] as const) {
      const n = N * C * H * fh * W * fw;
      const rp = arena.allocF32(n);
      k.exports.resize_nearest_nchw_f32(xp, N, C, H, W, fh, fw, rp);
      assertClose(get(rp, n), resizeNearestRef(x, N, C, H, W, fh, fw), `resize ${fh}x${fw} ${[N, C, H, W]}`, 0, 0);
    }
    arena.release(mark);
  }
});

test.run();
