// ReLUs that no conv / fc absorbs, through buildPlan and ExecutionContext on
// a small model built here: one after a max pooling writing a new tensor
// (x != y), one in place after an average pooling (x == y). They run as the
// GPU's relu_s8, as the DLA engine's relu command (profiled per layer too),
// split across devices, and as the GPU's FP32 ReLU; each is checked against
// the reference networks (reference-network.ts): INT8 exactly, FP32 within
// a float tolerance.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGraph } from "../../src/model/graph.js";
import { assembleModel, type Model } from "../../src/model/model.js";
import type { WeightMap } from "../../src/model/weights-file.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions, type Plan } from "../../src/engine/plan.js";
import { activationScale } from "../../src/int8/numerics.js";
import { Rng } from "../../src/util/rng.js";
import { runner } from "./fixtures.js";
import { fp32Reference, int8Reference } from "./reference-network.js";
import { int8Diff, storedInt8, storedInt8Tensors } from "./stored-tensors.js";
import { assertClose } from "../helpers.js";

const N = 6;
const rng = new Rng(314);

function randomWeights(model: { name: string; dims: number[]; bound: number }[]): WeightMap {
  const m: WeightMap = new Map();
  for (const { name, dims, bound } of model) {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
    m.set(name, { dims, data });
  }
  return m;
}

const graph = parseGraph(JSON.stringify({
  format: "octet-model", version: 1, name: "unfused-relu", input: { name: "data", shape: [3, 12, 12] },
  layers: [
    { name: "conv1", type: "convolution", input: "data", output: "conv1", numOutput: 6, kernel: 3, pad: 1 },
    { name: "pool1", type: "pooling", input: "conv1", output: "pool1", method: "max", window: 2 },
    { name: "reluA", type: "relu", input: "pool1", output: "a" },
    { name: "conv2", type: "convolution", input: "a", output: "conv2", numOutput: 40, kernel: 3, pad: 1 },
    { name: "pool2", type: "pooling", input: "conv2", output: "pool2", method: "average", window: 2 },
    { name: "reluB", type: "relu", input: "pool2", output: "pool2" },
    { name: "fc", type: "fully_connected", input: "pool2", output: "fc", numOutput: 10 },
    { name: "prob", type: "softmax", input: "fc", output: "prob" },
  ],
  output: "prob", weights: "random",
}), "unfused-relu.json");

const model: Model = assembleModel(graph, randomWeights([
  { name: "conv1.weight", dims: [6, 3, 3, 3], bound: 0.4 }, { name: "conv1.bias", dims: [6], bound: 0.3 },
  { name: "conv2.weight", dims: [40, 6, 3, 3], bound: 0.25 }, { name: "conv2.bias", dims: [40], bound: 0.3 },
  { name: "fc.weight", dims: [10, 360], bound: 0.1 }, { name: "fc.bias", dims: [10], bound: 0.1 },
]));

const input = new Float32Array(N * 3 * 12 * 12);
for (let i = 0; i < input.length; i++) input[i] = rng.uniform(-1, 1);
const fp32 = fp32Reference(model, input, N);

/** Max-abs calibration on the FP32 reference: a scale for every tensor. */
const scales = new Map([...fp32].map(([t, v]) => [t, activationScale(v.reduce((m, x) => Math.max(m, Math.abs(x)), 0))]));

function build(o: Partial<BuildOptions>): Plan {
  const options = { ...DEFAULT_BUILD, ...o };
  return buildPlan(model, options, options.precision === "fp32" ? null : scales, { algorithm: "max-abs", source: "test" });
}

const computeSteps = (p: Plan) => p.nodes.filter((n) => n.kind === "compute").map((n) => `${n.name}@${n.device}`);

function checkInt8(p: Plan, label: string, profile = false) {
  const r = runner(p, N, "debug", profile, true);
  r.input(N).set(input);
  r.run(N);
  const ref = int8Reference(model, p.scales, input, N);
  const tensors = storedInt8Tensors(r.ctx);
  assert.equal(tensors, ["conv1", "pool1", "a", "conv2", "pool2", "fc"]);
  for (const t of tensors) {
    const want = ref.int8.get(t)!;
    assert.ok(new Set(want).size >= 8, `${t}: degenerate reference`);
    assert.is(int8Diff(storedInt8(r.ctx, t, N), want, r.ctx.shapes.tensors.get(t)!), "none", `${label}: ${t}`);
  }
  assert.ok(ref.int8.get("pool1")!.some((v) => v < 0) && ref.int8.get("a")!.some((v) => v === 0), "reluA clamps something");
  assertClose(r.output(N), ref.prob, `${label}: prob`, 1e-5, 1e-6);
  return r;
}

test("GPU INT8: both ReLUs run alone as relu_s8 (into a new tensor, and in place), equal to the reference", () => {
  const p = build({ device: "gpu" });
  assert.equal(computeSteps(p), ["conv1@gpu", "pool1@gpu", "reluA@gpu", "conv2@gpu", "pool2@gpu", "reluB@gpu", "fc@gpu", "prob@gpu"]);
  checkInt8(p, "gpu");
});

test("DLA INT8: both ReLUs are relu commands of the fused subgraph, equal to the reference, profiled per layer", () => {
  const p = build({ device: "dla" });
  const subgraph = "{conv1,pool1,reluA,conv2,pool2,reluB,fc}";
  assert.equal(computeSteps(p), [`${subgraph}@dla`, "prob@gpu"]);
  const r = checkInt8(p, "dla", true);
  r.run(N);
  const prof = r.ctx.profiler!;
  const inner = prof.ranges.map((x, i) => [x, i] as const).filter(([x]) => x.kind === "dla-layer");
  assert.equal(inner.map(([x]) => x.name), ["conv1", "pool1", "reluA", "conv2", "pool2", "reluB", "fc"].map((l) => `${subgraph} > ${l}`));
  for (const [x, i] of inner) assert.is(prof.calls[i], 2, `${x.name} calls`);
});

test("split: reluA alone on the GPU between two DLA subgraphs, equal to the reference", () => {
  const p = build({ device: "dla", layerDevice: new Map([["reluA", "gpu"]]) });
  assert.equal(computeSteps(p), ["{conv1,pool1}@dla", "reluA@gpu", "{conv2,pool2,reluB,fc}@dla", "prob@gpu"]);
  checkInt8(p, "split");
});

test("GPU FP32: the ReLU into a new tensor (x != y) and the in-place one match the FP32 reference", () => {
  const p = build({ precision: "fp32" });
  assert.equal(computeSteps(p), ["conv1@gpu", "pool1@gpu", "reluA@gpu", "conv2@gpu", "pool2@gpu", "reluB@gpu", "fc@gpu", "prob@gpu"]);
  const r = runner(p, N, "debug", false, true);
  r.input(N).set(input);
  r.run(N);
  for (const t of ["conv1", "pool1", "a", "conv2", "pool2", "fc", "prob"]) {
    assertClose(r.ctx.readTensor(t, N), fp32.get(t)!, `fp32 ${t}`, 1e-5, 1e-6);
  }
  assert.ok(fp32.get("pool1")!.some((v) => v < 0) && fp32.get("a")!.some((v) => v === 0), "reluA clamps something");
  assert.ok(fp32.get("a")!.some((v) => v > 0), "reluA passes something");
});

test.run();
