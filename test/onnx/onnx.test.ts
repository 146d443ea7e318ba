// ONNX: export -> import round trip, ONNX Runtime Web running octet's
// exported FP32 and QDQ models in agreement with octet, QDQ scales taken
// instead of calibration, MatMul + Add and Flatten forms, and clear errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as ort from "onnxruntime-web";
import { exportOnnx } from "../../src/onnx/export.js";
import { importOnnx } from "../../src/onnx/import.js";
import { onnx } from "../../src/onnx/proto.js";
import { buildPlan, DEFAULT_BUILD, type Plan } from "../../src/engine/plan.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { model, scales, runner, test as mnist } from "../engine/fixtures.js";
import { expectOctetError } from "../helpers.js";
import type { Model } from "../../src/model/model.js";

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
  const bytes = edit(exportOnnx(model), (m) => {
    const g = m.graph;
    const i = g.node.findIndex((n: Decoded) => n.name === "ip2");
    const w = g.initializer.find((t: Decoded) => t.name === "ip2.weight");
    const [o, inF] = w.dims.map(Number) as [number, number];
    const src = new Float32Array(new Uint8Array(w.rawData).buffer);
    const t = new Float32Array(o * inF);
    for (let r = 0; r < o; r++) for (let c = 0; c < inF; c++) t[c * o + r] = src[r * inF + c]!;
    w.dims = [inF, o];
    w.rawData = new Uint8Array(t.buffer);
    const gemm = g.node[i];
    g.node.splice(i, 1,
      onnx.NodeProto.create({ name: "ip2", opType: "MatMul", input: [gemm.input[0], "ip2.weight"], output: ["ip2_mm"] }),
      onnx.NodeProto.create({ name: "ip2_bias", opType: "Add", input: ["ip2_mm", "ip2.bias"], output: [gemm.output[0]] }));
    const reshape = g.node.find((n: Decoded) => n.opType === "Reshape");
    reshape.opType = "Flatten";
    reshape.input = [reshape.input[0]];
  });
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
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "relu1").opType = "Sigmoid")), "s.onnx"),
    "MODEL_FORMAT", /s.onnx: node relu1 \(Sigmoid\): op Sigmoid is not supported/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "conv2").attribute.find((a: Decoded) => a.name === "group").i = 2)), "g.onnx"),
    "MODEL_FORMAT", /g.onnx: node conv2 \(Conv\): attribute group = 2 is not supported/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.opsetImport[0].version = 9)), "o.onnx"), "MODEL_FORMAT", /o.onnx: ONNX opset 9 is not supported; octet imports opsets 11 to 21/);
  expectOctetError(() => importOnnx(edit(good, (m) => m.graph.node.find((n: Decoded) => n.name === "prob").attribute[0].i = 0), "ax.onnx"),
    "MODEL_FORMAT", /ax.onnx: node prob \(Softmax\): attribute axis = 0 is not supported \(a softmax over all non-batch values/);
  expectOctetError(() => importOnnx(edit(good, (m) => (m.graph.node.find((n: Decoded) => n.name === "conv1").attribute.find((a: Decoded) => a.name === "strides").ints = [0, 0])), "st.onnx"),
    "MODEL_FORMAT", /st.onnx: layer conv1: field "strides\[0\]" is 0, expected an integer >= 1/);
  expectOctetError(() => importOnnx(edit(good, (m) => {
    const w = m.graph.initializer.find((t: Decoded) => t.name === "ip2.bias");
    w.floatData = [1, 2, 3];
    w.rawData = new Uint8Array(0);
  }), "n.onnx"), "MODEL_FORMAT", /n.onnx: tensor ip2.bias: 3 float values, expected 10 for dims \[10\]/);
  const qdq = exportOnnx(model, { scales: scales("entropy") });
  expectOctetError(() => importOnnx(edit(qdq, (m) => {
    const zp = m.graph.initializer.find((t: Decoded) => t.name === "qdq_zero_point");
    zp.rawData = new Uint8Array([3]);
  }), "zp.onnx"), "MODEL_FORMAT", /zp.onnx: node data_QuantizeLinear \(QuantizeLinear\): zero point 3 is not 0/);
  expectOctetError(() => importOnnx(edit(qdq, (m) => {
    const zp = m.graph.initializer.find((t: Decoded) => t.name === "qdq_zero_point");
    zp.dataType = onnx.TensorProto.DataType.UINT8;
  }), "u8.onnx"), "MODEL_FORMAT", /zero point is uint8; octet supports symmetric int8 only/);
});

test.run();
