// LeNet's layer shapes (conv1 1->20 k5 on 28x28, pool 2/2, conv2 20->50 k5,
// pool 2/2, ip1 800->500 + relu, ip2 500->10, softmax in FP32) through the
// kernel wrappers (src/int8/ops.ts) in nchw4 and in nc32hw32, random weights:
// each layout's int8 outputs must equal the scalar reference network's at
// every layer (conv1 takes the int16-pair path, conv2 the Winograd one).
// test/engine/placements.test.ts does the same through the engine's plans.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { type Layout, LAYOUTS, blockedBytes, unpackBlocked } from "../../src/int8/layout.js";
import { quantizeWeights, quantizeBias, requantMultipliers } from "../../src/int8/numerics.js";
import { packConv } from "../../src/int8/pack-conv.js";
import { packFc } from "../../src/int8/pack-fc.js";
import { convS8, dequantizeFromS8, fcS8, poolS8, quantizeToS8, uploadFcParams, uploadParams } from "../../src/int8/ops.js";
import { convScratchBytes } from "../../src/int8/scratch.js";
import { convS8Ref } from "../../src/reference/conv-s8.js";
import { maxPoolS8Ref } from "../../src/reference/pool-s8.js";
import { fcS8Ref } from "../../src/reference/fc-s8.js";
import { dequantizeRef, quantizeRef } from "../../src/reference/reformat-s8.js";
import { softmaxRef } from "../../src/reference/fp32-reference.js";
import { assertClose } from "../helpers.js";
import { debugKernels, firstDiff, getI8, putF32, randomF32 } from "./helpers.js";

const N = 3;
const rng = new Rng(2024);

interface Params { w: Int8Array; bias: Int32Array; mult: Float32Array }

/** Random f32 layer quantized per channel; s_out chosen so outputs spread. */
function layer(K: number, depth: number, sIn: number, sOut: number): Params {
  const bound = 1 / Math.sqrt(depth);
  const wq = quantizeWeights(randomF32(rng, K * depth, -bound, bound), K);
  const bias = quantizeBias(randomF32(rng, K, -0.1, 0.1), sIn, wq.scales);
  return { w: wq.q, bias, mult: requantMultipliers(sIn, wq.scales, sOut) };
}

const s = { data: Math.fround(1 / 127), conv1: Math.fround(0.6 / 127), pool1: 0, conv2: Math.fround(1.2 / 127), ip1: Math.fround(0.8 / 127), ip2: Math.fround(1.5 / 127) };
const input = randomF32(rng, N * 28 * 28, 0, 1);
const conv1 = layer(20, 25, s.data, s.conv1);
const conv2 = layer(50, 500, s.conv1, s.conv2);
const ip1 = layer(500, 800, s.conv2, s.ip1);
const ip2 = layer(10, 500, s.ip1, s.ip2);

/** Runs the network in one layout; returns every layer's int8 output (nchw) and the probabilities. */
function run(k: Kernels, layout: Layout): { outputs: Map<string, Int8Array>; prob: Float32Array } {
  const mark = k.arena.mark();
  const outputs = new Map<string, Int8Array>();
  const take = (name: string, p: number, C: number, H: number, W: number) =>
    outputs.set(name, unpackBlocked(getI8(k, p, blockedBytes(N, C, H, W, layout)), N, C, H, W, layout));
  const buf = (C: number, H: number, W: number) => k.arena.alloc(blockedBytes(N, C, H, W, layout));
  const pc1 = packConv(conv1.w, conv1.bias, conv1.mult, 20, 1, 5, layout, 1);
  const pc2 = packConv(conv2.w, conv2.bias, conv2.mult, 50, 20, 5, layout, 1);
  const scratch = k.arena.alloc(Math.max(convScratchBytes(1, 5, pc1.path), convScratchBytes(20, 5, pc2.path)));

  const x = buf(1, 28, 28);
  quantizeToS8(k, layout, s.data, { x: putF32(k, input), N, C: 1, H: 28, W: 28, y: x });
  take("data", x, 1, 28, 28);
  const c1 = buf(20, 24, 24);
  convS8(k, pc1, uploadParams(k, pc1), { x, N, C: 1, H: 28, W: 28, stride: 1, pad: 0, relu: false, y: c1, scratch });
  take("conv1", c1, 20, 24, 24);
  const p1 = buf(20, 12, 12);
  poolS8(k, "max", layout, { x: c1, N, C: 20, H: 24, W: 24, window: 2, stride: 2, y: p1 });
  take("pool1", p1, 20, 12, 12);
  const c2 = buf(50, 8, 8);
  convS8(k, pc2, uploadParams(k, pc2), { x: p1, N, C: 20, H: 12, W: 12, stride: 1, pad: 0, relu: false, y: c2, scratch });
  take("conv2", c2, 50, 8, 8);
  const p2 = buf(50, 4, 4);
  poolS8(k, "max", layout, { x: c2, N, C: 50, H: 8, W: 8, window: 2, stride: 2, y: p2 });
  take("pool2", p2, 50, 4, 4);
  const pf1 = packFc(ip1.w, ip1.bias, ip1.mult, 500, 50, 4, 4, layout);
  const f1 = buf(500, 1, 1);
  fcS8(k, pf1, uploadFcParams(k, pf1), { x: p2, N, relu: true, y: f1 });
  take("ip1+relu1", f1, 500, 1, 1);
  const pf2 = packFc(ip2.w, ip2.bias, ip2.mult, 10, 500, 1, 1, layout);
  const f2 = buf(10, 1, 1);
  fcS8(k, pf2, uploadFcParams(k, pf2), { x: f1, N, relu: false, y: f2 });
  take("ip2", f2, 10, 1, 1);
  const logits = k.arena.allocF32(N * 10);
  dequantizeFromS8(k, layout, s.ip2, { x: f2, N, C: 10, H: 1, W: 1, y: logits });
  const prob = k.arena.allocF32(N * 10);
  k.exports.softmax_f32(logits, N, 10, prob);
  const probs = k.arena.f32(prob, N * 10).slice();
  k.arena.release(mark);
  return { outputs, prob: probs };
}

function reference(): Map<string, Int8Array> {
  const out = new Map<string, Int8Array>();
  const x = quantizeRef(input, s.data);
  out.set("data", x);
  const c1 = convS8Ref({ x, N, C: 1, H: 28, W: 28, w: conv1.w, bias: conv1.bias, mult: conv1.mult, K: 20, kernel: 5, stride: 1, pad: 0, relu: false }).y;
  out.set("conv1", c1);
  const p1 = maxPoolS8Ref({ x: c1, N, C: 20, H: 24, W: 24, window: 2, stride: 2 }).y;
  out.set("pool1", p1);
  const c2 = convS8Ref({ x: p1, N, C: 20, H: 12, W: 12, w: conv2.w, bias: conv2.bias, mult: conv2.mult, K: 50, kernel: 5, stride: 1, pad: 0, relu: false }).y;
  out.set("conv2", c2);
  const p2 = maxPoolS8Ref({ x: c2, N, C: 50, H: 8, W: 8, window: 2, stride: 2 }).y;
  out.set("pool2", p2);
  const f1 = fcS8Ref(p2, N, 800, ip1.w, ip1.bias, ip1.mult, 500, true);
  out.set("ip1+relu1", f1);
  out.set("ip2", fcS8Ref(f1, N, 500, ip2.w, ip2.bias, ip2.mult, 10, false));
  return out;
}

for (const layout of LAYOUTS) {
  test(`LeNet layers in ${layout}: every layer's int8 output equals the scalar reference network's`, () => {
    const got = run(debugKernels(), layout);
    const ref = reference();
    for (const name of ["data", "conv1", "pool1", "conv2", "pool2", "ip1+relu1", "ip2"]) {
      const want = ref.get(name)!;
      assert.is(firstDiff(got.outputs.get(name)!, want), "none", `${name} (${layout}) vs the reference`);
      const distinct = new Set(want).size;
      assert.ok(distinct >= (name === "ip2" ? 8 : 20), `${name}: only ${distinct} distinct values (degenerate test data)`);
    }
    const prob = softmaxRef(dequantizeRef(ref.get("ip2")!, s.ip2), N, 10);
    assertClose(got.prob, prob, `prob (${layout}) vs softmax of the reference logits`, 1e-5, 1e-6);
  });
}

test.run();
