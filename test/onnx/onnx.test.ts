// ONNX: export -> import round trip, ONNX Runtime Web running octet's
// exported FP32 and QDQ models in agreement with octet, QDQ scales taken
// instead of calibration, MatMul + Add and Flatten forms, and clear errors;
// then hand-built graphs for each op form the importer maps (auto_pad, pads,
// Gemm's C broadcasts, Clip bounds, constant operands, broadcasts, Concat,
// BatchNormalization, ReduceMean, views), each that imports checked against
// ONNX Runtime, and the refusals: by name, every unsupported node at once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as ort from "onnxruntime-web";
import { exportOnnx } from "../../src/onnx/export.js";
import { importOnnx, importNotes, SUPPORTED_OPS } from "../../src/onnx/import.js";
import { onnx } from "../../src/onnx/proto.js";
import { buildPlan, DEFAULT_BUILD, type Plan } from "../../src/engine/plan.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { model, scales, runner, test as mnist } from "../engine/fixtures.js";
import { expectOctetError, randomF32 } from "../helpers.js";
import type { Model } from "../../src/model/model.js";
import { OctetError } from "../../src/errors.js";
import { graph, n, a, floats, int64s, randomTensor, ortRun, octetRun, maxDiff, FLOAT, gemmAsMatMulAdd } from "./graphs.js";

ort.env.wasm.numThreads = 1;
const BATCH = 500;

function octetOutputs(p: Plan, images = mnist.count): Float32Array {
  const r = runner(p, BATCH);
  const out = new Float32Array(images * 10);
  for (let s = 0; s < images; s += BATCH) {
    imagesToFloat(mnist, s, BATCH, r.input(BATCH));
    r.run(BATCH);
    out.set(r.output(BATCH), s * 10);
  }
  return out;
}

async function ortOutputs(bytes: Uint8Array, images = mnist.count): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = new Float32Array(images * 10);
  const x = new Float32Array(BATCH * 784);
  for (let s = 0; s < images; s += BATCH) {
    imagesToFloat(mnist, s, BATCH, x);
    const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, [BATCH, 1, 28, 28]) });
    out.set(r[session.outputNames[0]!]!.data as Float32Array, s * 10);
  }
  return out;
}

const argmax = (p: Float32Array, i: number) => {
  let b = 0;
  for (let c = 1; c < 10; c++) if (p[i * 10 + c]! > p[i * 10 + b]!) b = c;
  return b;
};

const fp32 = (m: Model) => buildPlan(m, { ...DEFAULT_BUILD, precision: "fp32" }, null, null);

test("export -> import keeps names, weights and outputs exactly", () => {
  const back = importOnnx(exportOnnx(model), "lenet.onnx");
  assert.equal(back.graph.layers.map((l) => `${l.name}:${l.type}`), model.graph.layers.map((l) => `${l.name}:${l.type}`));
  for (const [name, t] of model.weights) assert.equal(Array.from(back.weights.get(name)!.data), Array.from(t.data), name);
  assert.equal(Array.from(octetOutputs(fp32(back), 1000)), Array.from(octetOutputs(fp32(model), 1000)));
});

test("ONNX Runtime Web runs octet's FP32 export within 1e-5 of octet on 10,000 images", async () => {
  const ours = octetOutputs(fp32(model));
  const theirs = await ortOutputs(exportOnnx(model));
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
});

test("ONNX Runtime Web runs octet's QDQ export; top-1 agrees with octet INT8 on >= 99.9% of 10,000 images", async () => {
  const s = scales("entropy");
  const qdq = exportOnnx(model, { scales: s });
  const theirs = await ortOutputs(qdq);
  const ours = octetOutputs(buildPlan(model, DEFAULT_BUILD, s, null));
  let agree = 0;
  for (let i = 0; i < mnist.count; i++) if (argmax(ours, i) === argmax(theirs, i)) agree++;
  assert.ok(agree / mnist.count >= 0.999, `agreement ${agree / mnist.count}`);
  const back = importOnnx(qdq, "lenet-qdq.onnx");
  assert.ok(back.quantization, "QDQ scales are imported");
  assert.is(back.quantization!.scales.get("conv2"), s.get("conv2"));
  assert.is(back.quantization!.scales.get("data"), s.get("data"));
});

// Decoded messages always carry their repeated fields; tests edit them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Decoded = any;

function edit(bytes: Uint8Array, f: (m: Decoded) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  f(m);
  return onnx.ModelProto.encode(m).finish();
}

test("MatMul + Add and Flatten import as a fully connected layer", () => {
  const bytes = edit(exportOnnx(model), gemmAsMatMulAdd);
  const back = importOnnx(bytes, "mm.onnx");
  assert.equal(back.graph.layers.map((l) => l.type), model.graph.layers.map((l) => l.type));
  assert.equal(Array.from(octetOutputs(fp32(back), 500)), Array.from(octetOutputs(fp32(model), 500)));
});

test("opset 21 is accepted, and float weights behind QuantizeLinear/DequantizeLinear fold to int8", () => {
  const v21 = importOnnx(edit(exportOnnx(model), (m) => (m.opsetImport[0].version = 21)), "v21.onnx");
  assert.equal(v21.graph.layers.map((l) => l.name), model.graph.layers.map((l) => l.name));
  const s = scales("entropy");
  // Turn ip2's int8 initializer + DequantizeLinear into float weights + QuantizeLinear + DequantizeLinear.
  const bytes = edit(exportOnnx(model, { scales: s }), (m) => {
    const g = m.graph;
    const q = g.initializer.find((t: Decoded) => t.name === "ip2.weight_quantized");
    const scale = new Float32Array(new Uint8Array(g.initializer.find((t: Decoded) => t.name === "ip2.weight_scale").rawData).buffer);
    const ints = new Int8Array(new Uint8Array(q.rawData).buffer);
    const floats = Float32Array.from(ints, (v, i) => v * scale[Math.floor(i / 500)]!);
    g.initializer.push(onnx.TensorProto.create({ name: "ip2.weight_float", dims: q.dims, dataType: 1, rawData: new Uint8Array(floats.buffer) }));
    const dq = g.node.findIndex((n: Decoded) => n.name === "ip2.weight_DequantizeLinear");
    g.node.splice(dq, 0, onnx.NodeProto.create({
      name: "ip2.weight_QuantizeLinear", opType: "QuantizeLinear", input: ["ip2.weight_float", "ip2.weight_scale", "ip2.weight_zero_point"],
      output: ["ip2.weight_requantized"], attribute: [onnx.AttributeProto.create({ name: "axis", type: 2, i: 0 })],
    }));
    g.node[dq + 1].input[0] = "ip2.weight_requantized";
  });
  const back = importOnnx(bytes, "qdq-float.onnx");
  const direct = importOnnx(exportOnnx(model, { scales: s }), "qdq.onnx");
  assert.equal(Array.from(back.weights.get("ip2.weight")!.data), Array.from(direct.weights.get("ip2.weight")!.data));
});

test("malformed files, unsupported ops, attributes, opsets and zero points are refused by name", () => {
  const good = exportOnnx(model);
  expectOctetError(() => importOnnx(good.subarray(0, 5000), "cut.onnx"), "MODEL_FORMAT", /cut.onnx: not a readable ONNX model/);
  expectOctetError(() => importOnnx(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), "junk.onnx"), "MODEL_FORMAT", /junk.onnx: not a readable ONNX model/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "relu1").opType = "Elu")), "s.onnx"),
    "MODEL_FORMAT", /s.onnx: node relu1 \(Elu\): op Elu is not supported; octet imports Conv, BatchNormalization/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "conv2").attribute.find((a: Decoded) => a.name === "group").i = 2)), "g.onnx"),
    "SHAPE_MISMATCH", /g.onnx: node conv2 \(Conv\): weight \[50, 20, 5, 5\] with group 2 does not fit an input of 20 channels \(expected \[K, 10, kH, kW\]/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "conv2").attribute.find((a: Decoded) => a.name === "group").i = 0)), "g0.onnx"),
    "MODEL_FORMAT", /g0.onnx: node conv2 \(Conv\): attribute group = 0 is not supported/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.opsetImport[0].version = 9)), "o.onnx"), "MODEL_FORMAT", /o.onnx: ONNX opset 9 is not supported; octet imports opsets 11 to 21/);
  expectOctetError(() => importOnnx(edit(good, (m) => m.graph.node.find((n: Decoded) => n.name === "prob").attribute[0].i = 0), "ax.onnx"),
    "MODEL_FORMAT", /ax.onnx: node prob \(Softmax\): attribute axis = 0 is not supported \(1 or -1: the classes of \[N, classes\]\)/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "conv1").attribute.find((a: Decoded) => a.name === "strides").ints = [0, 0])), "st.onnx"),
    "MODEL_FORMAT", /st.onnx: node conv1 \(Conv\): attribute strides = \[0,0\] is not supported \(two integers in 1..1048576/);
  expectOctetError(() => importOnnx(edit(good, (m) => {
    const w = m.graph.initializer.find((t: Decoded) => t.name === "ip2.bias");
    w.floatData = [1, 2, 3];
    w.rawData = new Uint8Array(0);
  }), "n.onnx"), "MODEL_FORMAT", /n.onnx: tensor ip2.bias: 3 float values, expected 10 for dims \[10\]/);
  const qdq = exportOnnx(model, { scales: scales("entropy") });
  // A zero point of 3 (int8) is a grid, kept as it is; a float zero point is refused.
  const shifted = importOnnx(edit(qdq, (m) => {
    const zp = m.graph.initializer.find((t: Decoded) => t.name === "qdq_zero_point");
    zp.rawData = new Uint8Array([3]);
  }), "zp.onnx");
  assert.is(shifted.quantization!.zeroPoints.get("data"), 3);
  expectOctetError(() => importOnnx(edit(qdq, (m) => {
    const zp = m.graph.initializer.find((t: Decoded) => t.name === "qdq_zero_point");
    zp.dataType = onnx.TensorProto.DataType.FLOAT;
    zp.rawData = new Uint8Array(4);
  }), "f.onnx"), "MODEL_FORMAT", /zero point is float; octet takes int8 or uint8 quantization/);
});

// ---------------------------------------------------------------------------
// Hand-built graphs (test/onnx/graphs.ts): each that imports runs in octet's
// FP32 reference network and in ONNX Runtime Web on the same random images.

const N = 2;

async function agree(bytes: Uint8Array, input: [number, number, number], file = "graph.onnx"): Promise<Model> {
  const m = importOnnx(bytes, file);
  const x = randomF32(N * input[0] * input[1] * input[2], 7, -1, 1);
  const worst = maxDiff(octetRun(m, x, N), await ortRun(bytes, x, [N, ...input]));
  assert.ok(worst <= 1e-4, `${file}: largest difference from ONNX Runtime ${worst}`);
  return m;
}

const byName = (m: Model, name: string) => m.graph.layers.find((l) => l.name === name)!;
const pads = (m: Model, name: string) => (byName(m, name) as { pads: number[] }).pads;

test("auto_pad SAME_UPPER / SAME_LOWER on odd sizes become ONNX's explicit pads (the odd pad after / before)", async () => {
  const bytes = graph({
    input: [2, 11, 13],
    nodes: [
      n("Conv", "up", ["x", "w1", "b1"], "c1", [a.ints("kernel_shape", [4, 2]), a.ints("strides", [2, 2]), a.str("auto_pad", "SAME_UPPER")]),
      n("Conv", "low", ["c1", "w2"], "c2", [a.ints("strides", [1, 2]), a.str("auto_pad", "SAME_LOWER")]),
      n("MaxPool", "mp", ["c2"], "p1", [a.ints("kernel_shape", [3, 2]), a.ints("strides", [2, 2]), a.str("auto_pad", "SAME_LOWER")]),
      n("AveragePool", "ap", ["p1"], "p2", [a.ints("kernel_shape", [2, 3]), a.str("auto_pad", "SAME_UPPER")]),
      n("Conv", "valid", ["p2", "w3"], "y", [a.str("auto_pad", "VALID"), a.ints("dilations", [2, 1])]),
    ],
    initializers: [randomTensor("w1", [3, 2, 4, 2], 1), randomTensor("b1", [3], 2), randomTensor("w2", [4, 3, 5, 4], 3), randomTensor("w3", [2, 4, 2, 1], 4)],
  });
  const m = await agree(bytes, [2, 11, 13], "same.onnx");
  // 11 rows at stride 2 -> 6: kernel 4 needs 3 pad rows, 1 before and 2 after (UPPER); 13 columns -> 7, kernel 2: 1 pad column, after.
  assert.equal(pads(m, "up"), [1, 0, 2, 1]);
  assert.equal(m.shapes.tensors.get("c1"), [3, 6, 7]);
  // Kernel 5 at stride 1: 4 pad rows (2 / 2); 7 columns at stride 2 -> 4, kernel 4: 3 pad columns, 2 before (LOWER).
  assert.equal(pads(m, "low"), [2, 2, 2, 1]);
  assert.equal(m.shapes.tensors.get("c2"), [4, 6, 4]);
  assert.equal(pads(m, "mp"), [1, 0, 0, 0]);
  assert.equal(pads(m, "ap"), [0, 1, 1, 1]);
  assert.equal(pads(m, "valid"), [0, 0, 0, 0]);
  assert.equal(m.shapes.tensors.get("y"), [2, 1, 2]);
  assert.is((byName(m, "low") as { bias: boolean }).bias, false);
  assert.not.ok(m.weights.has("low.bias"), "no bias weight for a convolution without bias");
});

test("asymmetric pads, rectangular kernels, no bias, groups, ceil_mode and count_include_pad", async () => {
  const bytes = graph({
    input: [4, 10, 11],
    nodes: [
      n("Conv", "conv", ["x", "w"], "c", [a.ints("kernel_shape", [3, 2]), a.ints("pads", [0, 1, 2, 1]), a.int("group", 2)]),
      n("MaxPool", "mp", ["c"], "p", [a.ints("kernel_shape", [3, 3]), a.ints("strides", [2, 2]), a.ints("pads", [1, 0, 0, 1]), a.int("ceil_mode", 1)]),
      n("AveragePool", "ap", ["p"], "y", [a.ints("kernel_shape", [3, 3]), a.ints("strides", [2, 2]), a.ints("pads", [1, 1, 1, 1]), a.int("count_include_pad", 1)]),
    ],
    initializers: [randomTensor("w", [6, 2, 3, 2], 5)],
  });
  const m = await agree(bytes, [4, 10, 11], "asym.onnx");
  const conv = byName(m, "conv");
  assert.ok(conv.type === "convolution" && conv.group === 2 && conv.kernelShape.join() === "3,2" && !conv.bias);
  assert.equal(conv.pads, [0, 1, 2, 1]);
  const ap = byName(m, "ap");
  assert.ok(ap.type === "pooling" && ap.countIncludePad && ap.method === "average");
  const mp = byName(m, "mp");
  assert.ok(mp.type === "pooling" && mp.ceilMode);
});

const fcGraph = (c: number[] | null, extra: object[] = []) => graph({
  input: [3, 2, 2],
  nodes: [n("Flatten", "flat", ["x"], "f"), n("Gemm", "fc", ["f", "B", ...(c ? ["C"] : [])], "y", [a.int("transB", 1), ...extra])],
  initializers: [randomTensor("B", [4, 12], 6), ...(c ? [randomTensor("C", c, 7)] : [])],
});

test("Gemm C broadcasts by numpy's rules: [O], [1, O], [1], [] per output or all; [M, 1] (per row) is refused", async () => {
  for (const c of [[4], [1, 4], [1], []]) {
    const m = await agree(fcGraph(c), [3, 2, 2], `gemm-c-${c.join("x")}.onnx`);
    assert.equal(m.weights.get("fc.bias")!.dims, [4]);
  }
  await agree(fcGraph([4], [a.float("alpha", 0.5), a.float("beta", 2)]), [3, 2, 2], "gemm-alpha-beta.onnx");
  const none = await agree(fcGraph(null), [3, 2, 2], "gemm-no-c.onnx");
  assert.is((byName(none, "fc") as { bias: boolean }).bias, false);
  // The output is [M, 4]: a [4, 1] C would be one value per row (image), not one per output.
  expectOctetError(() => importOnnx(fcGraph([4, 1]), "rows.onnx"), "MODEL_FORMAT",
    /rows.onnx: node fc \(Gemm\): C has shape \[4, 1\]: one value per row \(image\) of the output \[M, 4\]; octet cannot represent that for a dynamic batch/);
  expectOctetError(() => importOnnx(fcGraph([3]), "bad.onnx"), "SHAPE_MISMATCH", /bad.onnx: node fc \(Gemm\): C has shape \[3\], which does not broadcast/);
  expectOctetError(() => importOnnx(fcGraph([4], [a.int("transA", 1)]), "ta.onnx"), "MODEL_FORMAT", /ta.onnx: node fc \(Gemm\): attribute transA = 1 is not supported/);
  expectOctetError(() => importOnnx(graph({ input: [3, 2, 2], nodes: [n("Gemm", "fc", ["x", "B"], "y", [a.int("transB", 1)])], initializers: [randomTensor("B", [4, 12], 6)] }), "r4.onnx"),
    "MODEL_FORMAT", /r4.onnx: node fc \(Gemm\): reads a rank-4 value; Gemm here needs \[N, features\]/);
});

test("MatMul + Add: a per-output or scalar constant folds into the bias (noted); per row is refused", async () => {
  const mm = (c: number[]) => graph({
    input: [3, 2, 2],
    nodes: [n("Flatten", "flat", ["x"], "f"), n("MatMul", "mm", ["f", "B"], "z"), n("Add", "bias", ["z", "C"], "y")],
    initializers: [randomTensor("B", [12, 4], 8), randomTensor("C", c, 9)],
  });
  for (const c of [[4], [1, 4], []]) {
    const m = await agree(mm(c), [3, 2, 2], "matmul.onnx");
    assert.equal(m.graph.layers.map((l) => l.type), ["fully_connected"]);
    assert.equal(importNotes(m), ["Add bias folded into mm as its bias"]);
  }
  expectOctetError(() => importOnnx(mm([4, 1]), "mmrows.onnx"), "MODEL_FORMAT", /mmrows.onnx: node bias \(Add\): constant operand \[4, 1\] has one value per image \(row\)/);
});

test("Clip with bounds from Constant nodes or initializers, one bound, or none", async () => {
  const clip = (inputs: string[]) => graph({
    input: [2, 3, 3],
    nodes: [
      n("Constant", "lo", [], "lo", [a.float("value_float", -0.25)]),
      n("Conv", "conv", ["x", "w"], "c"),
      n("Clip", "clip", ["c", ...inputs], "y"),
    ],
    initializers: [randomTensor("w", [3, 2, 1, 1], 10, -2, 2), floats("hi", [], [0.5])],
  });
  const cases: [string[], number, number][] = [[["lo", "hi"], -0.25, 0.5], [["", "hi"], -3.4028234663852886e38, 0.5], [["lo"], -0.25, 3.4028234663852886e38], [[], -3.4028234663852886e38, 3.4028234663852886e38]];
  for (const [inputs, lo, hi] of cases) {
    const m = await agree(clip(inputs), [2, 3, 3], `clip-${inputs.join("-")}.onnx`);
    const l = byName(m, "clip");
    assert.ok(l.type === "activation" && l.fn === "clip" && l.min === Math.fround(lo) && l.max === Math.fround(hi), JSON.stringify(l));
  }
  expectOctetError(() => importOnnx(clip(["hi", "lo"]), "order.onnx"), "MODEL_FORMAT", /order.onnx: node clip \(Clip\): min 0.5 is above max -0.25/);
});

test("LeakyRelu, Sigmoid, Tanh, HardSigmoid (defaults and attributes), HardSwish and Softmax over channels", async () => {
  const bytes = graph({
    input: [3, 1, 1],
    nodes: [
      n("LeakyRelu", "lrelu", ["x"], "a1", [a.float("alpha", 0.2)]),
      n("Tanh", "tanh", ["a1"], "a2"),
      n("HardSigmoid", "hsig", ["a2"], "a3"),
      n("HardSwish", "hswish", ["a3"], "a4"),
      n("HardSigmoid", "hsig2", ["a4"], "a5", [a.float("alpha", 0.3), a.float("beta", 0.4)]),
      n("Sigmoid", "sig", ["a5"], "a6"),
      n("Softmax", "prob", ["a6"], "y", [a.int("axis", 1)]),
    ],
    opset: 14,
  });
  const m = await agree(bytes, [3, 1, 1], "acts.onnx");
  const pixels = graph({ input: [3, 2, 3], nodes: [n("HardSwish", "hswish", ["x"], "a"), n("LeakyRelu", "lrelu", ["a"], "y")], opset: 14 });
  await agree(pixels, [3, 2, 3], "acts-pixels.onnx");
  assert.equal(m.graph.layers.map((l) => (l.type === "activation" ? l.fn : l.type)), ["leaky_relu", "tanh", "hard_sigmoid", "hard_swish", "hard_sigmoid", "sigmoid", "softmax"]);
  const h = byName(m, "hsig");
  assert.ok(h.type === "activation" && h.alpha === Math.fround(0.2) && h.beta === 0.5, JSON.stringify(h));
  await agree(graph({ input: [3, 1, 1], nodes: [n("Softmax", "prob", ["x"], "y", [a.int("axis", 1)])], opset: 11 }), [3, 1, 1], "sm11.onnx");
  for (const opset of [11, 13]) {
    expectOctetError(() => importOnnx(graph({ input: [3, 2, 3], nodes: [n("Softmax", "prob", ["x"], "y", [a.int("axis", 1)])], opset }), "sm.onnx"),
      "MODEL_FORMAT", /sm.onnx: node prob \(Softmax\): attribute axis = 1 is not supported \(1 on \[N, C, 1, 1\] or \[N, classes\]; a softmax over the channels of each pixel of \[N, 3, 2, 3\] is not supported yet\)/);
  }
  expectOctetError(() => importOnnx(graph({ input: [3, 1, 1], nodes: [n("Softmax", "prob", ["x"], "y")], opset: 13 }), "sm.onnx"),
    "MODEL_FORMAT", /sm.onnx: node prob \(Softmax\): attribute axis = -1 is not supported \(1: the channels of \[N, C, 1, 1\]\)/);
});

test("Add, Sub, Mul with a constant become scale layers (per channel or scalar); a 1-D [C] on an image is refused (it broadcasts along W)", async () => {
  const bytes = graph({
    input: [3, 2, 4],
    nodes: [
      n("Relu", "relu", ["x"], "r"),
      n("Mul", "mul", ["r", "s"], "m1"),
      n("Add", "add", ["m1", "t"], "m2"),
      n("Sub", "sub", ["m2", "u"], "m3"),
      n("Sub", "rsub", ["v", "m3"], "m4"),
      n("Mul", "cmul", ["k", "m4"], "y"),
    ],
    initializers: [randomTensor("s", [1, 3, 1, 1], 11), floats("t", [], [0.25]), randomTensor("u", [3, 1, 1], 12), floats("v", [1], [2]), floats("k", [1, 1, 1, 1], [-1.5])],
  });
  const m = await agree(bytes, [3, 2, 4], "consts.onnx");
  // Mul then Add merge exactly into one scale layer.
  assert.equal(m.graph.layers.map((l) => `${l.name}:${l.type}`), ["relu:relu", "add:scale", "sub:scale", "rsub:scale", "cmul:scale"]);
  assert.equal(importNotes(m), ["Mul mul and Add add merged into scale layer add"]);
  assert.equal(Array.from(m.weights.get("rsub.scale")!.data), [-1, -1, -1]);
  assert.equal(Array.from(m.weights.get("rsub.shift")!.data), [2, 2, 2]);
  assert.equal(Array.from(m.weights.get("sub.shift")!.data), Array.from(randomF32(3, 12, -0.5, 0.5), (v) => -v));
  const oneD = (dims: number[]) => graph({ input: [3, 2, 3], nodes: [n("Relu", "relu", ["x"], "r"), n("Mul", "mul", ["r", "s"], "y")], initializers: [randomTensor("s", dims, 13)] });
  expectOctetError(() => importOnnx(oneD([3]), "w.onnx"), "MODEL_FORMAT", /w.onnx: node mul \(Mul\): constant operand \[3\] varies over W of \[N, 3, 2, 3\]; .*\(a 1-D \[C\] broadcasts along W in ONNX\)/);
  expectOctetError(() => importOnnx(oneD([1, 3, 2, 3]), "hw.onnx"), "MODEL_FORMAT", /hw.onnx: node mul \(Mul\): constant operand \[1, 3, 2, 3\] varies over H/);
  expectOctetError(() => importOnnx(oneD([2, 3, 1, 1]), "n.onnx"), "MODEL_FORMAT", /n.onnx: node mul \(Mul\): constant operand \[2, 3, 1, 1\] has one value per image/);
  expectOctetError(() => importOnnx(oneD([4, 1, 1]), "c.onnx"), "SHAPE_MISMATCH", /c.onnx: node mul \(Mul\): constant operand \[4, 1, 1\] does not broadcast onto \[N, 3, 2, 3\]/);
});

test("two activations: Add/Mul with the broadcast operand first are swapped; Sub with it first is refused", async () => {
  const se = (op: string) => graph({
    input: [3, 4, 4],
    nodes: [n("GlobalAveragePool", "gap", ["x"], "g"), n("Sigmoid", "gate", ["g"], "s"), n(op, "se", ["s", "x"], "y")],
  });
  for (const op of ["Mul", "Add"]) {
    const m = await agree(se(op), [3, 4, 4], `se-${op}.onnx`);
    assert.equal(byName(m, "se").inputs, ["x", "s"]);
  }
  expectOctetError(() => importOnnx(se("Sub"), "sub.onnx"), "MODEL_FORMAT",
    /sub.onnx: node se \(Sub\): Sub of \[N, 3, 1, 1\] and \[N, 3, 4, 4\] broadcasts its first input; octet broadcasts only the second/);
  await agree(graph({ input: [3, 4, 4], nodes: [n("GlobalMaxPool", "gmp", ["x"], "g"), n("Sub", "se", ["x", "g"], "y")] }), [3, 4, 4], "sub-ok.onnx");
});

test("Concat on channels (axis 1 or -3); other axes are refused by name", async () => {
  const cat = (axis: number) => graph({ input: [2, 3, 3], nodes: [n("Relu", "r", ["x"], "r"), n("Sigmoid", "s", ["x"], "s"), n("Concat", "cat", ["r", "s", "x"], "y", [a.int("axis", axis)])] });
  for (const axis of [1, -3]) {
    const m = await agree(cat(axis), [2, 3, 3], `cat${axis}.onnx`);
    assert.equal(m.shapes.tensors.get("y"), [6, 3, 3]);
  }
  expectOctetError(() => importOnnx(cat(2), "cat2.onnx"), "MODEL_FORMAT", /cat2.onnx: node cat \(Concat\): attribute axis = 2 is not supported \(1 \(or -3 for an image\): octet concatenates channels\)/);
});

test("BatchNormalization after a ReLU stays a scale layer; after a Gemm it folds into it", async () => {
  const bn = (name: string, c: number, seed: number) => [randomTensor(`${name}.g`, [c], seed, 0.5, 1.5), randomTensor(`${name}.b`, [c], seed + 1), randomTensor(`${name}.m`, [c], seed + 2), randomTensor(`${name}.v`, [c], seed + 3, 0.1, 2)];
  const bnNode = (name: string, x: string, y: string) => n("BatchNormalization", name, [x, `${name}.g`, `${name}.b`, `${name}.m`, `${name}.v`], y, [a.float("epsilon", 1e-3)]);
  const bytes = graph({
    input: [3, 4, 4],
    nodes: [n("Relu", "relu", ["x"], "r"), bnNode("bn1", "r", "b1"), n("Flatten", "flat", ["b1"], "f"), n("Gemm", "fc", ["f", "B"], "z", [a.int("transB", 1)]), bnNode("bn2", "z", "y")],
    initializers: [...bn("bn1", 3, 20), ...bn("bn2", 5, 30), randomTensor("B", [5, 48], 40)],
  });
  const m = await agree(bytes, [3, 4, 4], "bn.onnx");
  assert.equal(m.graph.layers.map((l) => `${l.name}:${l.type}`), ["relu:relu", "bn1:scale", "fc:fully_connected"]);
  assert.equal(m.weights.get("bn1.scale")!.dims, [3]);
  assert.ok(importNotes(m).includes("BatchNormalization bn2 folded into fc"));
  assert.ok(importNotes(m).some((t) => t.startsWith("BatchNormalization bn1 kept as scale layer bn1")));
});

test("ReduceMean over H, W: axes as attribute or (opset 18) input, keepdims 1 or 0 (then read by a Gemm directly)", async () => {
  const keep0 = graph({
    input: [4, 3, 5], opset: 18,
    nodes: [n("ReduceMean", "mean", ["x", "axes"], "g", [a.int("keepdims", 0)]), n("Gemm", "fc", ["g", "B"], "y", [a.int("transB", 1)])],
    initializers: [int64s("axes", [-1, -2]), randomTensor("B", [3, 4], 50)],
  });
  const m = await agree(keep0, [4, 3, 5], "mean18.onnx");
  assert.equal(m.graph.layers.map((l) => l.type), ["global_pooling", "fully_connected"]);
  const keep1 = graph({
    input: [4, 3, 5], opset: 13,
    nodes: [n("ReduceMean", "mean", ["x"], "g", [a.ints("axes", [2, 3])]), n("Reshape", "view", ["g", "shape"], "f"), n("Gemm", "fc", ["f", "B"], "y", [a.int("transB", 1)])],
    initializers: [int64s("shape", [-1, 4]), randomTensor("B", [3, 4], 50)],
  });
  await agree(keep1, [4, 3, 5], "mean13.onnx");
  expectOctetError(() => importOnnx(graph({ input: [4, 3, 5], nodes: [n("ReduceMean", "mean", ["x"], "g", [a.ints("axes", [1])])], opset: 13 }), "ax.onnx"),
    "MODEL_FORMAT", /ax.onnx: node mean \(ReduceMean\): axes \[1\] are not supported; octet reduces over H and W/);
});

test("views: Reshape [0, -1] / [-1, F], Squeeze / Unsqueeze of [N, C, 1, 1]; a fixed batch with a dynamic input is refused", async () => {
  const view = (shape: number[]) => graph({
    input: [2, 3, 3],
    nodes: [n("Reshape", "view", ["x", "shape"], "f"), n("Gemm", "fc", ["f", "B"], "y", [a.int("transB", 1)])],
    initializers: [int64s("shape", shape), randomTensor("B", [2, 18], 60)],
  });
  await agree(view([0, -1]), [2, 3, 3], "view0.onnx");
  await agree(view([-1, 18]), [2, 3, 3], "view18.onnx");
  expectOctetError(() => importOnnx(view([2, -1]), "b2.onnx"), "MODEL_FORMAT", /b2.onnx: node view \(Reshape\): shape \[2,-1\] is not supported \(the batch 2: the input's batch is dynamic\)/);
  expectOctetError(() => importOnnx(view([0, 3, 6]), "r3.onnx"), "MODEL_FORMAT", /r3.onnx: node view \(Reshape\): a view of \[N, 2, 3, 3\] as \[N, 3, 6\] is not supported/);
  const sq = graph({
    input: [4, 3, 3], opset: 13,
    nodes: [
      n("GlobalAveragePool", "gap", ["x"], "g"), n("Squeeze", "sq", ["g", "axes"], "v"), n("Gemm", "fc", ["v", "B"], "z", [a.int("transB", 1)]),
      n("Unsqueeze", "unsq", ["z", "axes"], "u"), n("Mul", "scale", ["x", "u"], "y"),
    ],
    initializers: [int64s("axes", [2, 3]), randomTensor("B", [4, 4], 61)],
  });
  const m = await agree(sq, [4, 3, 3], "squeeze.onnx");
  assert.equal(m.graph.layers.map((l) => l.type), ["global_pooling", "fully_connected", "eltwise"]);
});

test("Identity, Dropout (mask unused), Constant value_ints, and initializers listed as graph inputs (older exporters) import", async () => {
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "old", initializer: [randomTensor("W", [2, 3, 1, 1], 70)],
      node: [
        { name: "id", opType: "Identity", input: ["x"], output: ["i"] },
        { name: "conv", opType: "Conv", input: ["i", "W"], output: ["c"] },
        { name: "drop", opType: "Dropout", input: ["c"], output: ["d", "mask"] },
        { name: "shape", opType: "Constant", output: ["s"], attribute: [a.ints("value_ints", [0, -1])] },
        { name: "view", opType: "Reshape", input: ["d", "s"], output: ["y"] },
      ],
      input: [
        { name: "x", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: "N" }, { dimValue: 3 }, { dimValue: 2 }, { dimValue: 2 }] } } } },
        { name: "W", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }, { dimValue: 1 }, { dimValue: 1 }] } } } },
      ],
      output: [{ name: "y", type: { tensorType: { elemType: FLOAT } } }],
    },
  })).finish();
  const m = await agree(bytes, [3, 2, 2], "old.onnx");
  assert.equal(m.graph.layers.map((l) => l.type), ["convolution"]);
  assert.is(m.graph.output, "c");
  const maskRead = graph({ input: [3, 2, 2], nodes: [n("Dropout", "drop", ["x"], ["d", "mask"]), n("Add", "add", ["d", "mask"], "y")] });
  expectOctetError(() => importOnnx(maskRead, "mask.onnx"), "MODEL_FORMAT", /mask.onnx: node drop \(Dropout\): its mask output "mask" is read/);
});

test("a model with several unsupported nodes fails once, listing every one (node, op, why)", () => {
  const bytes = graph({
    input: [2, 4, 4],
    nodes: [
      n("Pad", "reflect", ["x", "pads"], "p", [a.str("mode", "reflect")]),
      n("Relu", "after_pad", ["p"], "q"),
      n("MaxPool", "dilated", ["x"], "m", [a.ints("kernel_shape", [2, 2]), a.ints("dilations", [2, 2])]),
      n("Concat", "cat", ["q", "m"], "c", [a.int("axis", 2)]),
      n("Elu", "elu", ["x"], "e"),
      n("Conv", "conv", ["x", "w"], "k", [a.ints("pads", [1, 1])]),
      n("Add", "sum", ["c", "e"], "y"),
    ],
    initializers: [int64s("pads", [0, 0, 1, 1, 0, 0, 1, 1]), randomTensor("w", [2, 2, 3, 3], 81)],
  });
  let message = "";
  try {
    importOnnx(bytes, "many.onnx");
  } catch (e) {
    assert.ok(e instanceof OctetError && e.code === "MODEL_FORMAT");
    message = e.message;
  }
  assert.equal(message.split("\n"), [
    "many.onnx: 5 of 7 nodes cannot be imported:",
    "  node reflect (Pad): attribute mode = \"reflect\" is not supported (constant: octet pads with a constant value; reflect, edge and wrap padding are not supported)",
    "  node dilated (MaxPool): attribute dilations = [2,2] is not supported (1: octet's pooling has no dilation)",
    "  node cat (Concat): attribute axis = 2 is not supported (1 (or -3 for an image): octet concatenates channels)",
    `  node elu (Elu): op Elu is not supported; octet imports ${SUPPORTED_OPS.join(", ")}`,
    "  node conv (Conv): attribute pads = [1,1] is not supported (four integers >= 0, [top, left, bottom, right])",
  ]);
});

test("external data without a resolver is a named error (the browser case); the resolver sees only checked locations", () => {
  const t = floats("w", [2, 3, 1, 1], []);
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.rawData = new Uint8Array(0);
  const external = (location: string, offset = "0") => {
    t.externalData = [{ key: "location", value: location }, { key: "offset", value: offset }, { key: "length", value: "24" }];
    return graph({ input: [3, 2, 2], nodes: [n("Conv", "conv", ["x", "w"], "y")], initializers: [t] });
  };
  expectOctetError(() => importOnnx(external("w.data"), "ext.onnx"), "MODEL_FORMAT", /ext.onnx: tensor w: keeps its data in the external file "w.data", and this import has no way to read files/);
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer);
  const asked: string[] = [];
  const readExternal = (location: string) => (asked.push(location), data);
  const m = importOnnx(external("./sub/../w.data", "8"), "ext.onnx", { readExternal });
  assert.equal(Array.from(m.weights.get("conv.weight")!.data), [3, 4, 5, 6, 7, 8]);
  assert.equal(asked, ["w.data"]);
  for (const [location, why] of [["../w.data", /leaves the model's folder/], ["/abs/w.data", /is an absolute path/], ["\\\\server\\w.data", /is an absolute path/], ["file:w.data", /is an absolute path/], ["a\0b", /contains a NUL character/]] as const) {
    expectOctetError(() => importOnnx(external(location), "ext.onnx", { readExternal }), "MODEL_FORMAT", new RegExp(`ext.onnx: tensor w: external data location .* ${why.source}`));
  }
  expectOctetError(() => importOnnx(external("w.data", "16"), "ext.onnx", { readExternal }), "MODEL_FORMAT", /external data at offset 16, 24 bytes, goes past the end of "w.data" \(32 bytes\)/);
  assert.equal(asked, ["w.data", "w.data"]);
});

test.run();
