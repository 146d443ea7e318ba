// Concat inputs written straight into the concat's buffer (concat-slices.ts):
// producers of every kernel family that can write a slice (1x1 GEMM,
// LeNet's conv paths, depthwise, grouped/dilated, fully connected, a table
// activation, a conv + Clip whose clamp is a table after
// the kernel), each run per image into its slice. (Pooling keeps its
// input's scale, so a pooled concat input is requantized: a copy.) The plan's final output,
// in the default memory plan (slices on), equals the scalar INT8 reference
// network bit for bit on the GPU, the DLA and a split, at batch 1 and 3.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGraph } from "../../src/model/graph.js";
import { inferShapes } from "../../src/model/shapes.js";
import { assembleModel, paramName } from "../../src/model/model.js";
import type { WeightMap } from "../../src/model/weights-file.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { planMemory } from "../../src/engine/memory-plan.js";
import { dequantize } from "../../src/int8/numerics.js";
import { randomF32 } from "../helpers.js";
import { int8Reference } from "./reference-network.js";
import { minmaxScalesOn } from "./minmax-scales.js";

const conv = (name: string, input: string, K: number, extra: Record<string, unknown> = {}) => ({
  name, type: "convolution", inputs: [input], output: name, numOutput: K, kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], ...extra,
});
const pointwise = { kernelShape: [1, 1], pads: [0, 0, 0, 0] };
const layers = [
  conv("stem", "x", 32, { strides: [2, 2] }),
  { name: "stem_relu", type: "relu", inputs: ["stem"], output: "stem_relu" },
  conv("p1x1", "stem_relu", 32, pointwise),
  { name: "p1x1_relu", type: "relu", inputs: ["p1x1"], output: "p1x1_relu" },
  conv("p3x3", "stem_relu", 32),
  { name: "p3x3_clip", type: "activation", fn: "clip", min: 0, max: 2, inputs: ["p3x3"], output: "p3x3_clip" },
  conv("pdw", "stem_relu", 32, { group: 32 }),
  conv("pdw2", "stem_relu", 32, { group: 32, strides: [1, 1] }),
  conv("pdil", "stem_relu", 8, { kernelShape: [3, 2], dilations: [2, 1], pads: [2, 0, 2, 1] }),
  { name: "psig", type: "activation", fn: "sigmoid", inputs: ["pdw"], output: "psig" },
  { name: "cat", type: "concat", inputs: ["p1x1_relu", "p3x3_clip", "psig", "pdw2", "pdil"], output: "cat" },
  conv("mix", "cat", 16, pointwise),
  { name: "gap", type: "global_pooling", method: "average", inputs: ["mix"], output: "gap" },
  { name: "fc_a", type: "fully_connected", inputs: ["gap"], output: "fc_a", numOutput: 32 },
  { name: "fc_b", type: "fully_connected", inputs: ["gap"], output: "fc_b", numOutput: 32 },
  { name: "head_cat", type: "concat", inputs: ["fc_a", "fc_b"], output: "head_cat" },
  { name: "fc", type: "fully_connected", inputs: ["head_cat"], output: "fc", numOutput: 10 },
];
const graph = parseGraph(JSON.stringify({ format: "octet-model", version: 2, name: "cat", input: { name: "x", shape: [3, 16, 14] }, layers, output: "fc", weights: "w" }), "cat.json");
const shapes = inferShapes(graph);
const w: WeightMap = new Map();
let seed = 7;
for (const l of graph.layers) {
  for (const [kind, dims] of Object.entries(shapes.layers.get(l.name)!.params)) w.set(paramName(l.name, kind), { dims, data: randomF32(dims.reduce((a, b) => a * b, 1), seed++, -0.3, 0.3) });
}
const model = assembleModel(graph, w, "w");
const N = 3;
const input = randomF32(N * 3 * 16 * 14, 31, 0, 1);

const scales = minmaxScalesOn(model, input, N);

for (const [where, options, inPlace] of [
  ["on the GPU", {}, 7],
  ["on the DLA", { device: "dla" }, 6],
  ["split (the head on the GPU)", { device: "dla", layerDevice: new Map([["head_cat", "gpu"], ["fc_a", "gpu"]]) }, 5],
] as [string, Partial<BuildOptions>, number][]) {
  test(`concat inputs written in place ${where}: the output equals the scalar INT8 reference, batch 1 and 3`, () => {
    const plan = buildPlan(model, { ...DEFAULT_BUILD, ...options }, scales, { algorithm: "minmax", source: "test" });
    const { slices, copies } = planMemory(plan, inferShapes(plan.graph), N).concats;
    assert.is(slices.size, inPlace, `in place: ${[...slices.values()].map((s) => s.value.tensor).join(", ")}; copied: ${copies.map((c) => `${c.tensor} (${c.why})`).join("; ")}`);
    if (options.device === "dla") {
      assert.ok(copies.some((c) => c.tensor === "pdil" && /32-channel blocks/.test(c.why)), "8 channels are copied on the DLA");
    }
    for (const n of [1, N]) {
      const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N);
      ctx.input(n).set(input.subarray(0, n * 3 * 16 * 14));
      ctx.enqueue(n);
      const ref = int8Reference(model, plan.scales, input.subarray(0, n * 3 * 16 * 14), n);
      const want = ref.int8.get("fc")!;
      const got = ctx.output(n);
      assert.is(got.length, want.length);
      for (let i = 0; i < want.length; i++) {
        const expected = dequantize(want[i]!, plan.scales["fc"]!);
        if (got[i] !== expected) assert.unreachable(`batch ${n}: output ${i} is ${got[i]}, the scalar reference gives ${expected}`);
      }
    }
  });
}

test("a concat input that another layer also reads is copied, and the build says why", () => {
  const g = parseGraph(JSON.stringify({
    format: "octet-model", version: 2, name: "shared", input: { name: "x", shape: [3, 9, 9] }, output: "fc", weights: "w",
    layers: [
      conv("a", "x", 8), conv("b", "x", 8),
      { name: "cat", type: "concat", inputs: ["a", "b"], output: "cat" },
      { name: "add", type: "eltwise", op: "add", inputs: ["cat", "cat"], output: "add" },
      { name: "side", type: "relu", inputs: ["b"], output: "side" },
      { name: "cat2", type: "concat", inputs: ["add", "side"], output: "cat2" },
      { name: "fc", type: "fully_connected", inputs: ["cat2"], output: "fc", numOutput: 4 },
    ],
  }), "shared.json");
  const s = inferShapes(g);
  const wm: WeightMap = new Map();
  for (const l of g.layers) for (const [kind, dims] of Object.entries(s.layers.get(l.name)!.params)) wm.set(paramName(l.name, kind), { dims, data: randomF32(dims.reduce((p, q) => p * q, 1), 3, -0.3, 0.3) });
  const m = assembleModel(g, wm, "w");
  const sc = new Map([...["x", "a", "b", "cat", "add", "side", "cat2", "fc"]].map((t) => [t, 0.05]));
  const plan = buildPlan(m, DEFAULT_BUILD, sc, { algorithm: "minmax", source: "test" });
  const { slices, copies } = planMemory(plan, inferShapes(plan.graph), 2).concats;
  assert.equal([...slices.values()].map((x) => x.value.tensor), ["a"]);
  assert.match(copies.find((c) => c.tensor === "b")!.why, /also read elsewhere/);
  assert.match(copies.find((c) => c.tensor === "add")!.why, /eltwise\) has no kernel that writes a slice/);
  assert.match(copies.find((c) => c.tensor === "side")!.why, /relu\) has no kernel that writes a slice/);
});

test.run();
