// Builder passes on LeNet: placement decisions and their reasons, fusion
// names, and one reformatter per mismatched edge.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadModel } from "../../src/model/model-node.js";
import { placeLayers, DEFAULT_PLACEMENT, type PlacementOptions } from "../../src/builder/placement.js";
import { fuseLayers } from "../../src/builder/fuse.js";
import { schedule, type Node, type Value } from "../../src/builder/schedule.js";
import { F32_NCHW, S8_NCHW4, formatName } from "../../src/core/format.js";
import { expectOctetError } from "../helpers.js";
import { parseGraph } from "../../src/model/graph.js";
import { assembleModel } from "../../src/model/model.js";
import { inferShapes } from "../../src/model/shapes.js";

const model = loadModel();
const opts = (o: Partial<PlacementOptions>): PlacementOptions => ({ ...DEFAULT_PLACEMENT, ...o });
const plan = (o: Partial<PlacementOptions>, inputFormat = F32_NCHW) =>
  schedule(fuseLayers(placeLayers(model, opts(o)), model.shapes.links), { input: "data", inputFormat, output: "prob" });
const one = (v: Value | Value[]) => (Array.isArray(v) ? v : [v]).map((x) => `${x.device} ${formatName(x.format)}`).join(", ");
const describe = (nodes: Node[]) => nodes.map((n) => `${n.kind}:${n.name}[${one(n.from)} -> ${one(n.to)}]`);

test("all-GPU INT8: conv/fc + ReLU fused, quantize in, dequantize before softmax", () => {
  const nodes = plan({});
  assert.equal(nodes.map((n) => n.name), [
    "conv1 input reformatter 0", "conv1", "pool1", "conv2", "pool2", "ip1 + relu1", "ip2", "prob input reformatter 0", "prob",
  ]);
  assert.equal(describe(nodes)[0], "reformat:conv1 input reformatter 0[gpu fp32:nchw -> gpu int8:nchw4]");
  assert.equal(describe(nodes)[7], "reformat:prob input reformatter 0[gpu int8:nchw4 -> gpu fp32:nchw]");
});

test("DLA with fallback: the forum's fused subgraph, softmax falls back with TensorRT's reason", () => {
  const placed = placeLayers(model, opts({ device: "dla" }));
  assert.equal(placed.filter((p) => p.device === "gpu").map((p) => p.layer.name), ["prob"]);
  assert.is(placed.at(-1)!.reason, "unsupported on DLA (softmax); switching this layer's device type to GPU");
  const nodes = plan({ device: "dla" });
  assert.equal(nodes.map((n) => `${n.kind}:${n.name}`), [
    "reformat:{conv1,pool1,conv2,pool2,ip1,relu1,ip2} input reformatter 0",
    "copy:copy data gpu->dla",
    "compute:{conv1,pool1,conv2,pool2,ip1,relu1,ip2}",
    "copy:copy ip2 dla->gpu",
    "reformat:{conv1,pool1,conv2,pool2,ip1,relu1,ip2} output reformatter 0",
    "compute:prob",
  ]);
  const out = nodes[4]!;
  assert.ok(out.kind === "reformat");
  if (out.kind === "reformat") assert.equal(out.edge, { tensor: "ip2", producer: "{conv1,pool1,conv2,pool2,ip1,relu1,ip2}", consumer: "prob" });
});

test("a per-layer override splits the DLA subgraph in two", () => {
  const nodes = plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) });
  const computes = nodes.filter((n) => n.kind === "compute").map((n) => n.name);
  assert.equal(computes, ["{conv1,pool1,conv2}", "pool2", "{ip1,relu1,ip2}", "prob"]);
  const reformats = nodes.filter((n) => n.kind === "reformat").map((n) => n.name);
  assert.equal(reformats, [
    "{conv1,pool1,conv2} input reformatter 0", "{conv1,pool1,conv2} output reformatter 0",
    "{ip1,relu1,ip2} input reformatter 0", "{ip1,relu1,ip2} output reformatter 0",
  ]);
  assert.is(nodes.filter((n) => n.kind === "copy").length, 4);
});

test("one reformatter per mismatched edge, none where formats agree", () => {
  const nodes = plan({ layerPrecision: new Map([["conv2", "fp32"]]) });
  const reformats = nodes.filter((n) => n.kind === "reformat");
  assert.equal(reformats.map((n) => n.name), ["conv1 input reformatter 0", "conv2 input reformatter 0", "pool2 input reformatter 0", "prob input reformatter 0"]);
  const edges = reformats.map((n) => (n.kind === "reformat" ? `${n.edge.producer}->${n.edge.consumer}` : ""));
  assert.equal(edges, ["(network input)->conv1", "pool1->conv2", "conv2->pool2", "ip2->prob"]);
  const direct = plan({}, S8_NCHW4);
  assert.is(direct[0]!.name, "conv1", "an int8:nchw4 input needs no reformatter");
});

test("without GPU fallback the build fails naming every layer the DLA cannot run", () => {
  expectOctetError(() => placeLayers(model, opts({ device: "dla", gpuFallback: false, layerPrecision: new Map([["conv1", "fp32"]]) })),
    "BAD_OPTION", /cannot run 2 layer\(s\)[\s\S]*conv1: DLA runs INT8 only[\s\S]*prob: unsupported on DLA \(softmax\)/);
});

test("a layer the INT8 kernels cannot run stays on the GPU in FP32, and the DLA refuses it, saying why", () => {
  const graph = parseGraph(JSON.stringify({
    format: "octet-model", version: 1, name: "padded", input: { name: "data", shape: [1, 8, 8] },
    layers: [
      { name: "conv", type: "convolution", input: "data", output: "conv", numOutput: 4, kernel: 3, pad: 3 },
      { name: "fc", type: "fully_connected", input: "conv", output: "fc", numOutput: 10 },
      { name: "prob", type: "softmax", input: "fc", output: "prob" },
    ],
    output: "prob", weights: "w",
  }), "padded.json");
  const m = assembleModel(graph, new Map([
    ["conv.weight", { dims: [4, 1, 3, 3], data: new Float32Array(36) }], ["conv.bias", { dims: [4], data: new Float32Array(4) }],
    ["fc.weight", { dims: [10, 576], data: new Float32Array(5760) }], ["fc.bias", { dims: [10], data: new Float32Array(10) }],
  ]));
  const gpu = placeLayers(m, opts({}));
  assert.equal([gpu[0]!.device, gpu[0]!.precision], ["gpu", "fp32"]);
  assert.match(gpu[0]!.reason, /pads \[3, 3, 3, 3\] are not below the dilated kernel 3x3, as the INT8 kernels need: running this layer in FP32/);
  const dla = placeLayers(m, opts({ device: "dla" }));
  assert.equal([dla[0]!.device, dla[0]!.precision, dla[1]!.device], ["gpu", "fp32", "dla"]);
  assert.match(dla[0]!.reason, /switching this layer.s device type to GPU; pads \[3, 3, 3, 3\]/);
});

test("unknown layer names in overrides are errors naming them", () => {
  expectOctetError(() => placeLayers(model, opts({ layerDevice: new Map([["ip3", "gpu"]]) })), "BAD_OPTION", /--layer-device: no layer named "ip3"; the layers are conv1, pool1/);
});

test("softmax runs in FP32 unless --layer-precision names it INT8; an INT8 softmax whose output another layer reads stays FP32, saying why", () => {
  const placed = (m: typeof model, o: Partial<PlacementOptions>) => Object.fromEntries(placeLayers(m, opts(o)).map((p) => [p.layer.name, p]));
  assert.is(placed(model, {}).prob!.precision, "fp32");
  assert.is(placed(model, { layerPrecision: new Map([["prob", "int8"]]) }).prob!.precision, "int8");
  const g = parseGraph(JSON.stringify({
    format: "octet-model", version: 2, name: "sm", input: { name: "x", shape: [4, 1, 1] }, output: "y", weights: "w",
    layers: [
      { name: "sm", type: "softmax", inputs: ["x"], output: "p" },
      { name: "y", type: "fully_connected", inputs: ["p"], output: "y", numOutput: 2 },
    ],
  }), "sm.json");
  const read = placed({ graph: g, shapes: inferShapes(g), weights: new Map() }, { layerPrecision: new Map([["sm", "int8"]]) }).sm!;
  assert.is(read.precision, "fp32");
  assert.match(read.reason, /the INT8 softmax's uint8 output \(zero point -128\) can feed only the network output/);
});

test.run();
