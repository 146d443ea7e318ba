// The ONNX protobuf schema, from the `onnx-proto` package (code generated
// by protobufjs from the official onnx.proto), and small readers for the
// fields octet uses: attributes, and tensors with their data inline or in an
// external file (read through the caller's resolver, see external.ts).
import onnxProto from "onnx-proto";
import { fail } from "../errors.js";
import { shortText } from "../model/graph.js";
import { externalTensorBytes, type ExternalFiles } from "./external.js";

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export const DataType = onnx.TensorProto.DataType;

type LongLike = number | { toNumber(): number };

export function num(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail("MODEL_FORMAT", `${file}: not a readable ONNX model (${(e as Error).message})`);
  }
  if (!model.graph) return fail("MODEL_FORMAT", `${file}: ONNX model has no graph`);
  return model;
}

export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a ? (a.ints ?? []).map((v) => num(v as LongLike)) : undefined;
}

export function intAttr(node: NodeProto, name: string): number | undefined {
  const a = attribute(node, name);
  return a ? num(a.i as LongLike) : undefined;
}

export function floatAttr(node: NodeProto, name: string): number | undefined {
  const a = attribute(node, name);
  return a ? a.f ?? 0 : undefined;
}

export function stringAttr(node: NodeProto, name: string): string | undefined {
  const a = attribute(node, name);
  return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : undefined;
}

export function floatsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a ? Array.from(a.floats ?? [], (v) => Math.fround(v)) : undefined;
}

const TYPE_NAMES: Record<number, string> = { 1: "float", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 10: "float16", 11: "double" };

export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

/** Most values one tensor may hold (2^28: 1 GiB of float). */
export const MAX_TENSOR_VALUES = 1 << 28;

/** A tensor's dimensions, each a non-negative integer, and their product, checked before anything is allocated. */
export function tensorDims(t: TensorProto, where: string): { dims: number[]; count: number } {
  const raw = t.dims ?? [];
  if (raw.length > 16) fail("MODEL_FORMAT", `${where}: tensor ${tensorLabel(t)}: ${raw.length} dimensions, octet reads at most 16`);
  const dims = raw.map((d) => num(d as LongLike));
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail("MODEL_FORMAT", `${where}: tensor ${tensorLabel(t)}: dimension ${d} in [${dims.join(", ")}] is not a non-negative integer`);
    count *= d;
    if (count > MAX_TENSOR_VALUES) fail("MODEL_FORMAT", `${where}: tensor ${tensorLabel(t)}: dims [${dims.join(", ")}] hold more than ${MAX_TENSOR_VALUES} values, octet's limit`);
  }
  return { dims, count };
}

export function tensorLabel(t: TensorProto): string {
  return t.name ? shortText(t.name) : "(unnamed)";
}

const BYTES_PER_VALUE: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8 };

/**
 * An initializer's values as numbers (float, int8, uint8, int32, int64);
 * value counts are checked before allocation. Data kept in an external file
 * (data_location EXTERNAL) is read through `external`, which has none in a
 * browser: then such a tensor is a named error.
 */
export function tensorValues(t: TensorProto, where: string, external?: ExternalFiles): { dims: number[]; type: number; values: Float32Array | Int32Array | number[] } {
  const { dims, count } = tensorDims(t, where);
  const name = tensorLabel(t);
  let raw = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const bytesPer = BYTES_PER_VALUE[t.dataType ?? 0];
    if (bytesPer === undefined) fail("MODEL_FORMAT", `${where}: tensor ${name}: element type ${typeName(t.dataType ?? 0)} is not supported (expected float, int8, uint8, int32 or int64)`);
    raw = externalTensorBytes(t.externalData ?? [], `${where}: tensor ${name}`, count * bytesPer, external);
  }
  const typed = <T>(values: ArrayLike<T> | null | undefined, what: string): ArrayLike<T> => {
    const n = values?.length ?? 0;
    if (n !== count) fail("MODEL_FORMAT", `${where}: tensor ${name}: ${n} ${what} values, expected ${count} for dims [${dims.join(", ")}]`);
    return values ?? [];
  };
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const need = (bytesPer: number) => {
    if (raw && raw.length !== count * bytesPer) fail("MODEL_FORMAT", `${where}: tensor ${name}: raw data is ${raw.length} bytes, expected ${count * bytesPer} for dims [${dims.join(", ")}]`);
  };
  const type = t.dataType ?? 0;
  switch (type) {
    case DataType.FLOAT: {
      need(4);
      const floats = raw ? null : typed(t.floatData, "float");
      const out = new Float32Array(count);
      if (view) for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      else out.set(floats!);
      return { dims, type, values: out };
    }
    case DataType.INT8:
    case DataType.UINT8: {
      need(1);
      const ints = raw ? null : typed(t.int32Data, "int32");
      const out = new Int32Array(count);
      if (raw) for (let i = 0; i < count; i++) out[i] = type === DataType.INT8 ? (raw[i]! << 24) >> 24 : raw[i]!;
      else out.set(ints!);
      return { dims, type, values: out };
    }
    case DataType.INT32: {
      need(4);
      const ints = raw ? null : typed(t.int32Data, "int32");
      const out = new Int32Array(count);
      if (view) for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      else out.set(ints!);
      return { dims, type, values: out };
    }
    case DataType.INT64: {
      need(8);
      const longs = raw ? null : typed(t.int64Data as LongLike[] | null | undefined, "int64");
      const out: number[] = [];
      if (view) for (let i = 0; i < count; i++) out.push(Number(view.getBigInt64(8 * i, true)));
      else for (let i = 0; i < count; i++) out.push(num(longs![i]));
      return { dims, type, values: out };
    }
    default:
      return fail("MODEL_FORMAT", `${where}: tensor ${name}: element type ${typeName(type)} is not supported (expected float, int8, uint8, int32 or int64)`);
  }
}
