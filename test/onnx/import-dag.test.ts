// The CNNs of models/cnn (PyTorch's TorchScript and dynamo exports, see
// models/README.md) import into octet's DAG graph: layer counts by type,
// shapes of key tensors, BatchNorm folded (or kept as a scale layer),
// external data read beside the model, and octet's FP32 reference network
// within 1e-4 of ONNX Runtime Web on MNIST test images. The QDQ forms import
// (symmetric int8) or fail with a named error; `octet inspect` reports each node.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, copyFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel, onnxImportOptions } from "../../src/model/model-node.js";
import { importOnnx, importNotes } from "../../src/onnx/import.js";
import { inspectOnnx } from "../../src/onnx/inspect.js";
import { onnx } from "../../src/onnx/proto.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { main } from "../../src/cli/main.js";
import { OctetError } from "../../src/errors.js";
import type { Model } from "../../src/model/model.js";
import type { Layer } from "../../src/model/graph.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";
import { expectOctetError } from "../helpers.js";
import { ortRun, octetRun, maxDiff, layerCounts } from "./graphs.js";

const dir = fileURLToPath(new URL("../../../models/cnn/", import.meta.url));
const path = (name: string) => join(dir, name);
const mnist = loadMnistTest();
const IMAGES = 16;
const images = new Float32Array(IMAGES * 784);
imagesToFloat(mnist, 0, IMAGES, images);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Decoded = any;
function edit(bytes: Uint8Array, f: (m: Decoded) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  f(m);
  return onnx.ModelProto.encode(m).finish();
}

function layer(m: Model, name: string): Layer {
  const l = m.graph.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
}
function shape(m: Model, tensor: string): number[] {
  const s = m.shapes.tensors.get(tensor);
  if (!s) throw new Error(`no tensor ${tensor}`);
  return s;
}

/** octet FP32 vs ONNX Runtime Web on the first IMAGES MNIST test images; returns the largest difference. */
async function agreement(m: Model, bytes: Uint8Array, externalData?: { path: string; data: Uint8Array }[]): Promise<number> {
  const theirs = await ortRun(bytes, images, [IMAGES, 1, 28, 28], externalData);
  const ours = octetRun(m, images, IMAGES);
  return maxDiff(ours, theirs);
}

const figures: string[] = [];
async function checkAgainstOrt(name: string, m: Model, bytes: Uint8Array = readFileSync(path(name)), externalData?: { path: string; data: Uint8Array }[]): Promise<void> {
  const worst = await agreement(m, bytes, externalData);
  figures.push(`${name}: max |octet FP32 - ORT| = ${worst.toExponential(2)} over ${IMAGES} images x 10 logits`);
  assert.ok(worst <= 1e-4, `${name}: largest difference ${worst}`);
}

const RESNET = { convolution: 6, relu: 5, eltwise: 2, global_pooling: 1, fully_connected: 1 };

test("resnet-mnist (TorchScript, BatchNorm folded by the exporter): 15 layers, residual adds, ORT agreement", async () => {
  const m = loadModel(path("resnet-mnist.onnx"));
  assert.equal(layerCounts(m), RESNET);
  const stem = layer(m, "/stem/stem.0/Conv");
  assert.ok(stem.type === "convolution" && stem.strides.join() === "2,2" && stem.pads.join() === "1,1,1,1" && stem.bias);
  assert.equal(shape(m, "/stem/stem.0/Conv_output_0"), [16, 14, 14]);
  assert.equal(shape(m, "/block2/Relu_output_0"), [32, 7, 7]);
  assert.equal(shape(m, "output"), [10, 1, 1]);
  const add = layer(m, "/block2/Add");
  assert.equal(add.inputs, ["/block2/conv2/conv2.0/Conv_output_0", "/block2/shortcut/shortcut.0/Conv_output_0"]);
  assert.equal(importNotes(m), []);
  await checkAgainstOrt("resnet-mnist.onnx", m);
});

test("resnet-mnist-bn (TrainingMode.PRESERVE): the 6 BatchNormalizations fold into their convolutions, with notes", async () => {
  const m = loadModel(path("resnet-mnist-bn.onnx"));
  assert.equal(layerCounts(m), RESNET);
  const notes = importNotes(m);
  assert.is(notes.length, 6);
  assert.ok(notes.includes("BatchNormalization /stem/stem.1/BatchNormalization folded into /stem/stem.0/Conv"), notes.join("\n"));
  // The exporter kept the convolutions without bias: folding gives them one.
  for (const l of m.graph.layers) if (l.type === "convolution") assert.ok(l.bias && m.weights.has(`${l.name}.bias`), l.name);
  assert.equal(shape(m, "/stem/stem.1/BatchNormalization_output_0"), [16, 14, 14]);
  await checkAgainstOrt("resnet-mnist-bn.onnx", m);
});

test("resnet-mnist-bn with the stem convolution's output read twice: that BatchNorm stays a scale layer, the dead branch is dropped", async () => {
  const bytes = edit(readFileSync(path("resnet-mnist-bn.onnx")), (g) => {
    g.graph.node.push(onnx.NodeProto.create({ name: "probe", opType: "Relu", input: ["/stem/stem.0/Conv_output_0"], output: ["probe_out"] }));
  });
  const m = importOnnx(bytes, "bn-kept.onnx");
  assert.equal(layerCounts(m), { ...RESNET, scale: 1 });
  const bn = layer(m, "/stem/stem.1/BatchNormalization");
  assert.is(bn.type, "scale");
  assert.equal(m.weights.get("/stem/stem.1/BatchNormalization.scale")!.dims, [16]);
  assert.equal(m.weights.get("/stem/stem.1/BatchNormalization.shift")!.dims, [16]);
  const notes = importNotes(m);
  assert.is(notes.filter((n) => n.includes("folded into")).length, 5);
  assert.ok(notes.some((n) => /BatchNormalization \/stem\/stem.1\/BatchNormalization kept as scale layer/.test(n)), notes.join("\n"));
  assert.ok(notes.some((n) => /node probe \(Relu\) dropped/.test(n)), notes.join("\n"));
  await checkAgainstOrt("resnet-mnist-bn.onnx (stem BatchNorm kept)", m, bytes);
});

test("resnet-mnist-dynamo (opset 18, ReduceMean, Reshape, external data): read beside the model; without a resolver a named error", async () => {
  const m = loadModel(path("resnet-mnist-dynamo.onnx"));
  assert.equal(layerCounts(m), RESNET);
  const pool = layer(m, "node_mean");
  assert.ok(pool.type === "global_pooling" && pool.method === "average");
  assert.equal(shape(m, "mean"), [32, 1, 1]);
  assert.equal(m.weights.get("node_Conv_96.weight")!.dims, [16, 1, 3, 3]);
  const bytes = readFileSync(path("resnet-mnist-dynamo.onnx"));
  expectOctetError(() => importOnnx(bytes, "dynamo.onnx"), "MODEL_FORMAT",
    /dynamo.onnx: tensor stem.0.weight: keeps its data in the external file "resnet-mnist-dynamo.onnx.data", and this import has no way to read files/);
  await checkAgainstOrt("resnet-mnist-dynamo.onnx", m, bytes, [{ path: "resnet-mnist-dynamo.onnx.data", data: readFileSync(path("resnet-mnist-dynamo.onnx.data")) }]);
});

test("mobilenet-mnist: depthwise convolutions (groups 64, 48), ReLU6 as clip [0, 6] from Constant nodes, residual adds", async () => {
  const m = loadModel(path("mobilenet-mnist.onnx"));
  assert.equal(layerCounts(m), { convolution: 11, activation: 8, eltwise: 2, global_pooling: 1, fully_connected: 1 });
  const dw = layer(m, "/b1/dw/dw.0/Conv");
  assert.ok(dw.type === "convolution" && dw.group === 64 && dw.numOutput === 64);
  assert.equal(m.weights.get("/b1/dw/dw.0/Conv.weight")!.dims, [64, 1, 3, 3]);
  const mult = layer(m, "/b3/dw/dw.0/Conv");
  assert.ok(mult.type === "convolution" && mult.group === 48 && mult.numOutput === 96, "channel multiplier 2");
  const clip = layer(m, "/stem/stem.2/Clip");
  assert.ok(clip.type === "activation" && clip.fn === "clip" && clip.min === 0 && clip.max === 6);
  assert.equal(shape(m, "/b2/dw/dw.0/Conv_output_0"), [48, 7, 7]);
  await checkAgainstOrt("mobilenet-mnist.onnx", m);
});

test("squeezenet-mnist: ceil_mode max pooling, Fire concats, a Flatten as the graph output", async () => {
  const m = loadModel(path("squeezenet-mnist.onnx"));
  assert.equal(layerCounts(m), { convolution: 14, relu: 13, pooling: 2, concat: 4, global_pooling: 1 });
  const pool = layer(m, "/pool1/MaxPool");
  assert.ok(pool.type === "pooling" && pool.ceilMode && pool.method === "max");
  assert.equal(shape(m, "/pool1/MaxPool_output_0"), [32, 14, 14]);
  assert.equal(shape(m, "/pool2/MaxPool_output_0"), [32, 7, 7]);
  assert.equal(shape(m, "/fire5/Concat_output_0"), [64, 7, 7]);
  assert.equal(layer(m, "/fire2/Concat").inputs, ["/fire2/Relu_1_output_0", "/fire2/Relu_2_output_0"]);
  assert.is(m.graph.output, "/pool/GlobalAveragePool_output_0");
  await checkAgainstOrt("squeezenet-mnist.onnx", m);
});

test("senet-fashion: squeeze-excite (GAP, 1x1 convs, Sigmoid / HardSigmoid, Mul broadcast from [N, C, 1, 1]), HardSwish", async () => {
  const m = loadModel(path("senet-fashion.onnx"));
  assert.equal(layerCounts(m), { convolution: 10, activation: 7, global_pooling: 4, relu: 3, eltwise: 3, fully_connected: 1 });
  const fns = m.graph.layers.flatMap((l) => (l.type === "activation" ? [l.fn] : []));
  assert.equal(fns.sort(), ["hard_sigmoid", "hard_swish", "hard_swish", "hard_swish", "hard_swish", "sigmoid", "sigmoid"]);
  const gate = layer(m, "/se3/gate/HardSigmoid");
  assert.ok(gate.type === "activation" && Math.abs(gate.alpha - 1 / 6) < 1e-7 && gate.beta === 0.5);
  const mul = layer(m, "/se1/Mul");
  assert.ok(mul.type === "eltwise" && mul.op === "mul");
  assert.equal(mul.inputs.map((t) => shape(m, t)), [[16, 28, 28], [16, 1, 1]]);
  await checkAgainstOrt("senet-fashion.onnx", m);
});

test("QDQ models: both forms import with the model's scales, zero points and int8 weights; the uint8 forms restore the Relus the quantizer removed", () => {
  const files = readdirSync(dir).filter((f) => f.includes("-qdq-")).sort();
  assert.is(files.length, 10);
  for (const f of files) {
    const m = loadModel(path(f));
    const q = m.quantization!;
    assert.ok(q.scales.has("input") || q.scales.has("data"), `${f}: the input's scale`);
    const weighted = m.graph.layers.filter((l) => l.type === "convolution" || l.type === "fully_connected");
    assert.is(q.weights.size, weighted.length, `${f}: every conv and fc keeps its int8 weights`);
    const u8 = f.endsWith("-u8.onnx");
    assert.is(q.zeroPoints.get(q.scales.has("input") ? "input" : "data"), u8 ? -128 : undefined, `${f}: input zero point`);
    assert.is(m.graph.layers.some((l) => l.name.endsWith("/zero_point_relu")), u8, `${f}: restored ReLUs`);
  }
});

test("imported CNNs export to ONNX that ONNX Runtime runs, and import back to the same layers and outputs", async () => {
  const four = images.subarray(0, 4 * 784);
  for (const f of ["resnet-mnist.onnx", "mobilenet-mnist.onnx", "squeezenet-mnist.onnx", "senet-fashion.onnx"]) {
    const m = loadModel(path(f));
    const exported = exportOnnx(m);
    const back = importOnnx(exported, `${f} (octet's export)`);
    assert.equal(back.graph.layers.map((l) => `${l.name}:${l.type}`), m.graph.layers.map((l) => `${l.name}:${l.type}`), f);
    const ours = octetRun(m, four, 4);
    assert.ok(maxDiff(octetRun(back, four, 4), ours) <= 1e-6, f);
    assert.ok(maxDiff(await ortRun(exported, four, [4, 1, 28, 28]), ours) <= 1e-4, `${f}: ONNX Runtime on octet's export`);
  }
});

test("external data: a copy in a temporary folder loads; locations escaping the folder, absolute, through a link, or past the file are refused", () => {
  const tmp = mkdtempSync(join(tmpdir(), "octet-onnx-"));
  try {
    const model = join(tmp, "m.onnx");
    copyFileSync(path("resnet-mnist-dynamo.onnx.data"), join(tmp, "resnet-mnist-dynamo.onnx.data"));
    writeFileSync(model, readFileSync(path("resnet-mnist-dynamo.onnx")));
    const m = loadModel(model);
    assert.equal(Array.from(m.weights.get("node_Conv_96.weight")!.data), Array.from(loadModel(path("resnet-mnist-dynamo.onnx")).weights.get("node_Conv_96.weight")!.data));
    const located = (location: string, offset?: string) => edit(readFileSync(path("resnet-mnist-dynamo.onnx")), (g) => {
      const t = g.graph.initializer.find((x: Decoded) => x.name === "stem.0.weight");
      t.externalData = t.externalData.map((e: Decoded) => (e.key === "location" ? { key: "location", value: location } : e.key === "offset" && offset !== undefined ? { key: "offset", value: offset } : e));
    });
    const refused = (location: string, pattern: RegExp, offset?: string) => {
      writeFileSync(model, located(location, offset));
      expectOctetError(() => loadModel(model), "MODEL_FORMAT", pattern);
    };
    refused("../resnet-mnist-dynamo.onnx.data", /external data location "..\/resnet-mnist-dynamo.onnx.data" leaves the model's folder/);
    refused("sub/../../x.data", /leaves the model's folder/);
    refused("/etc/passwd", /external data location "\/etc\/passwd" is an absolute path/);
    refused("C:\\data\\w.data", /is an absolute path/);
    refused("resnet-mnist-dynamo.onnx.data", /external data at offset 77100, 576 bytes, goes past the end of "resnet-mnist-dynamo.onnx.data" \(77632 bytes\)/, "77100");
    refused("resnet-mnist-dynamo.onnx.data", /external data offset "-1" is not a non-negative decimal integer/, "-1");
    refused("missing.data", /external data file .*missing.data: cannot read \(ENOENT\)/);
    refused(".", /names no file/);
    // A link inside the folder to a file outside it.
    const outside = mkdtempSync(join(tmpdir(), "octet-outside-"));
    try {
      copyFileSync(path("resnet-mnist-dynamo.onnx.data"), join(outside, "w.data"));
      symlinkSync(join(outside, "w.data"), join(tmp, "link.data"));
      refused("link.data", /external data "link.data" links outside the model's folder/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    // The resolver is only asked for checked locations.
    const asked: string[] = [];
    const options = onnxImportOptions(model);
    assert.throws(() => importOnnx(located("a/./b/../../../x.data"), model, { readExternal: (l) => (asked.push(l), options.readExternal!(l)) }), (e: unknown) => e instanceof OctetError && /leaves the model's folder/.test(e.message));
    assert.equal(asked, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("inspectOnnx and `octet inspect`: one row per node with its op, shape and what it became", async () => {
  const r = inspectOnnx(readFileSync(path("resnet-mnist-bn.onnx")), "resnet-mnist-bn.onnx");
  assert.is(r.rows.length, 23);
  const row = (name: string) => r.rows.find((x) => x.name === name)!;
  assert.is(row("/stem/stem.0/Conv").octet, "convolution /stem/stem.0/Conv");
  assert.is(row("/stem/stem.0/Conv").output, "[N, 16, 14, 14]");
  assert.match(row("/stem/stem.1/BatchNormalization").octet, /^folded into \/stem\/stem.0\/Conv/);
  assert.match(row("/Flatten").octet, /^absorbed/);
  assert.is(row("/Flatten").output, "[N, 32]");
  assert.is(row("Identity_0").octet, "constant");
  assert.ok(r.model && r.error === undefined);
  const u8 = inspectOnnx(readFileSync(path("resnet-mnist-qdq-u8.onnx")), "u8.onnx");
  assert.ok(u8.model && u8.unsupported === 0);
  assert.match(u8.rows.find((x) => x.name === "input_QuantizeLinear")!.octet, /^absorbed \(scale 0.0039\d+, zero point 0 of input/);

  const out: string[] = [], err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  assert.is(await main(["inspect", path("resnet-mnist-dynamo.onnx")], io), 0, err.join("\n"));
  const text = out.join("\n");
  assert.match(text, /ONNX opset 18, input input \[N, 1, 28, 28\], 16 nodes/);
  assert.match(text, /node_mean\s+ReduceMean\s+\[N, 32, 1, 1\]\s+global_pooling node_mean/);
  assert.match(text, /node_Reshape_109\s+Reshape\s+\[N, 32\]\s+absorbed/);
  assert.match(text, /Imports as 15 octet layers \(convolution 6, relu 5, eltwise 2, global_pooling 1, fully_connected 1\)/);
  out.length = 0;
  assert.is(await main(["inspect", "--model", path("squeezenet-mnist-qdq-u8.onnx")], io), 0);
  assert.match(out.join("\n"), /Imports as \d+ octet layers .*activation scales from QDQ nodes/);
  assert.is(await main(["inspect"], io), 2);
  assert.match(err.join("\n"), /which model\? `octet inspect model.onnx`/);
  assert.is(await main(["inspect", "models/lenet.json"], io), 2);
  assert.match(err.join("\n"), /octet inspect reads ONNX models/);
});

test("agreement figures", () => {
  for (const f of figures) console.log(`[onnx] ${f}`);
});

test.run();
