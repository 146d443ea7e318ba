// `octet export --tflite`: the file read back with the flatbuffers library's
// own reader against TFLite's schema (field slots as schema.fbs declares
// them): the file identifier, the operator sequence and options, NHWC shapes,
// filters in TFLite's [O, kh, kw, I] order and fully connected columns in
// NHWC flattening order (each checked element by element against the
// model's int8 weights in octet's order), per-channel weight scales, biases
// at input scale x weight scale, and the activation scales of the INT8 plan
// built from the same calibration. (That LiteRT runs the file, with octet's
// top-1, is `npm run bench -- browser`.) Refusals name the layer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ByteBuffer } from "flatbuffers";
import { exportTflite } from "../../src/tflite/export.js";
import { quantizeWeights } from "../../src/int8/numerics.js";
import { loadModel } from "../../src/model/model-node.js";
import { model, plan, scales } from "../engine/fixtures.js";
import { expectOctetError } from "../helpers.js";
import { runCli } from "../cli/run-cli.js";

/** A table of the file: fields by their slot in schema.fbs. */
class Table {
  constructor(readonly bb: ByteBuffer, readonly pos: number) {}
  private at(slot: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * slot);
  }
  int(slot: number, fallback = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readInt32(this.pos + o) : fallback;
  }
  byte(slot: number, fallback = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readInt8(this.pos + o) : fallback;
  }
  float(slot: number, fallback = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readFloat32(this.pos + o) : fallback;
  }
  str(slot: number): string {
    const o = this.at(slot);
    return o ? (this.bb.__string(this.pos + o) as string) : "";
  }
  table(slot: number): Table | null {
    const o = this.at(slot);
    return o ? new Table(this.bb, this.bb.__indirect(this.pos + o)) : null;
  }
  tables(slot: number): Table[] {
    const o = this.at(slot);
    if (!o) return [];
    const v = this.bb.__vector(this.pos + o), n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => new Table(this.bb, this.bb.__indirect(v + 4 * i)));
  }
  ints(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const v = this.bb.__vector(this.pos + o), n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => this.bb.readInt32(v + 4 * i));
  }
  floats(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const v = this.bb.__vector(this.pos + o), n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => this.bb.readFloat32(v + 4 * i));
  }
  longs(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const v = this.bb.__vector(this.pos + o), n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => Number(this.bb.readInt64(v + 8 * i)));
  }
  bytes(slot: number): Int8Array {
    const o = this.at(slot);
    if (!o) return new Int8Array(0);
    const v = this.bb.__vector(this.pos + o), n = this.bb.__vector_len(this.pos + o);
    return new Int8Array(this.bb.bytes().buffer, this.bb.bytes().byteOffset + v, n);
  }
}

function read(bytes: Uint8Array): { model: Table; bb: ByteBuffer } {
  const bb = new ByteBuffer(bytes);
  return { model: new Table(bb, bb.readInt32(bb.position()) + bb.position()), bb };
}

const BATCH = 3;
const file = exportTflite(model, { scales: scales(), batch: BATCH });
const { model: root, bb } = read(file);
const graph = root.tables(2)[0]!;
const tensors = graph.tables(0), buffers = root.tables(4);
const ops = graph.tables(3);
const codes = root.tables(1).map((c) => c.int(3));
const opName = ["QUANTIZE", "CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED", "FULLY_CONNECTED", "DEQUANTIZE", "SOFTMAX"];
const CODE: Record<string, number> = { QUANTIZE: 114, CONV_2D: 3, MAX_POOL_2D: 17, FULLY_CONNECTED: 9, DEQUANTIZE: 6, SOFTMAX: 25 };
const tensor = (i: number) => tensors[i]!;
const data = (t: Table) => buffers[t.int(2)]!.bytes(0);
const quant = (t: Table) => ({ scale: t.table(4)?.floats(2) ?? [], zero: t.table(4)?.longs(3) ?? [], dim: t.table(4)?.int(6) ?? 0 });

test("a TFL3 flatbuffer, schema version 3: float input [N, 28, 28, 1], QUANTIZE, the INT8 layers with ReLU fused into ip1, DEQUANTIZE, FP32 SOFTMAX", () => {
  assert.is(bb.__has_identifier("TFL3"), true);
  assert.is(root.int(0), 3);
  assert.equal(ops.map((o) => codes[o.int(0)]), opName.map((n) => CODE[n]));
  const input = tensor(graph.ints(1)[0]!), output = tensor(graph.ints(2)[0]!);
  assert.equal([input.ints(0), input.byte(1)], [[BATCH, 28, 28, 1], 0]);
  assert.equal([output.ints(0), output.byte(1)], [[BATCH, 10], 0]);
  const options = (k: number) => ({ type: ops[k]!.byte(3), table: ops[k]!.table(4)! });
  // conv1: VALID (1), stride 1, no activation; pool: 2x2 stride 2; ip1: RELU (1); ip2: none.
  assert.equal([options(1).type, options(1).table.byte(0), options(1).table.int(1), options(1).table.int(2), options(1).table.byte(3)], [1, 1, 1, 1, 0]);
  assert.equal([options(2).type, options(2).table.byte(0), options(2).table.int(1), options(2).table.int(3), options(2).table.int(4)], [5, 1, 2, 2, 2]);
  assert.equal([options(5).type, options(5).table.byte(0)], [8, 1]);
  assert.equal([options(6).type, options(6).table.byte(0, -1)], [8, -1]);
  assert.equal([options(8).type, options(8).table.float(0)], [9, 1]);
  // Every INT8 activation is NHWC (or [N, features]) with the plan's scale and zero point 0.
  const p = plan();
  for (const o of ops.slice(1, 7)) {
    const y = tensor(o.ints(2)[0]!);
    const name = y.str(3);
    assert.is(y.byte(1), 9, `${name} int8`);
    assert.equal(quant(y), { scale: [Math.fround(p.scales[name]!)], zero: [0], dim: 0 }, name);
    const [C, H, W] = model.shapes.tensors.get(name)!;
    assert.equal(y.ints(0), y.ints(0).length === 4 ? [BATCH, H, W, C] : [BATCH, C! * H! * W!], `${name} shape`);
  }
});

test("filters are [O, kh, kw, I] and fully connected columns (h, w, c): element by element against octet's int8 weights; per-channel scales; biases at sx * sw", () => {
  const check = (k: number, layer: string) => {
    const w = model.weights.get(`${layer}.weight`)!;
    const O = w.dims[0]!;
    const q = quantizeWeights(w.data, O);
    const [wi, bi] = [ops[k]!.ints(1)[1]!, ops[k]!.ints(1)[2]!];
    const wt = tensor(wi), bt = tensor(bi);
    const got = data(wt), shape = wt.ints(0);
    const sx = plan().scales[model.graph.layers.find((l) => l.name === layer)!.inputs[0]!]!;
    if (w.dims.length === 4) {
      const [, C, kh, kw] = w.dims as [number, number, number, number];
      assert.equal(shape, [O, kh, kw, C]);
      for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
        if (got[((o * kh + y) * kw + x) * C + c] !== q.q[((o * C + c) * kh + y) * kw + x]) assert.unreachable(`${layer} [${o}, ${c}, ${y}, ${x}]`);
      }
    } else {
      const [C, H, W] = model.shapes.tensors.get(model.graph.layers.find((l) => l.name === layer)!.inputs[0]!)!;
      assert.equal(shape, [O, C! * H! * W!]);
      for (let o = 0; o < O; o++) for (let c = 0; c < C!; c++) for (let h = 0; h < H!; h++) for (let x = 0; x < W!; x++) {
        if (got[o * C! * H! * W! + (h * W! + x) * C! + c] !== q.q[o * C! * H! * W! + (c * H! + h) * W! + x]) assert.unreachable(`${layer} [${o}, ${c}, ${h}, ${x}]`);
      }
    }
    assert.equal(quant(wt), { scale: Array.from(q.scales), zero: new Array(O).fill(0), dim: 0 }, `${layer} weight quantization`);
    assert.is(bt.byte(1), 2, `${layer} bias int32`);
    const bias = new Int32Array(data(bt).slice().buffer);
    const b = model.weights.get(`${layer}.bias`)!.data;
    for (let o = 0; o < O; o++) {
      const s = Math.fround(sx * q.scales[o]!);
      assert.is(quant(bt).scale[o], s, `${layer} bias scale ${o}`);
      assert.ok(Math.abs(bias[o]! * s - b[o]!) <= s / 2 + 1e-7, `${layer} bias ${o}: ${bias[o]} x ${s} vs ${b[o]}`);
    }
  };
  check(1, "conv1");
  check(3, "conv2");
  check(5, "ip1");
  check(6, "ip2");
});

test("layers TFLite's builtins cannot take this way are refused by name; a bad batch is refused", () => {
  const resnet = loadModel(new URL("../../../models/cnn/resnet-mnist.onnx", import.meta.url).pathname);
  const anyScales = new Map([...resnet.shapes.tensors.keys()].map((t) => [t, 0.05]));
  expectOctetError(() => exportTflite(resnet, { scales: anyScales, batch: 1 }), "BAD_ARGUMENT", /^tflite export: layer \S+ \(eltwise\): layers with several inputs are not exported$/);
  expectOctetError(() => exportTflite(model, { scales: scales(), batch: 0 }), "BAD_ARGUMENT", /batch 0: expected an integer in 1\.\.4096/);
});

test("octet export --tflite writes the file (calibrating as --qdq does); --batch without --tflite is refused", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "octet-tflite-")), "lenet.tflite");
  const r = await runCli(["export", "--tflite", out, "--batch", "4"]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Wrote .*lenet\.tflite: INT8 TFLite \(float input \[4, H, W, C\] and output\), [\d,]+ bytes/);
  const written = read(new Uint8Array(readFileSync(out)));
  assert.equal(new Table(written.bb, written.model.pos).tables(2)[0]!.tables(0)[0]!.ints(0), [4, 28, 28, 1]);
  const bad = await runCli(["export", "--onnx", join(tmpdir(), "x.onnx"), "--batch", "4"]);
  assert.is.not(bad.code, 0);
  assert.match(bad.err, /--batch sets the TFLite file's batch; it needs --tflite/);
});

test.run();
