// A DAG with every layer type octet has (residual add, stride-2 1x1
// projection, squeeze-excite: global average pool, sigmoid, broadcast mul;
// depthwise, dilated and rectangular convolutions, hard-swish, PRelu, concat,
// a standalone scale, an asymmetric constant pad, padded ceil-mode pooling,
// a nearest 1x2 resize) runs in FP32 through the engine's
// plan and through the FP32 reference network, and both agree with ONNX
// Runtime running octet's ONNX export of the same model: an oracle that
// shares no code with octet's kernels. In INT8 every stored tensor equals
// the plain-loop scalar reference network bit for bit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as ort from "onnxruntime-web";
import { parseGraph } from "../../src/model/graph.js";
import { inferShapes } from "../../src/model/shapes.js";
import { assembleModel, paramName } from "../../src/model/model.js";
import type { WeightMap } from "../../src/model/weights-file.js";
import { buildPlan, DEFAULT_BUILD } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { Fp32Network } from "../../src/exec/fp32-network.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { randomF32 } from "../helpers.js";
import { int8Reference } from "./reference-network.js";
import { minmaxScalesOn } from "./minmax-scales.js";
import { storedInt8 } from "./stored-tensors.js";
import type { Layer } from "../../src/model/graph.js";
import type { LayerShapes } from "../../src/model/shapes.js";
import { int8Kernel } from "../../src/engine/kernel-table.js";
import { int8LayerCalls } from "../../src/engine/lower-int8.js";
import { runCalls } from "../../src/engine/kernel-call.js";
import { dlaRefusal } from "../../src/builder/capabilities.js";
import { serializePlan, deserializePlan } from "../../src/engine/plan-file.js";
import { blockedBytes, packBlocked, unpackBlocked, LAYOUTS } from "../../src/int8/layout.js";
import { padConstantRef } from "../../src/reference/pad-resize-s8.js";
import { expectOctetError } from "../helpers.js";

ort.env.wasm.numThreads = 1;

const conv = (name: string, input: string, K: number, extra: Record<string, unknown> = {}) => ({
  name, type: "convolution", inputs: [input], output: name, numOutput: K, kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], ...extra,
});
const layers = [
  conv("stem", "x", 8, { strides: [2, 2] }),
  { name: "stem_relu", type: "relu", inputs: ["stem"], output: "stem_relu" },
  conv("c2", "stem_relu", 8, { bias: false }),
  conv("proj", "x", 8, { kernelShape: [1, 1], strides: [2, 2], pads: [0, 0, 0, 0] }),
  { name: "add", type: "eltwise", op: "add", inputs: ["c2", "proj"], output: "add" },
  { name: "add_relu", type: "relu", inputs: ["add"], output: "add_relu" },
  { name: "gap", type: "global_pooling", method: "average", inputs: ["add_relu"], output: "gap" },
  conv("se_reduce", "gap", 4, { kernelShape: [1, 1], pads: [0, 0, 0, 0] }),
  { name: "se_relu", type: "relu", inputs: ["se_reduce"], output: "se_relu" },
  conv("se_expand", "se_relu", 8, { kernelShape: [1, 1], pads: [0, 0, 0, 0] }),
  { name: "se_gate", type: "activation", fn: "sigmoid", inputs: ["se_expand"], output: "se_gate" },
  { name: "se", type: "eltwise", op: "mul", inputs: ["add_relu", "se_gate"], output: "se" },
  conv("dw", "se", 16, { group: 8, pads: [1, 0, 1, 1] }),
  { name: "hswish", type: "activation", fn: "hard_swish", inputs: ["dw"], output: "hswish" },
  conv("dil", "se", 16, { kernelShape: [3, 2], dilations: [2, 1], pads: [2, 0, 2, 0] }),
  { name: "dil_prelu", type: "prelu", inputs: ["dil"], output: "dil_prelu" },
  { name: "sub", type: "eltwise", op: "sub", inputs: ["hswish", "dil_prelu"], output: "sub" },
  { name: "cat", type: "concat", inputs: ["sub", "hswish"], output: "cat" },
  { name: "bn", type: "scale", inputs: ["cat"], output: "bn" },
  { name: "clip", type: "activation", fn: "clip", min: 0, max: 6, inputs: ["bn"], output: "clip" },
  { name: "pad", type: "pad", inputs: ["clip"], output: "pad", pads: [0, 1, 2, 0] },
  { name: "pool", type: "pooling", method: "average", inputs: ["pad"], output: "pool", kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true },
  { name: "up", type: "resize", inputs: ["pool"], output: "up", factors: [1, 2] },
  { name: "mpool", type: "pooling", method: "max", inputs: ["up"], output: "mpool", kernelShape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] },
  { name: "fc", type: "fully_connected", inputs: ["mpool"], output: "fc", numOutput: 10 },
  { name: "prob", type: "softmax", inputs: ["fc"], output: "prob" },
];
const graph = parseGraph(JSON.stringify({ format: "octet-model", version: 2, name: "dag", input: { name: "x", shape: [3, 15, 13] }, layers, output: "prob", weights: "dag.weights" }), "dag.json");

function weightsFor(): WeightMap {
  const shapes = inferShapes(graph);
  const w: WeightMap = new Map();
  let seed = 1;
  for (const l of graph.layers) {
    for (const [kind, dims] of Object.entries(shapes.layers.get(l.name)!.params)) {
      const n = dims.reduce((a, b) => a * b, 1);
      const lo = kind === "scale" ? 0.5 : -0.4, hi = kind === "scale" ? 1.5 : 0.4;
      w.set(paramName(l.name, kind), { dims, data: randomF32(n, seed++, lo, hi) });
    }
  }
  return w;
}

const model = assembleModel(graph, weightsFor(), "dag.weights");

const N = 3;
const input = randomF32(N * 3 * 15 * 13, 99, 0, 1);

async function ortOutputs(): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", input, [N, 3, 15, 13]) });
  return r[session.outputNames[0]!]!.data as Float32Array;
}

function close(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= 1e-5 + 1e-4 * Math.abs(expected[i]!))) assert.unreachable(`${what}: value ${i} is ${actual[i]}, ONNX Runtime gives ${expected[i]}`);
  }
}

const expected = await ortOutputs();

test("the FP32 plan of a DAG with every layer type equals ONNX Runtime on octet's export", () => {
  const plan = buildPlan(model, { ...DEFAULT_BUILD, precision: "fp32" }, null, null);
  const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N);
  ctx.input(N).set(input);
  ctx.enqueue(N);
  close(ctx.output(N), expected, "engine FP32 plan (debug build)");
});

test("the FP32 reference network (calibration's) agrees too", () => {
  const net = new Fp32Network(loadKernels("release"), model, N);
  net.input(N).set(input);
  net.run(N);
  close(net.output(N), expected, "Fp32Network");
});

const minmaxScales = () => minmaxScalesOn(model, input, N);

test("INT8 on the GPU runs every layer of the DAG in INT8 (debug build) and stays near FP32", () => {
  const plan = buildPlan(model, DEFAULT_BUILD, minmaxScales(), { algorithm: "minmax", source: "test" });
  const fp32Layers = plan.placement.filter((p) => p.precision !== "int8").map((p) => p.layer);
  assert.equal(fp32Layers, ["prob"], `only the softmax stays in FP32: ${plan.placement.filter((p) => p.precision !== "int8").map((p) => `${p.layer}: ${p.reason}`).join("; ")}`);
  const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N);
  ctx.input(N).set(input);
  ctx.enqueue(N);
  const out = ctx.output(N);
  for (let i = 0; i < out.length; i++) {
    if (!(Math.abs(out[i]! - expected[i]!) < 0.05)) assert.unreachable(`INT8 probability ${i} is ${out[i]}, FP32 (ONNX Runtime) ${expected[i]}`);
  }
});

for (const [where, options] of [
  ["on the GPU", {}],
  ["on the DLA (nc32hw32, one engine call per subgraph)", { device: "dla" as const }],
  ["split between the DLA and the GPU", { device: "dla" as const, layerDevice: new Map([["gap", "gpu" as const], ["cat", "gpu" as const]]) }],
] as const) test(`INT8 ${where} equals the scalar INT8 reference network bit for bit, at every stored tensor`, () => {
  const plan = buildPlan(model, { ...DEFAULT_BUILD, ...options }, minmaxScales(), { algorithm: "minmax", source: "test" });
  if (options.device === "dla") {
    assert.ok(plan.nodes.some((n) => n.kind === "compute" && n.device === "dla" && n.step.layers.length > 3), "a DLA subgraph of several layers");
    const placed = (layer: string) => plan.placement.find((p) => p.layer === layer)!;
    const pad = placed("pad");
    assert.ok(pad.device === "gpu" && pad.precision === "int8", "the pad runs INT8 on the GPU");
    assert.match(pad.reason, /^Padding: not a DLA layer \(TensorRT's DLA layer table has no padding layer\); switching/);
    for (const layer of ["up", "dil_prelu"]) assert.ok(placed(layer).device === "dla" && placed(layer).precision === "int8", `${layer} runs INT8 on the DLA: ${placed(layer).reason}`);
  }
  const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N, { profile: true, profileDlaLayers: true, inspectTensors: true });
  ctx.input(N).set(input);
  ctx.enqueue(N);
  const ref = int8Reference(model, plan.scales, input, N);
  let checked = 0;
  for (const [tensor, expectedQ] of ref.int8) {
    if (tensor === graph.input.name || !ctx.materialized(tensor)) continue;
    const found = storedInt8(ctx, tensor, N);
    for (let i = 0; i < expectedQ.length; i++) {
      if (found[i] !== expectedQ[i]) assert.unreachable(`${tensor}: value ${i} is ${found[i]}, the scalar reference gives ${expectedQ[i]}`);
    }
    checked++;
  }
  assert.ok(checked >= 21, `${checked} tensors compared`);
});

/** conv -> PReLU in place (Caffe's form) -> pad -> conv -> fc, with the pad's value given. */
function inPlaceModel(value: number) {
  const g = parseGraph(JSON.stringify({
    format: "octet-model", version: 2, name: "inplace", input: { name: "x", shape: [3, 15, 13] }, output: "fc", weights: "w",
    layers: [
      conv("c", "x", 6), { name: "c_prelu", type: "prelu", inputs: ["c"], output: "c" },
      { name: "pad", type: "pad", inputs: ["c"], output: "pad", pads: [2, 1, 0, 1], value },
      conv("c2", "pad", 4, { strides: [2, 2] }), { name: "fc", type: "fully_connected", inputs: ["c2"], output: "fc", numOutput: 5 },
    ],
  }), "inplace.json");
  const shapes = inferShapes(g);
  const w: WeightMap = new Map();
  let seed = 50;
  for (const l of g.layers) for (const [kind, dims] of Object.entries(shapes.layers.get(l.name)!.params)) w.set(paramName(l.name, kind), { dims, data: randomF32(dims.reduce((p, q) => p * q, 1), seed++, -0.3, 0.3) });
  return assembleModel(g, w, "w");
}

test("an in-place PReLU and a pad: FP32 = ONNX Runtime on the export; INT8 bit-exact (GPU and DLA) with a 0 pad; a nonzero pad value runs in FP32 with the reason", async () => {
  for (const value of [0, -0.5]) {
    const m = inPlaceModel(value);
    const session = await ort.InferenceSession.create(exportOnnx(m));
    const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", input, [N, 3, 15, 13]) });
    const fp32Plan = buildPlan(m, { ...DEFAULT_BUILD, precision: "fp32" }, null, null);
    const fctx = new ExecutionContext(fp32Plan, () => loadKernels("debug"), N);
    fctx.input(N).set(input);
    fctx.enqueue(N);
    close(fctx.output(N), r[session.outputNames[0]!]!.data as Float32Array, `FP32, pad value ${value}`);
    const scales = minmaxScalesOn(m, input, N);
    const plan = buildPlan(m, DEFAULT_BUILD, scales, { algorithm: "minmax", source: "test" });
    const pad = plan.placement.find((p) => p.layer === "pad")!;
    const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N, { inspectTensors: true });
    ctx.input(N).set(input);
    ctx.enqueue(N);
    if (value !== 0) {
      assert.is(pad.precision, "fp32");
      assert.match(pad.reason, /^default device GPU; pad value -0\.5 is -?[\d.]+ steps of the input's scale [\d.e-]+, not an exact int8 value: running this layer in FP32$/, pad.reason);
      assert.equal(plan.placement.filter((p) => p.precision === "fp32").map((p) => p.layer), ["pad"]);
      const out = ctx.output(N), want = fctx.output(N);
      for (let i = 0; i < out.length; i++) if (!(Math.abs(out[i]! - want[i]!) < 0.1)) assert.unreachable(`mixed INT8 / FP32 output ${i} is ${out[i]}, FP32 ${want[i]}`);
      continue;
    }
    assert.ok(plan.placement.every((p) => p.precision === "int8"), "all INT8 with a 0 pad");
    const ref = int8Reference(m, plan.scales, input, N);
    const dlaPlan = buildPlan(m, { ...DEFAULT_BUILD, device: "dla" }, scales, { algorithm: "minmax", source: "test" });
    assert.equal(dlaPlan.placement.filter((p) => p.device === "dla").map((p) => p.layer), ["c", "c_prelu", "c2", "fc"], "the in-place PReLU inside a DLA subgraph");
    const dctx = new ExecutionContext(dlaPlan, () => loadKernels("debug"), N, { inspectTensors: true });
    dctx.input(N).set(input);
    dctx.enqueue(N);
    for (const [where, c] of [["GPU", ctx], ["DLA", dctx]] as const) {
      for (const tensor of ["c", "pad", "c2", "fc"]) {
        const found = storedInt8(c, tensor, N), want = ref.int8.get(tensor)!;
        for (let i = 0; i < want.length; i++) if (found[i] !== want[i]) assert.unreachable(`${where}: ${tensor}: value ${i} is ${found[i]}, the scalar reference gives ${want[i]}`);
      }
    }
  }
});

test("a pad whose constant is an exact int8 value at its input's scale runs in INT8 through buildPlan and the engine, bit-exact with the reference", () => {
  const scales = minmaxScalesOn(inPlaceModel(0), input, N);
  const value = Math.fround(-3 * scales.get("c")!);
  const m = inPlaceModel(value);
  for (const device of ["gpu", "dla"] as const) {
    const plan = buildPlan(m, { ...DEFAULT_BUILD, device }, scales, { algorithm: "minmax", source: "test" });
    assert.is(plan.placement.find((p) => p.layer === "pad")!.precision, "int8", `${device}: the pad runs in INT8`);
    const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N, { inspectTensors: true });
    ctx.input(N).set(input);
    ctx.enqueue(N);
    const ref = int8Reference(m, plan.scales, input, N);
    const found = storedInt8(ctx, "pad", N), want = ref.int8.get("pad")!;
    assert.ok(want.includes(-3), "the padded border holds the constant's int8 value");
    for (let i = 0; i < want.length; i++) if (found[i] !== want[i]) assert.unreachable(`${device}: pad value ${i} is ${found[i]}, the scalar reference gives ${want[i]}`);
  }
});

const padShapes: LayerShapes = { input: [6, 3, 5], inputs: [[6, 3, 5]], output: [6, 4, 9], params: {} };
const padLayer = (value: number): Layer => ({ name: "p", type: "pad", inputs: ["x"], output: "p", pads: [1, 1, 0, 3], value });

test("a pad's constant runs in INT8 when it is 0, or when value / scale is an exact int8 value (q * scale = value); else FP32, with the reason; the DLA rules of pad, resize, prelu", () => {
  assert.equal(int8Kernel(padLayer(0), padShapes), { op: "pad" }, "0 needs no scale");
  assert.equal(int8Kernel(padLayer(-0.75), padShapes, () => 0.25), { op: "pad" }, "-0.75 = -3 x 0.25");
  assert.equal(int8Kernel(padLayer(31.75), padShapes, () => 0.25), { op: "pad" }, "127 x 0.25");
  assert.match(int8Kernel(padLayer(-0.75), padShapes, () => 0.1) as string, /^pad value -0.75 is -7.5 steps of the input's scale 0.1, not an exact int8 value/);
  assert.match(int8Kernel(padLayer(32), padShapes, () => 0.25) as string, /128 steps .* not an exact int8 value/, "beyond 127");
  assert.equal(int8Kernel(padLayer(0.3), padShapes, () => Math.fround(0.1)), { op: "pad" }, "f32(3 x f32(0.1)) = f32(0.3)");
  assert.match(int8Kernel(padLayer(-0.75), padShapes) as string, /^pad value -0.75 is not 0: INT8 needs it to be an exact int8 value at the input's scale, and no scales are known here/);
  assert.match(int8Kernel({ ...padLayer(0), pads: [70000, 0, 0, 0] } as Layer, { ...padShapes, output: [6, 70003, 9] }) as string, /pad output 70003x9 exceeds the INT8 kernels' 65536 per side/);
  assert.match(dlaRefusal(padLayer(0), padShapes, "int8")!, /^Padding: not a DLA layer/);
  const up: Layer = { name: "u", type: "resize", inputs: ["x"], output: "u", factors: [2, 33] };
  assert.match(dlaRefusal(up, { ...padShapes, output: [6, 6, 165] }, "int8")!, /^Resize: scale 33 is outside the DLA range 1..32/);
  assert.is(dlaRefusal({ ...up, factors: [2, 32] } as Layer, { ...padShapes, output: [6, 6, 160] }, "int8"), null, "nearest, integer scales in 1..32");
  assert.is(dlaRefusal({ name: "a", type: "prelu", inputs: ["x"], output: "a" }, { ...padShapes, output: padShapes.input }, "int8"), null, "Parametric ReLU: the slopes are build-time constants");
});

test("lowered INT8 pad writes the constant's int8 value (nchw4 and nc32hw32, = the scalar reference); an inexact value is refused at lowering too", () => {
  const k = loadKernels("debug");
  const [C, H, W] = padShapes.input, [, Ho, Wo] = padShapes.output;
  const n = 2;
  const x = Int8Array.from(randomF32(n * C * H * W, 5, -128, 128), (v) => Math.floor(v));
  for (const layout of LAYOUTS) {
    const xp = k.arena.alloc(blockedBytes(n, C, H, W, layout)), yp = k.arena.alloc(blockedBytes(n, C, Ho, Wo, layout));
    k.arena.i8(xp, blockedBytes(n, C, H, W, layout)).set(packBlocked(x, n, C, H, W, layout));
    const env = (value: number, s: number) => ({
      k, layout, layer: padLayer(value), shapes: padShapes, xs: [xp], y: yp, relu: false, scale: () => s, zero: () => 0,
      int8Params: () => assert.unreachable("no weights") as never, affineParams: () => assert.unreachable("no weights") as never,
    });
    runCalls(k.exports, int8LayerCalls(env(-0.75, 0.25)))(n);
    const y = unpackBlocked(k.arena.i8(yp, blockedBytes(n, C, Ho, Wo, layout)), n, C, Ho, Wo, layout);
    assert.equal(Array.from(y), Array.from(padConstantRef(x, n, C, H, W, [1, 1, 0, 3], -3)), `${layout}: -0.75 at scale 0.25 is -3`);
    expectOctetError(() => int8LayerCalls(env(-0.75, 0.1)), "BAD_ARGUMENT", /plan: layer p: pad value -0.75 is -7.5 steps .* \(placement runs such a pad in FP32\)/);
  }
});

test("an INT8 plan keeps a prelu's slopes as FP32 parameters (bias empty), through the plan file; a NaN, a slope beyond 65504 or a bias are refused", () => {
  const plan = buildPlan(model, DEFAULT_BUILD, minmaxScales(), { algorithm: "minmax", source: "test" });
  const p = plan.params.dil_prelu!;
  assert.ok(p.kind === "fp32" && p.weight.length === 16 && p.bias.length === 0, "16 slopes, no bias");
  assert.equal(Array.from(p.weight), Array.from(model.weights.get(paramName("dil_prelu", "slope"))!.data));
  const back = deserializePlan(serializePlan(plan), "dag.plan");
  assert.equal(Array.from((back.params.dil_prelu as typeof p).weight), Array.from(p.weight));
  const tampered = (params: Record<string, unknown>) => () => deserializePlan(serializePlan({ ...plan, params: { ...plan.params, dil_prelu: { ...p, ...params } } } as typeof plan), "bad.plan");
  const slopes = (i: number, v: number) => Float32Array.from(p.weight, (s, j) => (j === i ? v : s));
  expectOctetError(tampered({ weight: slopes(3, NaN) }), "PLAN_FORMAT", /bad.plan: params.dil_prelu.weight\[3\] is NaN, expected a finite number within \+-65504/);
  expectOctetError(tampered({ weight: slopes(0, 1e6) }), "PLAN_FORMAT", /params.dil_prelu.weight\[0\] is 1000000/);
  expectOctetError(tampered({ bias: new Float32Array(16) }), "PLAN_FORMAT", /params.dil_prelu.bias/);
  expectOctetError(tampered({ weight: new Float32Array(15) }), "PLAN_FORMAT", /params.dil_prelu.weight/);
  expectOctetError(tampered({ kind: "int8" }), "PLAN_FORMAT", /params.dil_prelu/);
});

test.run();
