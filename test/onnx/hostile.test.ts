// The ONNX importer on hostile models, written by hand as protobuf: tensors
// whose dims are negative or promise far more values than the file holds are
// refused before anything is allocated; equal node names are made unique in
// linear time; non-finite weights and unusable Q/DQ scales are refused by name.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { importOnnx } from "../../src/onnx/import.js";
import { onnx } from "../../src/onnx/proto.js";
import { expectOctetError } from "../helpers.js";

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function floats(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer) });
}

/** A model: input x [N, 1, 2, 2] -> nodes -> the last node's output. */
function model(nodes: object[], initializer: object[] = [], opset = 13): Uint8Array {
  const last = nodes[nodes.length - 1] as { output: string[] };
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 7, opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: "hostile", node: nodes, initializer,
      input: [{ name: "x", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: "N" }, { dimValue: 1 }, { dimValue: 2 }, { dimValue: 2 }] } } } }],
      output: [{ name: last.output[0], type: { tensorType: { elemType: FLOAT } } }],
    },
  })).finish();
}

const gemm = (b: object, c?: object) => model(
  [
    { name: "flat", opType: "Flatten", input: ["x"], output: ["xf"] },
    { name: "fc", opType: "Gemm", input: ["xf", "B", ...(c ? ["C"] : [])], output: ["y"], attribute: [{ name: "transB", type: 2, i: 1 }] },
  ],
  [b, ...(c ? [c] : [])],
);

test("initializers with dims [-1] or [1e6, 1e6] are refused before allocating", () => {
  expectOctetError(() => importOnnx(gemm(floats("B", [-1], [1, 2])), "neg.onnx"), "MODEL_FORMAT", /neg.onnx: tensor B: dimension -1 in \[-1\] is not a non-negative integer/);
  expectOctetError(() => importOnnx(gemm(floats("B", [1e6, 1e6], [1, 2, 3, 4])), "big.onnx"), "MODEL_FORMAT", /big.onnx: tensor B: dims \[1000000, 1000000\] hold more than 268435456 values, octet's limit/);
  expectOctetError(() => importOnnx(gemm(floats("B", [10000, 10000], [1, 2, 3, 4])), "raw.onnx"), "MODEL_FORMAT", /raw.onnx: tensor B: raw data is 16 bytes, expected 400000000 for dims \[10000, 10000\]/);
  const typed = onnx.TensorProto.create({ name: "B", dims: [10000, 10000], dataType: FLOAT, floatData: [1, 2] });
  expectOctetError(() => importOnnx(gemm(typed), "typed.onnx"), "MODEL_FORMAT", /typed.onnx: tensor B: 2 float values, expected 100000000 for dims \[10000, 10000\]/);
  const manyDims = floats("B", Array.from({ length: 40 }, () => 1), [1]);
  expectOctetError(() => importOnnx(gemm(manyDims), "rank.onnx"), "MODEL_FORMAT", /rank.onnx: tensor B: 40 dimensions, octet reads at most 16/);
});

test("Constant nodes with dims [-1] or [1e6, 1e6] are refused before allocating", () => {
  const constant = (dims: number[]) => model([
    { name: "w", opType: "Constant", output: ["B"], attribute: [{ name: "value", type: 4, t: floats("B", dims, [1, 2, 3, 4]) }] },
    { name: "fc", opType: "Gemm", input: ["x", "B"], output: ["y"], attribute: [{ name: "transB", type: 2, i: 1 }] },
  ]);
  expectOctetError(() => importOnnx(constant([-1]), "c.onnx"), "MODEL_FORMAT", /c.onnx: node w \(Constant\): tensor B: dimension -1 in \[-1\] is not a non-negative integer/);
  expectOctetError(() => importOnnx(constant([1e6, 1e6]), "c.onnx"), "MODEL_FORMAT", /c.onnx: node w \(Constant\): tensor B: dims \[1000000, 1000000\] hold more than/);
});

test("3,000 Relu nodes with the same name import with unique names, in order", () => {
  const n = 3000;
  const nodes = Array.from({ length: n }, (_, i) => ({ name: "relu", opType: "Relu", input: [i === 0 ? "x" : i === 1 ? "w" : `v${i - 1}`], output: [`v${i}`] }));
  nodes.splice(1, 0, { name: "relu_2", opType: "Relu", input: ["v0"], output: ["w"] });
  const t0 = performance.now();
  const m = importOnnx(model(nodes), "relus.onnx");
  const ms = performance.now() - t0;
  const names = m.graph.layers.map((l) => l.name);
  assert.is(names.length, n + 1);
  assert.is(new Set(names).size, n + 1, "names are unique");
  assert.equal(names.slice(0, 6), ["relu", "relu_2", "relu_1", "relu_3", "relu_4", "relu_5"]);
  assert.is(names[n], `relu_${n}`);
  assert.ok(ms < 2000, `import took ${ms.toFixed(0)} ms`);
});

test("NaN and infinite weights, and unusable Q/DQ scales, are refused by name", () => {
  const b = floats("B", [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
  expectOctetError(() => importOnnx(gemm(floats("B", [2, 4], [0, 1, NaN, 3, 4, 5, 6, 7])), "nan.onnx"), "MODEL_FORMAT", /nan.onnx: layer fc: weight: value \d is NaN; weights must be finite/);
  expectOctetError(() => importOnnx(gemm(b, floats("C", [2], [1, Infinity])), "inf.onnx"), "MODEL_FORMAT", /inf.onnx: layer fc: bias: value 1 is Infinity/);
  const qdq = (scale: number) => model([
    { name: "q", opType: "QuantizeLinear", input: ["x", "s", "z"], output: ["xq"] },
    { name: "dq", opType: "DequantizeLinear", input: ["xq", "s", "z"], output: ["xd"] },
    { name: "r", opType: "Relu", input: ["xd"], output: ["y"] },
  ], [floats("s", [], [scale]), onnx.TensorProto.create({ name: "z", dims: [], dataType: onnx.TensorProto.DataType.INT8, rawData: new Uint8Array(1) })]);
  assert.is(importOnnx(qdq(0.05), "ok.onnx").quantization?.scales.get("x"), Math.fround(0.05));
  for (const [s, why] of [[0, "is zero"], [-0.5, "is negative"], [NaN, "is not a number"], [Infinity, "is infinite"], [1e-45, "is subnormal"], [1e30, "is larger than 2\\^64"]] as const) {
    expectOctetError(() => importOnnx(qdq(s), "s.onnx"), "MODEL_FORMAT", new RegExp(`s.onnx: node q \\(QuantizeLinear\\): scale .* ${why}`));
  }
});

test("long names and attribute values are cut in messages", () => {
  const long = "n".repeat(100_000);
  let message = "";
  try {
    importOnnx(model([{ name: long, opType: "Conv", input: ["x", "w"], output: ["y"], attribute: [{ name: "pads", type: 7, ints: Array.from({ length: 10_000 }, (_, i) => i) }] }],
      [floats("w", [1, 1, 1, 1], [1])]), "long.onnx");
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /^long.onnx: node n+… \(Conv\): attribute pads = \[0,1,2,3,.*… is not supported/);
  assert.ok(message.length < 400, `${message.length} characters`);
});

test.run();
