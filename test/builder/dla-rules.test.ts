// TensorRT's DLA rules on DAGs: each named restriction refuses the layers it
// names and only those (they fall back to the GPU with the rule in the
// reason); subgraphs are convex, and a split says why; a core holds 16
// loadables and the rest runs on the GPU, saying so; Orin's table differs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGraph } from "../../src/model/graph.js";
import { assembleModel, paramName, type Model } from "../../src/model/model.js";
import { inferShapes } from "../../src/model/shapes.js";
import { placeLayers, DEFAULT_PLACEMENT } from "../../src/builder/placement.js";
import { placeAndFuse } from "../../src/builder/partition.js";
import type { WeightMap } from "../../src/model/weights-file.js";
import { deviceCapability } from "../../src/onnx/inspect.js";

function model(layers: unknown[], shape = [4, 12, 12]): Model {
  const graph = parseGraph(JSON.stringify({ format: "octet-model", version: 2, name: "t", input: { name: "x", shape }, layers, output: (layers.at(-1) as { output: string }).output, weights: "w" }), "t.json");
  const shapes = inferShapes(graph);
  const w: WeightMap = new Map();
  for (const l of graph.layers) for (const [kind, dims] of Object.entries(shapes.layers.get(l.name)!.params)) w.set(paramName(l.name, kind), { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  return assembleModel(graph, w);
}
const conv = (name: string, input: string, extra: Record<string, unknown> = {}) => ({
  name, type: "convolution", inputs: [input], output: name, numOutput: 4, kernelShape: [3, 3], pads: [1, 1, 1, 1], ...extra,
});
const dla = { ...DEFAULT_PLACEMENT, device: "dla" as const };
const reasons = (m: Model, scales?: Map<string, number>, o = dla) => Object.fromEntries(placeLayers(m, o, scales).map((p) => [p.layer.name, `${p.device}: ${p.reason}`]));

test("ElementWise and Concatenation need equal INT8 ranges on the DLA; other rules name what they refuse", () => {
  const m = model([
    conv("a", "x"), conv("b", "x"),
    { name: "sum", type: "eltwise", op: "add", inputs: ["a", "b"], output: "sum" },
    { name: "cat", type: "concat", inputs: ["sum", "a"], output: "cat" },
    { name: "pool", type: "pooling", method: "max", inputs: ["cat"], output: "pool", kernelShape: [9, 9], strides: [1, 1], pads: [4, 4, 4, 4] },
    { name: "hs", type: "activation", fn: "hard_swish", inputs: ["pool"], output: "hs" },
    { name: "r6", type: "activation", fn: "clip", min: 0, max: 6, inputs: ["hs"], output: "r6" },
    { name: "clip", type: "activation", fn: "clip", min: -1, max: 1, inputs: ["r6"], output: "clip" },
    { name: "prob", type: "softmax", inputs: ["clip"], output: "prob" },
  ]);
  const equal = new Map([["x", 0.1], ["a", 0.2], ["b", 0.2], ["sum", 0.2], ["cat", 0.2], ["pool", 0.2], ["hs", 0.3], ["r6", 0.05], ["clip", 0.01]]);
  const r = reasons(m, equal);
  assert.match(r.sum!, /^dla: default device DLA$/);
  assert.match(r.cat!, /^dla: /);
  assert.match(r.pool!, /^gpu: Pooling: window 9 is outside the DLA range 1\.\.8; switching this layer's device type to GPU$/);
  assert.match(r.hs!, /^gpu: Activation: hard_swish is not a DLA activation/);
  assert.match(r.r6!, /^dla: /, "Clip [0, 6] is a Clipped ReLU");
  assert.match(r.clip!, /^gpu: Activation: Clip \[-1, 1\] is not a Clipped ReLU/);
  assert.match(r.prob!, /^gpu: unsupported on DLA \(softmax\); switching/);
  const unequal = new Map(equal).set("b", 0.25);
  const u = reasons(m, unequal);
  assert.match(u.sum!, /^gpu: ElementWise: INT8 inputs need equal dynamic ranges, found a 25\.40, b 31\.75; switching/);
  assert.match(u.cat!, /^dla: /, "sum and a keep equal ranges");
  const catUnequal = reasons(m, new Map(equal).set("sum", 0.3));
  assert.match(catUnequal.cat!, /^gpu: Concatenation: INT8 inputs need equal dynamic ranges, found sum 38\.10, a 25\.40; switching/);
  assert.match(reasons(m)["sum"]!, /^dla: /, "before calibration the range rules cannot refuse");
  assert.match(reasons(m, equal, { ...dla, dlaVersion: "orin" }).prob!, /^gpu: Orin's DLA runs softmax, but octet's DLA engine has none/);
});

test("a DLA layer that would make its subgraph non-convex starts a new one, and the step says why", () => {
  const m = model([
    conv("a", "x"),
    { name: "hs", type: "activation", fn: "hard_swish", inputs: ["a"], output: "hs" },
    { name: "sum", type: "eltwise", op: "add", inputs: ["a", "hs"], output: "sum" },
    { name: "prob", type: "softmax", inputs: ["sum"], output: "prob" },
  ]);
  const { steps } = placeAndFuse(m, dla);
  assert.equal(steps.map((s) => s.name), ["{a}", "hs", "{sum}", "prob"]);
  assert.match(steps[2]!.split!, /^Splitting DLA subgraph at: sum because it also reads hs, which depends on that subgraph through GPU layers/);
});

test("a DLA core holds 16 loadables: the subgraphs after the 16th run on the GPU, and their layers say so", () => {
  const layers: unknown[] = [];
  let input = "x";
  for (let i = 0; i < 18; i++) {
    layers.push(conv(`c${i}`, input), { name: `h${i}`, type: "activation", fn: "hard_swish", inputs: [`c${i}`], output: `h${i}` });
    input = `h${i}`;
  }
  layers.push({ name: "prob", type: "softmax", inputs: [input], output: "prob" });
  const m = model(layers);
  const { placed, steps } = placeAndFuse(m, dla);
  assert.is(steps.filter((s) => s.device === "dla").length, 16);
  assert.equal(placed.filter((p) => p.layer.type === "convolution" && p.device === "gpu").map((p) => p.layer.name), ["c16", "c17"]);
  assert.match(placed.find((p) => p.layer.name === "c16")!.reason, /DLA subgraph \{c16\} would be loadable 17 of a core that holds 16; switching this layer's device type to GPU/);
});

test("inspect's device column: the GPU precision and the DLA rule, Xavier's and Orin's", () => {
  const m = model([
    conv("a", "x"),
    { name: "hs", type: "activation", fn: "hard_swish", inputs: ["a"], output: "hs" },
    { name: "prob", type: "softmax", inputs: ["hs"], output: "prob" },
  ]);
  assert.is(deviceCapability(m, "a"), "GPU INT8; DLA");
  assert.match(deviceCapability(m, "hs"), /^GPU INT8; not DLA: Activation: hard_swish is not a DLA activation/);
  assert.match(deviceCapability(m, "prob"), /^GPU FP32 \(softmax runs in FP32 unless --layer-precision asks INT8\); not DLA: unsupported on DLA \(softmax\); Orin: Orin's DLA runs softmax, but octet's DLA engine has none/);
});

test.run();
