// NVIDIA's QDQ form (ModelOpt / pytorch-quantization export): Q/DQ only on
// the inputs of the quantized layers (conv, fully connected), the weights as
// float initializers behind Q -> DQ pairs (narrow range, per channel), layer
// outputs without Q/DQ. Made here from octet's own QDQ export of LeNet by
// removing the other pairs and turning the int8 weight initializers back
// into floats with a QuantizeLinear. `npm run infer` takes the model's
// scales where it has them, calibrates the tensors it leaves without one,
// says for every tensor where its scale came from, and passes sample_int8.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { onnx } from "../../src/onnx/proto.js";
import { importOnnx } from "../../src/onnx/import.js";
import { model, scales } from "../engine/fixtures.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Decoded = any;

/** Layer inputs keep their Q/DQ; every other activation pair goes; int8 weights become float + QuantizeLinear. */
function nvidiaForm(bytes: Uint8Array, inputsOfQuantized: string[]): Uint8Array {
  const m: Decoded = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  for (const node of [...g.node]) {
    if (node.opType !== "QuantizeLinear" || !node.name.endsWith("_QuantizeLinear")) continue;
    const tensor = node.name.slice(0, -"_QuantizeLinear".length);
    if (inputsOfQuantized.includes(tensor)) continue;
    const dq = g.node.find((x: Decoded) => x.name === `${tensor}_DequantizeLinear`);
    for (const reader of g.node) reader.input = reader.input.map((v: string) => (v === dq.output[0] ? node.input[0] : v));
    for (const o of g.output) if (o.name === dq.output[0]) o.name = node.input[0];
    g.node = g.node.filter((x: Decoded) => x !== node && x !== dq);
  }
  for (const dq of [...g.node]) {
    if (dq.opType !== "DequantizeLinear" || !dq.input[0].endsWith(".weight_quantized")) continue;
    const qi = g.initializer.findIndex((t: Decoded) => t.name === dq.input[0]);
    const q = g.initializer[qi];
    const scale = new Float32Array(new Uint8Array(g.initializer.find((t: Decoded) => t.name === dq.input[1]).rawData).slice().buffer);
    const ints = new Int8Array(new Uint8Array(q.rawData).slice().buffer);
    const per = ints.length / scale.length;
    const w = Float32Array.from(ints, (v, i) => Math.fround(v * scale[Math.floor(i / per)]!));
    const floatName = dq.input[0].replace("_quantized", "_float");
    g.initializer[qi] = onnx.TensorProto.create({ name: floatName, dims: q.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(w.buffer) });
    g.node.splice(g.node.indexOf(dq), 0, { name: `${floatName}_QuantizeLinear`, opType: "QuantizeLinear", input: [floatName, dq.input[1], dq.input[2]], output: [dq.input[0]], attribute: dq.attribute });
  }
  return onnx.ModelProto.encode(m).finish();
}

test("NVIDIA's QDQ form: the model's scales on layer inputs, calibration for the rest, every tensor's origin in the log", async () => {
  const bytes = nvidiaForm(exportOnnx(model, { scales: scales("minmax") }), ["data", "pool1", "pool2", "ip1"]);
  const imported = importOnnx(bytes, "nv.onnx");
  // conv1, conv2 and ip1 take the grids of pool1, pool2 and relu1 through the max pooling and the ReLU (TensorRT's Q/DQ propagation).
  assert.equal([...imported.quantization!.scales.keys()].sort(), ["conv1", "conv2", "data", "ip1", "pool1", "pool2", "relu1"]);
  assert.is(imported.quantization!.weights.size, 4, "the weights from their Q -> DQ pairs, as int8");
  const file = join(mkdtempSync(join(tmpdir(), "octet-nv-")), "lenet-nvidia.onnx");
  writeFileSync(file, bytes);
  const { code, out: text, err } = await runCli(["infer", "--model", file, "--iterations", "3", "--warmup", "1", "--no-profile"]);
  assert.is(code, 0, `${err}\n${text}`);
  assert.match(text, /Import: conv1 has no QuantizeLinear; it takes the grid of pool1 through pooling pool1 \(TensorRT's Q\/DQ propagation\)/);
  assert.match(text, /Explicit quantization: 7 activation scales from QDQ nodes in .*lenet-nvidia.onnx; 1 tensors have none \(ip2\): they take a cache's or calibration's/);
  assert.match(text, /Calibrating with EntropyCalibration2 on 500 training images/);
  assert.match(text, /Scales of 9 tensors: 7 the model \(QDQ\), 1 calibration \(entropy\), 1 none \(FP32\)/);
  assert.match(text, /\[I\] {3}ip2 +calibration \(entropy\)/);
  assert.match(text, /\[I\] {3}pool2 +the model \(QDQ\)/);
  assert.match(text, /sample_int8 check: PASSED/);
});

test.run();
