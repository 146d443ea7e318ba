// ONNX Pad, Resize / Upsample and PRelu on hand-built graphs (graphs.ts):
// each form octet takes imports to the layer fields and weights it should
// and agrees with ONNX Runtime Web on the same file; the forms it does not
// take are refused by name (Pad's other modes, axes and negative pads;
// Resize's other modes, non-integer or N / C scales, and the coordinate
// transformations whose nearest mapping is not pixel replication at this
// size, computed per axis; PRelu slopes that vary over H or W, or are
// computed). octet's own export of the three layers runs in ONNX Runtime
// (FP32 and QDQ) and imports back to the same layers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { importOnnx, firstNonReplicated } from "../../src/onnx/import.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { parseGraph } from "../../src/model/graph.js";
import { inferShapes } from "../../src/model/shapes.js";
import { assembleModel } from "../../src/model/model.js";
import type { Model } from "../../src/model/model.js";
import { expectOctetError, randomF32 } from "../helpers.js";
import { graph, n, a, floats, int64s, randomTensor, ortRun, octetRun, maxDiff } from "./graphs.js";

const N = 2;

async function agree(bytes: Uint8Array, input: [number, number, number], file: string): Promise<Model> {
  const m = importOnnx(bytes, file);
  const x = randomF32(N * input[0] * input[1] * input[2], 11, -1, 1);
  const ours = octetRun(m, x, N), theirs = await ortRun(bytes, x, [N, ...input]);
  assert.is(ours.length, theirs.length, `${file}: output size`);
  const worst = maxDiff(ours, theirs);
  assert.ok(worst <= 1e-6, `${file}: largest difference from ONNX Runtime ${worst}`);
  return m;
}

const layer = (m: Model, name: string) => m.graph.layers.find((l) => l.name === name)!;

// ---------------------------------------------------------------- Pad

const padGraph = (pads: number[], opts: { value?: number; mode?: string; axes?: number[]; opset?: number } = {}) => graph({
  input: [3, 4, 5],
  nodes: [
    n("Relu", "relu", ["x"], "r"),
    n("Pad", "pad", ["r", "pads", opts.value === undefined ? "" : "value", ...(opts.axes ? ["axes"] : [])], "y", opts.mode ? [a.str("mode", opts.mode)] : []),
  ],
  initializers: [int64s("pads", pads), ...(opts.value === undefined ? [] : [floats("value", [], [opts.value])]), ...(opts.axes ? [int64s("axes", opts.axes)] : [])],
  opset: opts.opset ?? 13,
});

test("Pad (constant mode): pads as an input (opset 11+), the value from constant_value or 0, axes (opset 18); the pre-11 attribute form", async () => {
  const m = await agree(padGraph([0, 0, 1, 2, 0, 0, 3, 0], { value: -0.5 }), [3, 4, 5], "pad.onnx");
  assert.equal(layer(m, "pad"), { name: "pad", type: "pad", inputs: ["r"], output: "y", pads: [1, 2, 3, 0], value: -0.5 });
  assert.equal(m.shapes.tensors.get("y"), [3, 8, 7]);
  const zero = await agree(padGraph([0, 0, 0, 1, 0, 0, 2, 1]), [3, 4, 5], "pad0.onnx");
  assert.equal(layer(zero, "pad"), { name: "pad", type: "pad", inputs: ["r"], output: "y", pads: [0, 1, 2, 1], value: 0 }, "no constant_value: 0");
  const axes = await agree(padGraph([1, 0, 2, 3], { value: 2, axes: [-2, 3], opset: 18 }), [3, 4, 5], "pad-axes.onnx");
  assert.equal((layer(axes, "pad") as { pads: number[] }).pads, [1, 0, 2, 3], "axes [H, W]: pads [h_begin, w_begin, h_end, w_end]");
  await agree(padGraph([0, 1, 1, 0, 0, 1], { axes: [1, 2, 3], opset: 18 }), [3, 4, 5], "pad-axes-c.onnx");
  // Before opset 11 the pads and value were attributes (the importer reads that form, as Clip's).
  const legacy = graph({ input: [3, 4, 5], nodes: [n("Pad", "pad", ["x"], "y", [a.ints("pads", [0, 0, 2, 0, 0, 0, 0, 1]), a.float("value", 1.5)])], opset: 11 });
  assert.equal(layer(importOnnx(legacy, "pad-attr.onnx"), "pad"), { name: "pad", type: "pad", inputs: ["x"], output: "y", pads: [2, 0, 0, 1], value: 1.5 });
});

test("Pad refusals by name: reflect / edge / wrap, the batch or channel axis, negative pads (cropping), a wrong count, a non-finite value, a [N, features] input", () => {
  for (const mode of ["reflect", "edge", "wrap"]) {
    expectOctetError(() => importOnnx(padGraph([0, 0, 1, 1, 0, 0, 1, 1], { mode, opset: 19 }), "m.onnx"), "MODEL_FORMAT",
      new RegExp(`m.onnx: node pad \\(Pad\\): attribute mode = "${mode}" is not supported \\(constant: octet pads with a constant value; reflect, edge and wrap padding are not supported\\)`));
  }
  expectOctetError(() => importOnnx(padGraph([0, 1, 0, 0, 0, 0, 0, 0]), "c.onnx"), "MODEL_FORMAT", /c.onnx: node pad \(Pad\): pads \[0,1,0,0,0,0,0,0\] pad the channel axis; octet pads only H and W/);
  expectOctetError(() => importOnnx(padGraph([0, 0, 0, 0, 1, 0, 0, 0]), "n.onnx"), "MODEL_FORMAT", /pad the batch axis; octet pads only H and W/);
  expectOctetError(() => importOnnx(padGraph([0, 0, -1, 0, 0, 0, 1, 0]), "neg.onnx"), "MODEL_FORMAT", /neg.onnx: node pad \(Pad\): pads \[0,0,-1,0,0,0,1,0\] are not supported: a negative pad crops, octet's pad only adds \(pads >= 0\)/);
  expectOctetError(() => importOnnx(padGraph([0, 0, 1, 1]), "count.onnx"), "MODEL_FORMAT", /count.onnx: node pad \(Pad\): pads \[0,0,1,1\] has 4 values, expected 8 \(begin and end of each of 4 axes\)/);
  expectOctetError(() => importOnnx(padGraph([1, 1], { axes: [2, 2], opset: 18 }), "ax.onnx"), "MODEL_FORMAT", /ax.onnx: node pad \(Pad\): axes \[2,2\] are not distinct axes of an image/);
  expectOctetError(() => importOnnx(padGraph([0, 0, 1, 1, 0, 0, 1, 1], { value: Infinity }), "inf.onnx"), "MODEL_FORMAT", /inf.onnx: node pad \(Pad\): constant value Infinity is not supported \(a finite number\)/);
  const flat = graph({
    input: [3, 2, 2],
    nodes: [n("Flatten", "flat", ["x"], "f"), n("Gemm", "fc", ["f", "w"], "g", [a.int("transB", 1)]), n("Pad", "pad", ["g", "p"], "y")],
    initializers: [randomTensor("w", [4, 12], 3), int64s("p", [0, 1, 0, 1])],
  });
  expectOctetError(() => importOnnx(flat, "flat.onnx"), "MODEL_FORMAT", /flat.onnx: node pad \(Pad\): reads a rank-2 value; Pad here needs an image \[N, C, H, W\]/);
});

// ---------------------------------------------------------------- Resize / Upsample

interface ResizeSpec {
  scales?: number[];
  sizes?: number[];
  transform?: string;
  nearest?: string;
  mode?: string;
  axes?: number[];
  opset?: number;
  input?: [number, number, number];
}

function resizeGraph(s: ResizeSpec): Uint8Array {
  const attrs = [
    ...(s.mode ? [a.str("mode", s.mode)] : []),
    ...(s.transform ? [a.str("coordinate_transformation_mode", s.transform)] : []),
    ...(s.nearest ? [a.str("nearest_mode", s.nearest)] : []),
    ...(s.axes ? [a.ints("axes", s.axes)] : []),
  ];
  return graph({
    input: s.input ?? [2, 3, 4],
    // Before opset 13 the roi input is required (an empty tensor when unused).
    nodes: [n("Relu", "relu", ["x"], "r"), n("Resize", "up", ["r", (s.opset ?? 13) < 13 ? "roi" : "", s.scales ? "scales" : "", ...(s.sizes ? ["sizes"] : [])], "y", attrs)],
    initializers: [
      ...((s.opset ?? 13) < 13 ? [floats("roi", [0], [])] : []),
      ...(s.scales ? [floats("scales", [s.scales.length], s.scales)] : []), ...(s.sizes ? [int64s("sizes", s.sizes)] : []),
    ],
    opset: s.opset ?? 13,
  });
}

test("Resize nearest by integer factors: PyTorch's nearest (asymmetric, floor) and nearest-exact (half_pixel, round_prefer_floor), the defaults, sizes with axes", async () => {
  const torch = await agree(resizeGraph({ scales: [1, 1, 2, 3], transform: "asymmetric", nearest: "floor" }), [2, 3, 4], "nearest.onnx");
  assert.equal(layer(torch, "up"), { name: "up", type: "resize", inputs: ["r"], output: "y", factors: [2, 3] });
  assert.equal(torch.shapes.tensors.get("y"), [2, 6, 12]);
  const exact = await agree(resizeGraph({ scales: [1, 1, 3, 2], transform: "half_pixel", nearest: "round_prefer_floor" }), [2, 3, 4], "nearest-exact.onnx");
  assert.equal((layer(exact, "up") as { factors: number[] }).factors, [3, 2]);
  await agree(resizeGraph({ scales: [1, 1, 4, 1] }), [2, 3, 4], "defaults.onnx");
  await agree(resizeGraph({ scales: [1, 1, 2, 2], transform: "pytorch_half_pixel", nearest: "round_prefer_ceil" }), [2, 3, 4], "pytorch-half-pixel.onnx");
  await agree(resizeGraph({ scales: [1, 1, 2, 2], transform: "tf_half_pixel_for_nn", nearest: "floor", opset: 12 }), [2, 3, 4], "tf-nn.onnx");
  // align_corners with rounding replicates by 2 at any size (computed, not assumed), and here by 3 on a side of 2.
  await agree(resizeGraph({ scales: [1, 1, 2, 3], transform: "align_corners", nearest: "round_prefer_floor", input: [2, 3, 2] }), [2, 3, 2], "align-corners.onnx");
  const sizes = await agree(resizeGraph({ sizes: [6, 8], axes: [2, 3], transform: "asymmetric", nearest: "floor", opset: 18 }), [2, 3, 4], "sizes.onnx");
  assert.equal((layer(sizes, "up") as { factors: number[] }).factors, [2, 2]);
  await agree(resizeGraph({ sizes: [2, 6, 4], axes: [1, 2, 3], opset: 18 }), [2, 3, 4], "sizes-c.onnx");
  const opset11 = importOnnx(graph({
    input: [2, 3, 4],
    nodes: [n("Resize", "up", ["x", "roi", "scales"], "y", [a.str("coordinate_transformation_mode", "asymmetric"), a.str("nearest_mode", "floor")])],
    initializers: [floats("roi", [0], []), floats("scales", [4], [1, 1, 2, 2])],
    opset: 11,
  }), "r11.onnx");
  assert.equal((layer(opset11, "up") as { factors: number[] }).factors, [2, 2], "opset 11: roi given (unused)");
  const upsample = importOnnx(graph({ input: [2, 3, 4], nodes: [n("Upsample", "up", ["x", "scales"], "y", [a.str("mode", "nearest")])], initializers: [floats("scales", [4], [1, 1, 2, 3])], opset: 11 }), "ups.onnx");
  assert.equal(layer(upsample, "up"), { name: "up", type: "resize", inputs: ["x"], output: "y", factors: [2, 3] }, "Upsample (before opset 10): nearest is asymmetric floor");
});

test("Resize refusals by name: linear / cubic, tf_crop_and_resize, fractional, shrinking or N / C scales, sizes off the input's multiples, and modes whose mapping is not replication", () => {
  const refused = (s: ResizeSpec, pattern: RegExp) => expectOctetError(() => importOnnx(resizeGraph(s), "r.onnx"), "MODEL_FORMAT", pattern);
  refused({ scales: [1, 1, 2, 2], mode: "linear" }, /r.onnx: node up \(Resize\): attribute mode = "linear" is not supported \(nearest: octet's resize replicates pixels; linear and cubic interpolation are not supported\)/);
  refused({ scales: [1, 1, 2, 2], mode: "cubic" }, /attribute mode = "cubic" is not supported/);
  refused({ scales: [1, 1, 2, 2], transform: "tf_crop_and_resize" }, /attribute coordinate_transformation_mode = "tf_crop_and_resize" is not supported \(it crops to the roi input; octet resizes whole images\)/);
  refused({ scales: [1, 1, 2, 2], transform: "diagonal" }, /attribute coordinate_transformation_mode = "diagonal" is not supported \(one of half_pixel, /);
  refused({ scales: [1, 1, 2, 2], nearest: "nearest" }, /attribute nearest_mode = "nearest" is not supported \(one of round_prefer_floor, round_prefer_ceil, floor, ceil\)/);
  refused({ scales: [1, 1, 1.5, 2] }, /r.onnx: node up \(Resize\): scale 1.5 on H is not supported; octet's resize takes integer factors >= 1/);
  refused({ scales: [1, 1, 2, 0.5] }, /scale 0.5 on W is not supported/);
  refused({ scales: [1, 2, 2, 2] }, /scales \[1,2,2,2\] resize the channel axis; octet resizes only H and W/);
  refused({ scales: [2, 1, 2, 2] }, /resize the batch axis/);
  refused({ scales: [1, 2] }, /scales has 2 values, expected 4 \(one per axis of \[N, C, H, W\]\)/);
  refused({ sizes: [5, 8], axes: [2, 3], opset: 18 }, /size 5 on H is not a multiple of the input's 3; octet's resize takes integer factors >= 1/);
  refused({ sizes: [4, 6, 8], axes: [1, 2, 3], opset: 18 }, /sizes \[4,6,8\] give 4 channels, the input has 2/);
  refused({ sizes: [2, 2, 6, 8], opset: 18 }, /sizes \[2,2,6,8\] give the batch 2: the input's batch is dynamic/);
  refused({}, /has neither scales nor sizes/);
  // The mapping, computed: half_pixel with floor reads row 0 for output row 2 of x2 (replication reads row 1).
  refused({ scales: [1, 1, 2, 2], transform: "half_pixel", nearest: "floor" },
    /r.onnx: node up \(Resize\): coordinate_transformation_mode half_pixel with nearest_mode floor is not supported here: by 2 on 3 it maps output row 2 to input row 0, not 1; octet's resize replicates each pixel/);
  refused({ scales: [1, 1, 1, 3], transform: "asymmetric", nearest: "round_prefer_floor" }, /asymmetric with nearest_mode round_prefer_floor .* by 3 on 4 it maps output column 2 to input column 1, not 0/);
  refused({ scales: [1, 1, 2, 1], transform: "asymmetric", nearest: "ceil" }, /asymmetric with nearest_mode ceil .* output row 1 to input row 1, not 0/);
  refused({ scales: [1, 1, 2, 2], transform: "align_corners", nearest: "floor" }, /align_corners with nearest_mode floor .* by 2 on 3 it maps output row 2 to input row 0, not 1/);
  refused({ scales: [1, 1, 3, 1], transform: "align_corners", nearest: "round_prefer_floor" }, /align_corners with nearest_mode round_prefer_floor .* by 3 on 3 it maps output row 6 to input row 1, not 2/);
  expectOctetError(() => importOnnx(graph({ input: [2, 3, 4], nodes: [n("Upsample", "up", ["x", "s"], "y", [a.str("mode", "linear")])], initializers: [floats("s", [4], [1, 1, 2, 2])], opset: 11 }), "u.onnx"),
    "MODEL_FORMAT", /u.onnx: node up \(Upsample\): attribute mode = "linear" is not supported/);
});

test("the nearest mapping check: which (transform, rounding) pairs replicate, per factor and size", () => {
  const ok = (t: Parameters<typeof firstNonReplicated>[0], r: Parameters<typeof firstNonReplicated>[1], size: number, f: number) => firstNonReplicated(t, r, size, f) === null;
  for (const f of [1, 2, 3, 4, 5, 8, 32]) {
    for (const size of [1, 2, 3, 7, 30]) {
      assert.ok(ok("asymmetric", "floor", size, f), `asymmetric floor x${f} on ${size}`);
      for (const r of ["round_prefer_floor", "round_prefer_ceil"] as const) {
        assert.ok(ok("half_pixel", r, size, f) && ok("pytorch_half_pixel", r, size, f) && ok("half_pixel_symmetric", r, size, f), `half_pixel ${r} x${f} on ${size}`);
      }
      assert.is(ok("half_pixel", "floor", size, f), f === 1 || size === 1, `half_pixel floor x${f} on ${size}: only where nothing moves or everything clamps to the one pixel`);
    }
  }
  assert.ok(ok("asymmetric", "round_prefer_floor", 9, 2), "x2: the half steps round down");
  assert.ok(!ok("asymmetric", "round_prefer_ceil", 9, 2), "x2: the half steps round up");
  assert.ok(ok("align_corners", "round_prefer_floor", 40, 2) && ok("align_corners", "round_prefer_ceil", 40, 2));
  assert.ok(ok("align_corners", "floor", 1, 6), "one input pixel: every transformation reads it");
});

// ---------------------------------------------------------------- PRelu

const preluGraph = (slope: { dims: number[]; values?: number[] }, input: [number, number, number] = [3, 2, 4]) => graph({
  input,
  nodes: [n("Conv", "conv", ["x", "w"], "c"), n("PRelu", "prelu", ["c", "slope"], "y")],
  initializers: [randomTensor("w", [input[0], input[0], 1, 1], 21, -1, 1), slope.values ? floats("slope", slope.dims, slope.values) : randomTensor("slope", slope.dims, 22, -0.5, 1)],
});

test("PRelu: a per-channel slope [C, 1, 1] / [1, C, 1, 1] or a scalar ([], [1]) becomes slope [C]; on [N, features] a [F] slope is per feature", async () => {
  for (const dims of [[3, 1, 1], [1, 3, 1, 1]]) {
    const m = await agree(preluGraph({ dims, values: [0.25, -0.5, 2] }), [3, 2, 4], `prelu-${dims.join("x")}.onnx`);
    assert.equal(layer(m, "prelu"), { name: "prelu", type: "prelu", inputs: ["c"], output: "y" });
    assert.equal(m.weights.get("prelu.slope"), { dims: [3], data: Float32Array.from([0.25, -0.5, 2]) });
  }
  for (const dims of [[], [1], [1, 1, 1]]) {
    const m = await agree(preluGraph({ dims, values: [0.1] }), [3, 2, 4], `prelu-scalar-${dims.length}.onnx`);
    assert.equal(Array.from(m.weights.get("prelu.slope")!.data), [0.1, 0.1, 0.1].map(Math.fround));
  }
  const features = graph({
    input: [2, 2, 2],
    nodes: [n("Flatten", "flat", ["x"], "f"), n("Gemm", "fc", ["f", "w"], "g", [a.int("transB", 1)]), n("PRelu", "prelu", ["g", "slope"], "y")],
    initializers: [randomTensor("w", [5, 8], 23, -1, 1), randomTensor("slope", [5], 24, -1, 1)],
  });
  const m = await agree(features, [2, 2, 2], "prelu-fc.onnx");
  assert.equal(m.weights.get("prelu.slope")!.dims, [5]);
});

test("PRelu refusals by name: a 1-D [C] slope on an image (ONNX broadcasts it along W), a slope over H or W, one per image, a computed slope", () => {
  expectOctetError(() => importOnnx(preluGraph({ dims: [3] }), "c.onnx"), "SHAPE_MISMATCH", /c.onnx: node prelu \(PRelu\): slope \[3\] does not broadcast onto \[N, 3, 2, 4\]/);
  expectOctetError(() => importOnnx(preluGraph({ dims: [4] }), "w.onnx"), "MODEL_FORMAT", /w.onnx: node prelu \(PRelu\): slope \[4\] varies over W of \[N, 3, 2, 4\]; octet takes one value per channel .* \(a 1-D \[C\] broadcasts along W in ONNX\)/);
  expectOctetError(() => importOnnx(preluGraph({ dims: [3, 2, 1] }), "h.onnx"), "MODEL_FORMAT", /h.onnx: node prelu \(PRelu\): slope \[3, 2, 1\] varies over H/);
  expectOctetError(() => importOnnx(preluGraph({ dims: [2, 3, 1, 1] }), "n.onnx"), "MODEL_FORMAT", /n.onnx: node prelu \(PRelu\): slope \[2, 3, 1, 1\] has one value per image \(row\)/);
  const computed = graph({ input: [3, 2, 2], nodes: [n("Relu", "r", ["x"], "s"), n("PRelu", "prelu", ["x", "s"], "y")] });
  expectOctetError(() => importOnnx(computed, "s.onnx"), "MODEL_FORMAT", /s.onnx: node prelu \(PRelu\): slope "s" must be an initializer or Constant \(it is computed from the input\)/);
});

// ---------------------------------------------------------------- export

const octetModel = (): Model => {
  const layers = [
    { name: "conv", type: "convolution", inputs: ["x"], output: "conv", numOutput: 4, kernelShape: [3, 3], pads: [1, 1, 1, 1] },
    { name: "act", type: "prelu", inputs: ["conv"], output: "act" },
    { name: "pad", type: "pad", inputs: ["act"], output: "pad", pads: [1, 0, 2, 3], value: -0.25 },
    { name: "up", type: "resize", inputs: ["pad"], output: "up", factors: [2, 3] },
    { name: "fc", type: "fully_connected", inputs: ["up"], output: "fc", numOutput: 6 },
    { name: "fc_prelu", type: "prelu", inputs: ["fc"], output: "fc_prelu" },
    { name: "fc_pad", type: "pad", inputs: ["fc_prelu"], output: "fc_pad", pads: [0, 1, 1, 0] },
    { name: "fc_up", type: "resize", inputs: ["fc_pad"], output: "fc_up", factors: [2, 1] },
  ];
  const g = parseGraph(JSON.stringify({ format: "octet-model", version: 2, name: "prp", input: { name: "x", shape: [2, 5, 4] }, layers, output: "fc_up", weights: "prp.weights" }), "prp.json");
  const weights = new Map();
  let seed = 31;
  for (const [name, s] of inferShapes(g).layers) {
    for (const [kind, dims] of Object.entries(s.params)) {
      const count = dims.reduce((p, q) => p * q, 1), span = kind === "weight" ? 1 / Math.sqrt(count / dims[0]!) : 1;
      weights.set(`${name}.${kind}`, { dims, data: randomF32(count, seed++, -span, span) });
    }
  }
  return assembleModel(g, weights, "prp.weights");
};

test("octet's export of prelu, pad and resize (also after a fully connected layer) runs in ONNX Runtime as octet does, and imports back to the same layers", async () => {
  const model = octetModel();
  const bytes = exportOnnx(model);
  const x = randomF32(N * 2 * 5 * 4, 41, -1, 1);
  const worst = maxDiff(octetRun(model, x, N), await ortRun(bytes, x, [N, 2, 5, 4]));
  assert.ok(worst <= 1e-5, `largest difference from ONNX Runtime ${worst}`);
  const back = importOnnx(bytes, "prp.onnx");
  const essential = (m: Model) => m.graph.layers.map((l) => ({ ...l, inputs: l.inputs.length }));
  assert.equal(essential(back).map((l) => l.type), ["convolution", "prelu", "pad", "resize", "fully_connected", "prelu", "pad", "resize"]);
  for (const name of ["act", "pad", "up", "fc_pad", "fc_up"]) {
    const { inputs: _i, output: _o, ...mine } = layer(model, name);
    const { inputs: _j, output: _p, ...theirs } = layer(back, name);
    assert.equal(theirs, mine, name);
  }
  for (const name of ["act.slope", "fc_prelu.slope"]) assert.equal(back.weights.get(name), model.weights.get(name), name);
  assert.equal(maxDiff(octetRun(back, x, N), octetRun(model, x, N)), 0, "the imported export computes the same values");
  // The QDQ form: every tensor behind QuantizeLinear / DequantizeLinear, the pad and resize outputs at their input's scale.
  const scales = new Map([model.graph.input.name, ...model.graph.layers.map((l) => l.output)].map((t) => [t, Math.fround(1 / 64)]));
  const qdq = await ortRun(exportOnnx(model, { scales }), x, [N, 2, 5, 4]);
  assert.is(qdq.length, octetRun(model, x, N).length);
});

test.run();
