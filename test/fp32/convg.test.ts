// convg_nchw_f32 (debug build, bounds-checked) vs the plain-loop reference
// within 1e-5: groups, depthwise with a multiplier, rectangular kernels,
// per-axis strides and dilations, asymmetric pads, clamps (none, ReLU,
// ReLU6-like, a narrow range).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { convgF32Ref } from "../../src/reference/convg-f32.js";
import { convgF32ScratchFloats } from "../../src/int8/scratch.js";
import { convgOutputSize } from "../../src/int8/conv-geometry.js";
import { randomF32, assertClose } from "../helpers.js";
import { geom } from "../int8/convfam-helpers.js";

const k = loadKernels("debug");
const arena = k.arena;
const put = (a: Float32Array) => {
  const p = arena.allocF32(a.length);
  arena.f32(p, a.length).set(a);
  return p;
};

const cases = [
  { N: 1, C: 3, H: 7, W: 9, K: 5, groups: 1, g: geom(3, 2, 2, 1, 1, 2, [2, 1, 0, 1]), lo: -Infinity, hi: Infinity },
  { N: 3, C: 6, H: 5, W: 8, K: 9, groups: 3, g: geom(3, 3, 1, 1, 2, 2, [2, 2, 2, 2]), lo: 0, hi: Infinity },
  { N: 2, C: 37, H: 9, W: 7, K: 74, groups: 37, g: geom(3, 3, 2, 2, 1, 1, [1, 1, 1, 1]), lo: 0, hi: 6 },
  { N: 1, C: 10, H: 11, W: 12, K: 6, groups: 2, g: geom(5, 5, 2, 3, 1, 1, [0, 4, 3, 1]), lo: -0.5, hi: 0.25 },
  { N: 1, C: 33, H: 6, W: 11, K: 10, groups: 1, g: geom(1, 3, 1, 2, 1, 1, [0, 2, 0, 1]), lo: -Infinity, hi: Infinity },
  { N: 1, C: 5, H: 9, W: 6, K: 7, groups: 1, g: geom(1, 1, 2, 2), lo: 0, hi: Infinity },
  { N: 2, C: 4, H: 17, W: 19, K: 8, groups: 2, g: geom(7, 5, 3, 2, 2, 3, [6, 12, 5, 3]), lo: -Infinity, hi: 1 },
  { N: 1, C: 32, H: 6, W: 7, K: 32, groups: 32, g: geom(5, 5, 1, 1, 1, 1, [2, 2, 2, 2]), lo: 0, hi: 6 },
  { N: 1, C: 16, H: 5, W: 5, K: 24, groups: 1, g: geom(1, 1), lo: -Infinity, hi: Infinity },
] as const;

test(`convg_nchw_f32 matches the plain-loop reference over ${cases.length} shapes (groups, dilation, strides, asymmetric pads, clamps)`, () => {
  cases.forEach((c, i) => {
    const mark = arena.mark();
    const [Ho, Wo] = convgOutputSize(c.H, c.W, c.g);
    const depth = (c.C / c.groups) * c.g.kh * c.g.kw;
    const x = randomF32(c.N * c.C * c.H * c.W, 10 + i), w = randomF32(c.K * depth, 20 + i), b = randomF32(c.K, 30 + i);
    const ref = convgF32Ref({ x, N: c.N, C: c.C, H: c.H, W: c.W, w, b, K: c.K, groups: c.groups, geometry: c.g, lo: c.lo, hi: c.hi });
    const n = c.N * c.K * Ho * Wo;
    const scratch = arena.allocF32(convgF32ScratchFloats(c.C, c.groups, c.g.kh, c.g.kw, Ho, Wo));
    const px = put(x), pw = put(w), pb = put(b);
    const y = arena.allocF32(n);
    const g = c.g;
    k.exports.convg_nchw_f32(px, c.N, c.C, c.H, c.W, pw, pb, c.K, c.groups, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw,
      g.padTop, g.padLeft, g.padBottom, g.padRight, c.lo, c.hi, y, scratch);
    assertClose(arena.f32(y, n), ref.y, `convg_nchw_f32 case ${i}`);
    arena.release(mark);
  });
});

test("convg_nchw_f32: the clamp is applied (some outputs at each finite bound)", () => {
  const c = cases[2];
  const [Ho, Wo] = convgOutputSize(c.H, c.W, c.g);
  const ref = convgF32Ref({ x: randomF32(c.N * c.C * c.H * c.W, 1, -4, 4), N: c.N, C: c.C, H: c.H, W: c.W, w: randomF32(c.K * 9, 2, -2, 2), b: randomF32(c.K, 3), K: c.K, groups: c.groups, geometry: c.g, lo: 0, hi: 6 });
  assert.ok(ref.y.some((v) => v === 0) && ref.y.some((v) => v === 6) && ref.y.length === c.N * c.K * Ho * Wo);
});

test.run();
