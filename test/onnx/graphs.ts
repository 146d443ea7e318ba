// Hand-built ONNX graphs for the importer tests, written with the protobuf
// helpers as octet's exporter writes them, and the two ways of running one:
// ONNX Runtime Web on the bytes, and octet's FP32 reference network on the
// imported model.
import * as ort from "onnxruntime-web";
import { onnx, type TensorProto } from "../../src/onnx/proto.js";
import { Fp32Network } from "../../src/exec/fp32-network.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import type { Model } from "../../src/model/model.js";
import { randomF32 } from "../helpers.js";

ort.env.wasm.numThreads = 1;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

export function floats(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values);
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
}

/** A float initializer of random values in [lo, hi). */
export function randomTensor(name: string, dims: number[], seed: number, lo = -0.5, hi = 0.5): TensorProto {
  return floats(name, dims, randomF32(dims.reduce((a, b) => a * b, 1), seed, lo, hi));
}

export function int64s(name: string, values: number[]): TensorProto {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer) });
}

const T = onnx.AttributeProto.AttributeType;
export const a = {
  int: (name: string, i: number) => ({ name, type: T.INT, i }),
  ints: (name: string, ints: number[]) => ({ name, type: T.INTS, ints }),
  float: (name: string, f: number) => ({ name, type: T.FLOAT, f }),
  str: (name: string, s: string) => ({ name, type: T.STRING, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: TensorProto) => ({ name, type: T.TENSOR, t }),
};

export interface NodeSpec {
  op: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attrs?: object[];
}

export const n = (op: string, name: string, inputs: string[], outputs: string[] | string, attrs: object[] = []): NodeSpec =>
  ({ op, name, inputs, outputs: typeof outputs === "string" ? [outputs] : outputs, attrs });

export interface GraphSpec {
  /** Per image [C, H, W]; the batch is "N". */
  input: [number, number, number];
  nodes: NodeSpec[];
  initializers?: TensorProto[];
  /** Defaults to the last node's first output. */
  output?: string;
  opset?: number;
}

export function graph(spec: GraphSpec): Uint8Array {
  const output = spec.output ?? spec.nodes[spec.nodes.length - 1]!.outputs[0]!;
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, producerName: "octet-test", opsetImport: [{ domain: "", version: spec.opset ?? 17 }],
    graph: {
      name: "test",
      node: spec.nodes.map((s) => ({ name: s.name, opType: s.op, input: s.inputs, output: s.outputs, attribute: s.attrs ?? [] })),
      initializer: spec.initializers ?? [],
      input: [{ name: "x", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: "N" }, ...spec.input.map((d) => ({ dimValue: d }))] } } } }],
      output: [{ name: output, type: { tensorType: { elemType: FLOAT } } }],
    },
  })).finish();
}

export async function ortRun(bytes: Uint8Array, x: Float32Array, dims: number[], externalData?: { path: string; data: Uint8Array }[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, externalData ? { externalData } : {});
  const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, dims) });
  return Float32Array.from(r[session.outputNames[0]!]!.data as Float32Array);
}

export function octetRun(model: Model, x: Float32Array, n: number): Float32Array {
  const net = new Fp32Network(loadKernels("release"), model, n);
  net.input(n).set(x);
  net.run(n);
  return Float32Array.from(net.output(n));
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

export function layerCounts(model: Model): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of model.graph.layers) counts[l.type] = (counts[l.type] ?? 0) + 1;
  return counts;
}

/**
 * Rewrites a decoded model of octet's exporter in place: ip2's Gemm as
 * MatMul (weights transposed) + Add, and the Reshape before it as a Flatten,
 * the forms other exporters write.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function gemmAsMatMulAdd(m: any): void {
  const g = m.graph;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const i = g.node.findIndex((x: any) => x.name === "ip2");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const w = g.initializer.find((t: any) => t.name === "ip2.weight");
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const reshape = g.node.find((x: any) => x.opType === "Reshape");
  if (reshape) {
    reshape.opType = "Flatten";
    reshape.input = [reshape.input[0]];
  }
}
