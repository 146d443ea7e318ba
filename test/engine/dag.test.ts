// A DAG with every layer type octet has (residual add, stride-2 1x1
// projection, squeeze-excite: global average pool, sigmoid, broadcast mul;
// depthwise, dilated and rectangular convolutions, hard-swish, concat, padded
// ceil-mode pooling, a standalone scale) runs in FP32 through the engine's
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
import { storedInt8 } from "./stored-tensors.js";

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
  { name: "sub", type: "eltwise", op: "sub", inputs: ["hswish", "dil"], output: "sub" },
  { name: "cat", type: "concat", inputs: ["sub", "hswish"], output: "cat" },
  { name: "bn", type: "scale", inputs: ["cat"], output: "bn" },
  { name: "clip", type: "activation", fn: "clip", min: 0, max: 6, inputs: ["bn"], output: "clip" },
  { name: "pool", type: "pooling", method: "average", inputs: ["clip"], output: "pool", kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true },
  { name: "mpool", type: "pooling", method: "max", inputs: ["pool"], output: "mpool", kernelShape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] },
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

/** Scales from the FP32 network's largest |value| per tensor over the test input (minmax calibration). */
function minmaxScales(): Map<string, number> {
  const net = new Fp32Network(loadKernels("release"), model, N);
  net.input(N).set(input);
  net.run(N);
  const out = new Map<string, number>();
  for (const name of [graph.input.name, ...graph.layers.map((l) => l.output)]) {
    const v = net.tensor(name, N);
    let m = 0;
    for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
    out.set(name, m > 0 ? Math.fround(m / 127) : 1);
  }
  return out;
}

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
  if (options.device === "dla") assert.ok(plan.nodes.some((n) => n.kind === "compute" && n.device === "dla" && n.step.layers.length > 3), "a DLA subgraph of several layers");
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
  assert.ok(checked >= 18, `${checked} tensors compared`);
});

test.run();
