// Version-2 graphs are DAGs: a residual block, a concat and a squeeze-excite
// broadcast parse and get their shapes; cycles, missing tensors, tensors
// produced twice, dangling outputs and impossible shapes are refused naming
// the layer and tensor. Version-1 files (LeNet) keep loading.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseGraph, GRAPH_VERSION, type Graph } from "../../src/model/graph.js";
import { inferShapes, windowOutputSize } from "../../src/model/shapes.js";
import { expectOctetError } from "../helpers.js";

const conv = (name: string, input: string, K: number, k = 3, stride = 1, pad = 1, extra: Record<string, unknown> = {}) => ({
  name, type: "convolution", inputs: [input], output: name, numOutput: K, kernelShape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], ...extra,
});

function doc(layers: unknown[], output = layers.length ? (layers.at(-1) as { output: string }).output : "x"): string {
  return JSON.stringify({ format: "octet-model", version: 2, name: "t", input: { name: "x", shape: [3, 16, 12] }, layers, output, weights: "t.weights" });
}

const residual = [
  conv("c1", "x", 8, 3, 2),
  { name: "r1", type: "relu", inputs: ["c1"], output: "r1" },
  conv("c2", "r1", 8),
  conv("proj", "x", 8, 1, 2, 0),
  { name: "add", type: "eltwise", op: "add", inputs: ["c2", "proj"], output: "add" },
  { name: "gap", type: "global_pooling", method: "average", inputs: ["add"], output: "gap" },
  { name: "se1", type: "convolution", inputs: ["gap"], output: "se1", numOutput: 8, kernelShape: [1, 1], bias: false },
  { name: "sig", type: "activation", fn: "sigmoid", inputs: ["se1"], output: "sig" },
  { name: "scale", type: "eltwise", op: "mul", inputs: ["add", "sig"], output: "scale" },
  conv("d", "scale", 8, 3, 1, 1, { group: 8 }),
  { name: "cat", type: "concat", inputs: ["scale", "d"], output: "cat" },
  { name: "pool", type: "pooling", method: "max", inputs: ["cat"], output: "pool", kernelShape: [3, 3], strides: [2, 2], ceilMode: true },
  { name: "fc", type: "fully_connected", inputs: ["pool"], output: "fc", numOutput: 10 },
  { name: "prob", type: "softmax", inputs: ["fc"], output: "prob" },
];

test("a residual + squeeze-excite + depthwise + concat DAG parses, with ONNX's shapes", () => {
  const g: Graph = parseGraph(doc(residual), "r.json");
  const s = inferShapes(g, "r.json");
  const shape = (t: string) => s.tensors.get(t);
  assert.equal(shape("c1"), [8, 8, 6], "stride 2, pad 1 on 16x12");
  assert.equal(shape("proj"), [8, 8, 6], "1x1 stride-2 projection");
  assert.equal(shape("gap"), [8, 1, 1]);
  assert.equal(shape("scale"), [8, 8, 6], "[C,1,1] broadcast into [C,H,W]");
  assert.equal(s.layers.get("d")!.params.weight, [8, 1, 3, 3], "depthwise weights [K, C/group, kh, kw]");
  assert.equal(s.layers.get("se1")!.params, { weight: [8, 8, 1, 1] }, "no bias tensor when bias is false");
  assert.equal(shape("cat"), [16, 8, 6]);
  assert.equal(shape("pool"), [16, 4, 3], "ceil mode: ceil((8-3)/2)+1 = 4, ceil((6-3)/2)+1 = 3");
  assert.equal(s.links.consumers[g.layers.findIndex((l) => l.name === "add")]!.length, 2, "add feeds gap and scale");
});

test("ONNX's ceil_mode rule drops a last window that would start in the right padding", () => {
  assert.is(windowOutputSize(6, 2, 2, 0, 1, 1, true), 3, "(6+1-2)/2 -> ceil 2.5 = 3 windows, the last starts at 4 < 6");
  assert.is(windowOutputSize(5, 3, 3, 0, 0, 1, true), 2);
  assert.is(windowOutputSize(4, 2, 3, 1, 1, 1, true), 2, "a third window would start at 6 >= 4 + 1 and is dropped");
  assert.is(windowOutputSize(7, 3, 1, 2, 2, 2, false), 7, "dilation 2: span 5");
});

test("malformed DAGs are refused naming the layer and the tensor", () => {
  const withLayers = (f: (l: any[]) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const l = structuredClone(residual);
    f(l);
    return () => inferShapes(parseGraph(doc(l, "prob"), "bad.json"), "bad.json");
  };
  expectOctetError(withLayers((l) => { l[2].inputs = ["add"]; }), "MODEL_FORMAT", /bad.json: layer c2: reads tensor "add" of layer add, which depends on it: a cycle c2 -> add -> c2/);
  expectOctetError(withLayers((l) => { l.splice(4, 0, l.splice(2, 1)[0]); }), "MODEL_FORMAT", /layer add: reads tensor "c2" before layer c2 produces it; layers must be listed in topological order/);
  expectOctetError(withLayers((l) => { l[3].inputs = ["nowhere"]; }), "MODEL_FORMAT", /layer proj: reads tensor "nowhere", which no layer produces/);
  expectOctetError(withLayers((l) => { l[3].output = "c2"; }), "MODEL_FORMAT", /layer proj: writes tensor "c2", which layer c2 already produces/);
  expectOctetError(withLayers((l) => { l.splice(4, 0, conv("spare", "x", 4)); }), "MODEL_FORMAT", /layer spare: its output "spare" is read by no layer .* \(a dangling output\)/);
  expectOctetError(withLayers((l) => { l[4].inputs = ["c2"]; }), "MODEL_FORMAT", /layer add: a eltwise layer reads 2 tensor\(s\), found 1/);
  expectOctetError(withLayers((l) => { l[8].inputs = ["x", "sig"]; }), "SHAPE_MISMATCH", /layer scale: mul of \[3, 16, 12\] and \[8, 1, 1\]: the second input must have the first's shape, \[3, 1, 1\] or \[1, 1, 1\]/);
  expectOctetError(withLayers((l) => { l[10].inputs = ["d", "x"]; }), "SHAPE_MISMATCH", /layer cat: concat on channels needs equal H and W: input 1 is \[3, 16, 12\]/);
  expectOctetError(withLayers((l) => { l[9].group = 3; }), "SHAPE_MISMATCH", /layer d: group 3 must divide the input channels 8 and the output channels 8/);
});

test("an in-place ReLU may rewrite a tensor only it reads", () => {
  const inPlace = [conv("c", "x", 4), { name: "r", type: "relu", inputs: ["c"], output: "c" }, { name: "p", type: "softmax", inputs: ["c"], output: "p" }];
  assert.equal(inferShapes(parseGraph(doc(inPlace), "ok.json")).tensors.get("p"), [4, 16, 12]);
  const shared = [conv("c", "x", 4), { name: "s", type: "softmax", inputs: ["c"], output: "s" }, { name: "r", type: "relu", inputs: ["c"], output: "c" },
    { name: "a", type: "eltwise", op: "add", inputs: ["s", "c"], output: "a" }];
  expectOctetError(() => inferShapes(parseGraph(doc(shared), "in.json"), "in.json"), "MODEL_FORMAT", /in.json: layer r: rewrites tensor "c" in place, but layer s also reads it/);
});

test("pad, resize and prelu parse with their fields checked, and get ONNX's shapes and a slope [C]", () => {
  const layers = [
    conv("c", "x", 4),
    { name: "pad", type: "pad", inputs: ["c"], output: "pad", pads: [1, 0, 2, 3], value: -0.5 },
    { name: "pad0", type: "pad", inputs: ["pad"], output: "pad0", pads: [0, 1, 0, 0] },
    { name: "up", type: "resize", inputs: ["pad0"], output: "up", factors: [2, 3] },
    { name: "act", type: "prelu", inputs: ["up"], output: "act" },
    { name: "act2", type: "prelu", inputs: ["act"], output: "act" },
  ];
  const g = parseGraph(doc(layers), "p.json");
  assert.equal(g.layers[1], { name: "pad", type: "pad", inputs: ["c"], output: "pad", pads: [1, 0, 2, 3], value: -0.5 });
  assert.equal(g.layers[2], { name: "pad0", type: "pad", inputs: ["pad"], output: "pad0", pads: [0, 1, 0, 0], value: 0 }, "value defaults to 0");
  const s = inferShapes(g, "p.json");
  assert.equal(s.tensors.get("pad"), [4, 19, 15], "H 16 + 1 + 2, W 12 + 0 + 3");
  assert.equal(s.tensors.get("pad0"), [4, 19, 16]);
  assert.equal(s.tensors.get("up"), [4, 38, 48]);
  assert.equal(s.tensors.get("act"), [4, 38, 48], "a prelu may rewrite its input in place (Caffe's PReLU)");
  assert.equal(s.layers.get("act")!.params, { slope: [4] });
  assert.equal(s.layers.get("up")!.params, {});
  const bad = (layer: Record<string, unknown>, pattern: RegExp) => expectOctetError(() => parseGraph(doc([conv("c", "x", 4), { name: "l", inputs: ["c"], output: "l", ...layer }]), "b.json"), "MODEL_FORMAT", pattern);
  bad({ type: "pad" }, /b.json: layer l: field "pads" is \(missing\), expected 4 integers >= 0/);
  bad({ type: "pad", pads: [1, 1, -1, 0] }, /b.json: layer l: field "pads\[2\]" is -1, expected an integer >= 0/);
  bad({ type: "pad", pads: [1, 1, 1] }, /field "pads" is \[1,1,1\], expected 4 integers >= 0/);
  bad({ type: "pad", pads: [0, 0, 0, 0], value: "0" }, /field "value" is "0", expected a finite number/);
  bad({ type: "pad", pads: [0, 0, 0, 0], value: 1e39 }, /field "value" is 1e\+39, outside float32's range/);
  bad({ type: "resize" }, /field "factors" is \(missing\), expected 2 integers >= 1/);
  bad({ type: "resize", factors: [2, 0] }, /field "factors\[1\]" is 0, expected an integer >= 1/);
  bad({ type: "resize", factors: [1.5, 2] }, /field "factors\[0\]" is 1.5, expected an integer >= 1/);
  bad({ type: "resize", factors: [2, 2, 2] }, /field "factors" is \[2,2,2\], expected 2 integers >= 1/);
  expectOctetError(() => parseGraph(doc([{ name: "l", type: "prellu", inputs: ["x"], output: "l" }]), "b.json"), "UNKNOWN_LAYER", /layer l: unknown layer type "prellu"; expected one of .*, pad, resize, prelu$/);
  expectOctetError(() => inferShapes(parseGraph(doc([{ name: "p", type: "prelu", inputs: ["x", "x"], output: "p" }]), "two.json"), "two.json"),
    "MODEL_FORMAT", /two.json: layer p: a prelu layer reads 1 tensor\(s\), found 2/);
  expectOctetError(() => inferShapes(parseGraph(doc([{ name: "u", type: "resize", inputs: ["x"], output: "u", factors: [4096, 4096] }]), "big.json"), "big.json"),
    "SHAPE_MISMATCH", /big.json: layer u: output \[3, 65536, 49152\] has more than 67108864 values per image/);
});

test("version-1 LeNet still loads, as the same DAG", () => {
  const path = fileURLToPath(new URL("../../../models/lenet.json", import.meta.url));
  const g = parseGraph(readFileSync(path, "utf8"), path);
  assert.is(GRAPH_VERSION, 2);
  assert.equal(g.layers[0], {
    name: "conv1", inputs: ["data"], output: "conv1", type: "convolution", numOutput: 20, kernelShape: [5, 5], strides: [1, 1], pads: [0, 0, 0, 0],
    dilations: [1, 1], group: 1, bias: true,
  });
  assert.equal(inferShapes(g).tensors.get("pool2"), [50, 4, 4]);
});

test.run();
