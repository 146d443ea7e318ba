// Fuzzing the ONNX importer: models written by octet's own exporter (a tiny
// LeNet-shaped model in FP32, QDQ and MatMul + Add / Flatten forms, and now
// and then LeNet itself) and the third-party models of models/cnn that this
// octet imports, mutated structurally (ops, attributes, initializer
// dims and types, Constant nodes, inputs, opsets) and byte by byte. Every case
// is imported or refused with an OctetError, within 2 s and bounded memory;
// the seeds still import to the same model afterwards.
import { test } from "uvu";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";
import { exportOnnx } from "../../src/onnx/export.js";
import { buildPlan, DEFAULT_BUILD } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { importOnnx } from "../../src/onnx/import.js";
import { onnx } from "../../src/onnx/proto.js";
import { gemmAsMatMulAdd } from "../onnx/graphs.js";
import { loadModel } from "../../src/model/model-node.js";
import type { Model } from "../../src/model/model.js";
import type { Rng } from "../../src/util/rng.js";
import { mutateBytes, runCampaign, fuzzCases, summary, pick, randInt } from "./mutate.js";
import { tinyModel, tinyScales } from "./seeds.js";

// Decoded protobuf messages: the fuzzer edits their fields freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Decoded = any;

function edit(bytes: Uint8Array, f: (m: Decoded) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  f(m);
  return onnx.ModelProto.encode(m).finish();
}

const tiny = tinyModel();
const tinyFp32 = exportOnnx(tiny);
const tinyQdq = exportOnnx(tiny, { scales: tinyScales });
/** ip2 as MatMul + Add, and the Reshape as a Flatten. */
const tinyMatMul = edit(tinyFp32, gemmAsMatMulAdd);
const lenet = loadModel();
const lenetFp32 = exportOnnx(lenet);
/** The committed third-party exports (PyTorch, ORT's QDQ) that this octet imports: seeds for the op forms octet's exporter never writes. */
const cnnDir = fileURLToPath(new URL("../../../models/cnn/", import.meta.url));
const thirdParty = (existsSync(cnnDir) ? readdirSync(cnnDir) : []).filter((f) => f.endsWith(".onnx")).map((f) => new Uint8Array(readFileSync(join(cnnDir, f)))).filter((bytes) => {
  try {
    importOnnx(bytes, "seed.onnx");
    return true;
  } catch {
    return false;
  }
});

const OPS = ["Conv", "MaxPool", "AveragePool", "Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape", "Softmax", "QuantizeLinear", "DequantizeLinear", "Constant", "Identity", "Dropout", "Sigmoid", ""];
const HOSTILE_INTS = [-1, 0, 1, 2, 3, 5, 13, 127, 1e6, 1e9, 2 ** 31, 2 ** 40, -(2 ** 31)];
const HOSTILE_DIMS = [[-1], [1e6, 1e6], [], [0], [2 ** 31], [1, -1], [3, 3, 3, 3, 3], [2 ** 20, 2 ** 20, 2 ** 20], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
const ATTRIBUTES = ["kernel_shape", "strides", "pads", "dilations", "group", "axis", "transA", "transB", "alpha", "beta", "ceil_mode", "storage_order", "auto_pad", "value"];

function hostileInts(rng: Rng): number[] {
  return pick(rng, [[-1], [0, 0], [1e6, 1e6], [2, 3], [], [1, 1, 1, 1], [0, 0, 0, 1], [2 ** 31, 2 ** 31], [3, 3, 3]]);
}

function hostileTensor(rng: Rng, name: string): Decoded {
  const dims = pick(rng, [...HOSTILE_DIMS, [2], [1], [2, 2]]);
  const dataType = pick(rng, [1, 1, 3, 7, 2, 6, 10, 11, 0, 99]);
  const t = onnx.TensorProto.create({ name, dims, dataType });
  switch (randInt(rng, 4)) {
    case 0:
      t.rawData = new Uint8Array(randInt(rng, 64));
      break;
    case 1:
      t.floatData = Array.from({ length: randInt(rng, 8) }, () => pick(rng, [0, 1, -1, NaN, Infinity, 1e30]));
      break;
    case 2:
      t.int64Data = Array.from({ length: randInt(rng, 4) }, () => pick(rng, [0, -1, 1, 2 ** 40]));
      break;
    default:
      t.int32Data = Array.from({ length: randInt(rng, 8) }, () => pick(rng, [0, 1, -1, 300, -300]));
  }
  return t;
}

function valueNames(g: Decoded): string[] {
  const names = new Set<string>();
  for (const n of g.node) for (const v of [...n.input, ...n.output]) names.add(v);
  for (const t of g.initializer) names.add(t.name);
  return [...names, "", "nowhere"];
}

function mutateNode(g: Decoded, rng: Rng): void {
  if (g.node.length === 0) return;
  const i = randInt(rng, g.node.length);
  const n = g.node[i];
  switch (randInt(rng, 10)) {
    case 0:
      n.opType = pick(rng, OPS);
      break;
    case 1:
      g.node.splice(i, 1);
      break;
    case 2:
      g.node.splice(i, 0, onnx.NodeProto.decode(onnx.NodeProto.encode(n).finish()));
      break;
    case 3: {
      const j = randInt(rng, g.node.length);
      [g.node[i], g.node[j]] = [g.node[j], g.node[i]];
      break;
    }
    case 4:
      n.name = pick(rng, [g.node[randInt(rng, g.node.length)].name, "", "x".repeat(5000)]);
      break;
    case 5:
      if (n.input.length) n.input[randInt(rng, n.input.length)] = pick(rng, valueNames(g));
      else n.input.push(pick(rng, valueNames(g)));
      break;
    case 6:
      if (rng.next() < 0.5) n.input.pop();
      else n.output = rng.next() < 0.5 ? [] : [...n.output, pick(rng, valueNames(g))];
      break;
    case 7: { // attribute values
      const a: Decoded = n.attribute.length ? pick(rng, n.attribute) : null;
      if (!a) break;
      if (a.ints?.length || rng.next() < 0.3) a.ints = hostileInts(rng);
      else a.i = pick(rng, HOSTILE_INTS);
      if (rng.next() < 0.2) a.f = pick(rng, [NaN, Infinity, 0, -1, 1e30]);
      break;
    }
    case 8: { // attributes added or removed
      if (n.attribute.length && rng.next() < 0.4) n.attribute.splice(randInt(rng, n.attribute.length), 1);
      else {
        const name = pick(rng, ATTRIBUTES);
        const a = onnx.AttributeProto.create({ name });
        if (name === "auto_pad") a.s = new TextEncoder().encode(pick(rng, ["SAME_UPPER", "VALID", "NOTSET", ""]));
        else if (name === "value") a.t = hostileTensor(rng, "value");
        else if (rng.next() < 0.5) a.ints = hostileInts(rng);
        else a.i = pick(rng, HOSTILE_INTS);
        n.attribute.push(a);
      }
      break;
    }
    default: { // a Constant with a hostile tensor feeding this node
      const out = `fuzz_const_${randInt(rng, 1000)}`;
      g.node.splice(i, 0, onnx.NodeProto.create({
        name: out, opType: "Constant", output: [out], attribute: [onnx.AttributeProto.create({ name: "value", t: hostileTensor(rng, out) })],
      }));
      if (n.input.length) n.input[randInt(rng, n.input.length)] = out;
    }
  }
}

function mutateInitializer(g: Decoded, rng: Rng): void {
  if (g.initializer.length === 0) return;
  const i = randInt(rng, g.initializer.length);
  const t = g.initializer[i];
  switch (randInt(rng, 8)) {
    case 0:
      t.dims = pick(rng, HOSTILE_DIMS);
      break;
    case 1:
      t.dims = t.dims.map((d: number) => (rng.next() < 0.5 ? Number(d) + pick(rng, [1, -1, 1000]) : d));
      break;
    case 2:
      t.dataType = pick(rng, [0, 1, 2, 3, 6, 7, 10, 11, 16, 99]);
      break;
    case 3:
      t.rawData = rng.next() < 0.5 ? t.rawData.subarray(0, randInt(rng, t.rawData.length + 1)) : new Uint8Array(0);
      break;
    case 4: { // a NaN, an infinity or a huge value among the data
      if (t.rawData.length >= 4) {
        const bytes = new Uint8Array(t.rawData);
        new DataView(bytes.buffer).setUint32(4 * randInt(rng, bytes.length >> 2), pick(rng, [0x7fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x00000001]), true);
        t.rawData = bytes;
      }
      break;
    }
    case 5:
      t.dataLocation = 1;
      break;
    case 6:
      g.initializer.splice(i, 1);
      break;
    default:
      g.initializer.push(onnx.TensorProto.decode(onnx.TensorProto.encode(rng.next() < 0.5 ? t : hostileTensor(rng, t.name)).finish()));
  }
}

function mutateGraphIo(m: Decoded, rng: Rng): void {
  const g = m.graph;
  switch (randInt(rng, 5)) {
    case 0: {
      const dims = g.input[0]?.type?.tensorType?.shape?.dim;
      if (dims?.length) {
        const d = dims[randInt(rng, dims.length)];
        if (rng.next() < 0.3) dims.splice(dims.indexOf(d), 1);
        else d.dimValue = pick(rng, HOSTILE_INTS);
      }
      break;
    }
    case 1:
      if (g.input[0]?.type?.tensorType) g.input[0].type.tensorType.elemType = pick(rng, [0, 2, 3, 7, 11]);
      break;
    case 2:
      if (rng.next() < 0.5) g.input.push(onnx.ValueInfoProto.decode(onnx.ValueInfoProto.encode(g.input[0] ?? {}).finish()));
      else g.input = [];
      break;
    case 3:
      g.output = rng.next() < 0.5 ? [] : [...g.output, ...g.output];
      break;
    default:
      if (m.opsetImport[0]) m.opsetImport[0].version = pick(rng, [0, 1, 10, 11, 13, 21, 22, 1e9, -1]);
      else m.opsetImport = [];
  }
}

function mutateOnnx(bytes: Uint8Array, rng: Rng): Uint8Array {
  const m = onnx.ModelProto.decode(bytes) as Decoded;
  const count = 1 + randInt(rng, 3);
  for (let k = 0; k < count; k++) {
    const r = rng.next();
    if (r < 0.45) mutateNode(m.graph, rng);
    else if (r < 0.8) mutateInitializer(m.graph, rng);
    else mutateGraphIo(m, rng);
  }
  return onnx.ModelProto.encode(m).finish();
}

function fingerprint(m: Model): string {
  return JSON.stringify({ graph: m.graph, weights: [...m.weights].map(([k, t]) => [k, t.dims, Array.from(t.data.subarray(0, 64))]), scales: m.quantization ? [...m.quantization.scales] : null, zeros: m.quantization ? [...m.quantization.zeroPoints] : null });
}

test("mutated ONNX models are imported or refused with an OctetError", () => {
  const seeds = [tinyFp32, tinyQdq, tinyMatMul];
  const all = [...seeds, lenetFp32, ...thirdParty];
  const before = all.map((b) => fingerprint(importOnnx(b, "seed.onnx")));
  const report = runCampaign({
    name: "onnx", seed: 0x0badf00d, cases: fuzzCases(3000),
    input: (rng) => {
      const r0 = rng.next();
      const seed = r0 < 0.02 ? lenetFp32 : r0 < 0.2 && thirdParty.length ? pick(rng, thirdParty) : pick(rng, seeds);
      const r = rng.next();
      if (r < 0.6) return mutateOnnx(seed, rng);
      if (r < 0.9) return mutateBytes(seed, rng);
      return mutateBytes(mutateOnnx(seed, rng), rng);
    },
    run: (bytes) => {
      const m = importOnnx(bytes, "fuzz.onnx");
      // A model that quantizes itself (QDQ) is built with its own scales and zero points and run once
      // in the bounds-checked build: a hostile grid is an OctetError there too, never a trap or NaN.
      if (!m.quantization || m.graph.input.shape.reduce((a, b) => a * b, 1) > 4096) return;
      const plan = buildPlan(m, DEFAULT_BUILD, m.quantization.scales, { algorithm: "explicit", source: "fuzz" });
      const ctx = new ExecutionContext(plan, () => loadKernels("debug"), 1);
      ctx.input(1).fill(0.5);
      ctx.enqueue(1);
      if (!ctx.output(1).every(Number.isFinite)) throw new Error("non-finite output from a QDQ model");
    },
    describe: (bytes) => `${bytes.length} bytes`,
  });
  console.log(summary("onnx", report));
  assert.ok(report.accepted > 0 && report.refused.MODEL_FORMAT! > 0, "the campaign both accepts and refuses");
  assert.equal(all.map((b) => fingerprint(importOnnx(b, "seed.onnx"))), before);
  console.log(`[fuzz] onnx seeds: octet's exports of a tiny model (FP32, QDQ, MatMul + Add) and of LeNet; ${thirdParty.length} third-party models from models/cnn`);
});

test.run();
