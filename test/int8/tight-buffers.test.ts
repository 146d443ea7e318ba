// Bounds of the issue-15 kernels (debug build): each kernel runs with each of
// its buffers sized exactly and placed first in the arena (a read or write
// before it is OUT_OF_BOUNDS) and last (one past its end is), for odd shapes
// with partial channel blocks, plane tails, pads and ceil_mode.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { blockedBytes, ceilTo, LAYOUTS, lanesOf, type Layout } from "../../src/int8/layout.js";
import { pool2dOutputSize } from "../../src/int8/pool-shapes.js";
import { debugKernels } from "./helpers.js";

type Run = (p: number[]) => void;
interface Call { name: string; bytes: number[]; run: Run }

const k = debugKernels();
const e = k.exports;
const SHAPES = [[3, 37, 5, 3], [1, 5, 1, 1], [2, 3, 3, 7]] as const;

function int8Calls(layout: Layout, N: number, C: number, H: number, W: number): Call[] {
  const G = lanesOf(layout), t = blockedBytes(N, C, H, W, layout), CP4 = ceilTo(C, G) * 4;
  const nchw4 = layout === "nchw4";
  const calls: Call[] = [];
  for (const [bc, bBytes] of [[0, t], [1, blockedBytes(N, C, 1, 1, layout)], [2, blockedBytes(1, C, 1, 1, layout)], [3, G]] as const) {
    calls.push({ name: `add_s8 broadcast ${bc}`, bytes: [t, bBytes, t], run: ([a, b, y]) => e.add_s8(a!, b!, N, C, H, W, G, bc, 0.5, 3, 0.7, -2, 1, -128, 127, y!) });
    calls.push({ name: `mul_s8 broadcast ${bc}`, bytes: [t, bBytes, t], run: ([a, b, y]) => e.mul_s8(a!, b!, N, C, H, W, G, bc, 0.01, 3, -2, 1, -128, 127, y!) });
  }
  for (const [at, extra] of [[0, 0], [3, 2], [G, 0], [35, 1], [1, 0]] as const) {
    const Ct = at + C + extra;
    const f = nchw4 ? e.concat_channels_nchw4_s8 : e.concat_channels_nc32hw32_s8;
    for (const m of [1, 0.75]) calls.push({ name: `concat at ${at} of ${Ct} m ${m}`, bytes: [t, blockedBytes(N, Ct, H, W, layout)], run: ([x, y]) => f(x!, N, C, H, W, y!, Ct, at, m, 0, 0) });
  }
  calls.push({ name: "lut", bytes: [t, 256, t], run: ([x, tb, y]) => (nchw4 ? e.lut_nchw4_s8 : e.lut_nc32hw32_s8)(x!, N, C, H, W, tb!, y!) });
  calls.push({ name: "prelu", bytes: [t, CP4, t], run: ([x, m, y]) => (nchw4 ? e.prelu_nchw4_s8 : e.prelu_nc32hw32_s8)(x!, N, C, H, W, 0.9, m!, 1, 2, y!) });
  calls.push({ name: "scale_shift", bytes: [t, CP4, CP4, t], run: ([x, m, d, y]) => (nchw4 ? e.scale_shift_nchw4_s8 : e.scale_shift_nc32hw32_s8)(x!, N, C, H, W, m!, d!, 1, 2, -128, 127, y!) });
  for (const [kh, kw, sh, sw, pads, ceil] of [[3, 3, 2, 2, [1, 1, 1, 1], 1], [2, 3, 1, 2, [1, 2, 0, 1], 1], [H, W, 1, 1, [0, 0, 0, 0], 0], [1, 1, 1, 1, [0, 0, 0, 0], 0]] as const) {
    if (H + pads[0] + pads[2] < kh || W + pads[1] + pads[3] < kw) continue;
    const [Ho, Wo] = pool2dOutputSize(H, W, kh, kw, sh, sw, pads, ceil === 1);
    for (const method of [0, 1]) {
      calls.push({ name: `pool2d ${method} ${[kh, kw, sh, sw, pads, ceil]}`, bytes: [t, blockedBytes(N, C, Ho, Wo, layout)],
        run: ([x, y]) => (nchw4 ? e.pool2d_nchw4_s8 : e.pool2d_nc32hw32_s8)(x!, N, C, H, W, kh, kw, sh, sw, pads[0], pads[1], pads[2], pads[3], ceil, method, 1, 1, 3, 2, y!) });
    }
  }
  calls.push({ name: "gap", bytes: [t, blockedBytes(N, C, 1, 1, layout)], run: ([x, y]) => (nchw4 ? e.gap_nchw4_s8 : e.gap_nc32hw32_s8)(x!, N, C, H, W, 1, 3, 2, y!) });
  calls.push({ name: "pad", bytes: [t, blockedBytes(N, C, H + 3, W + 2, layout)], run: ([x, y]) => (nchw4 ? e.pad_constant_nchw4_s8 : e.pad_constant_nc32hw32_s8)(x!, N, C, H, W, 1, 2, 2, 0, 5, y!) });
  calls.push({ name: "resize", bytes: [t, blockedBytes(N, C, H * 2, W * 3, layout)], run: ([x, y]) => (nchw4 ? e.resize_nearest_nchw4_s8 : e.resize_nearest_nc32hw32_s8)(x!, N, C, H, W, 2, 3, y!) });
  return calls;
}

function fp32Calls(N: number, C: number, H: number, W: number): Call[] {
  const n = N * C * H * W, t = n * 4;
  const calls: Call[] = [];
  for (const [bc, bBytes] of [[0, t], [1, N * C * 4], [2, C * 4], [3, 4]] as const) {
    for (const f of [e.add_nchw_f32, e.sub_nchw_f32, e.mul_nchw_f32]) calls.push({ name: `eltwise f32 ${bc}`, bytes: [t, bBytes, t], run: ([a, b, y]) => f(a!, b!, N, C, H, W, bc, y!) });
  }
  calls.push({ name: "sigmoid", bytes: [t, t], run: ([x, y]) => e.sigmoid_f32(x!, y!, n) });
  calls.push({ name: "tanh", bytes: [t, t], run: ([x, y]) => e.tanh_f32(x!, y!, n) });
  calls.push({ name: "hardsigmoid", bytes: [t, t], run: ([x, y]) => e.hardsigmoid_f32(x!, y!, n, 0.2, 0.5) });
  calls.push({ name: "hardswish", bytes: [t, t], run: ([x, y]) => e.hardswish_f32(x!, y!, n) });
  calls.push({ name: "leakyrelu", bytes: [t, t], run: ([x, y]) => e.leakyrelu_f32(x!, y!, n, 0.1) });
  calls.push({ name: "clip", bytes: [t, t], run: ([x, y]) => e.clip_f32(x!, y!, n, 0, 6) });
  calls.push({ name: "prelu f32", bytes: [t, C * 4, t], run: ([x, s, y]) => e.prelu_nchw_f32(x!, N, C, H, W, s!, y!) });
  calls.push({ name: "scale_shift f32", bytes: [t, C * 4, C * 4, t], run: ([x, a, b, y]) => e.scale_shift_nchw_f32(x!, N, C, H, W, a!, b!, y!) });
  const [Ho, Wo] = pool2dOutputSize(H, W, 2, 3, 1, 2, [1, 2, 0, 1], true);
  for (const method of [0, 1]) calls.push({ name: `pool2d f32 ${method}`, bytes: [t, N * C * Ho * Wo * 4], run: ([x, y]) => e.pool2d_nchw_f32(x!, N, C, H, W, 2, 3, 1, 2, 1, 2, 0, 1, 1, method, 1, y!) });
  calls.push({ name: "gap f32", bytes: [t, N * C * 4], run: ([x, y]) => e.gap_nchw_f32(x!, N, C, H, W, y!) });
  calls.push({ name: "concat f32", bytes: [t, N * (C + 4) * H * W * 4], run: ([x, y]) => e.concat_channels_nchw_f32(x!, N, C, H, W, y!, C + 4, 4) });
  calls.push({ name: "pad f32", bytes: [t, N * C * (H + 1) * (W + 5) * 4], run: ([x, y]) => e.pad_constant_nchw_f32(x!, N, C, H, W, 0, 2, 1, 3, 0, y!) });
  calls.push({ name: "resize f32", bytes: [t, N * C * H * 3 * W * 2 * 4], run: ([x, y]) => e.resize_nearest_nchw_f32(x!, N, C, H, W, 3, 2, y!) });
  return calls;
}

function runTight(c: Call, rng: Rng): void {
  for (let i = 0; i < c.bytes.length; i++) {
    for (const first of [true, false]) {
      const mark = k.arena.mark();
      assert.is(k.arena.bytesInUse, 0, "the arena starts empty");
      const order = first ? [i, ...c.bytes.keys()].filter((j, at) => at === 0 || j !== i) : [...[...c.bytes.keys()].filter((j) => j !== i), i];
      const ptrs: number[] = [];
      for (const j of order) {
        ptrs[j] = k.arena.alloc(c.bytes[j]!);
        k.arena.u8(ptrs[j]!, c.bytes[j]!).forEach((_, b, a) => (a[b] = Math.floor(rng.next() * 256) & 0x3f));
      }
      try {
        c.run(ptrs);
      } catch (err) {
        assert.unreachable(`${c.name}, buffer ${i} ${first ? "first" : "last"}: ${(err as Error).message}`);
      }
      k.arena.release(mark);
    }
  }
}

test("issue-15 int8 kernels stay inside exactly sized buffers (debug build)", () => {
  const rng = new Rng(61);
  for (const layout of LAYOUTS) for (const [N, C, H, W] of SHAPES) for (const c of int8Calls(layout, N, C, H, W)) runTight(c, rng);
});

test("issue-15 FP32 kernels stay inside exactly sized buffers (debug build)", () => {
  const rng = new Rng(62);
  for (const [N, C, H, W] of SHAPES) for (const c of fp32Calls(N, C, H, W)) runTight(c, rng);
});

test.run();
