// TFLite export (`octet export --tflite`): the model as a fully INT8 .tflite
// file with float input and output, as TFLite's converter writes one with
// `inference_input_type = float32`: QUANTIZE on the input, INT8 CONV_2D /
// pooling / FULLY_CONNECTED with octet's calibrated activation scales and
// its per-channel int8 weights (the same values octet's plans hold), int32
// biases at input scale x weight scale, ReLU fused where octet fuses it,
// then DEQUANTIZE and an FP32 SOFTMAX, as octet's INT8 plans run it. Pads
// that are neither VALID nor TensorFlow's SAME become a PAD (with the input's
// zero point, real 0) before a VALID convolution. Layout
// NHWC (TFLite's): convolution filters [O, kh, kw, I], a fully connected
// layer's columns permuted from octet's (c, h, w) order to (h, w, c). The
// batch is part of a TFLite file's shapes. Layers TFLite's builtins cannot
// express this way are refused by name.
import { Builder } from "flatbuffers";
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import type { Layer } from "../model/layers.js";
import { quantizeBias, quantizeWeights } from "../int8/numerics.js";
import { effectiveQuant } from "../engine/scales.js";
import { reluFuses } from "../builder/fuse.js";
import { fail } from "../errors.js";
import { Activation, BuiltinOperator, BuiltinOptions, FILE_IDENTIFIER, Padding, SCHEMA_VERSION, Slots, TensorType } from "./schema.js";

export interface TfliteExportOptions {
  /** Calibrated activation scales, as for a QDQ ONNX export. */
  scales: ReadonlyMap<string, number>;
  /** Images per run: TFLite files have static shapes. */
  batch: number;
}

interface TensorDef {
  name: string;
  shape: number[];
  type: number;
  data?: Uint8Array;
  quant?: { scale: ArrayLike<number>; zero: ArrayLike<number>; dim: number };
}

interface OptionsDef {
  type: number;
  write(b: Builder): number;
}

interface OpDef {
  code: number;
  /** The lowest operator version with the int8 (or float) kernel used. */
  version: number;
  inputs: number[];
  outputs: number[];
  options?: OptionsDef;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function exportTflite(model: Model, options: TfliteExportOptions): Uint8Array {
  const g = model.graph;
  const N = options.batch;
  if (!Number.isInteger(N) || N < 1 || N > 4096) fail("BAD_ARGUMENT", `tflite export: batch ${N}: expected an integer in 1..4096`);
  const quant = effectiveQuant(model, options.scales, model.quantization?.zeroPoints ?? new Map(), "tflite export scales");
  const tensors: TensorDef[] = [];
  const ops: OpDef[] = [];
  const add = (t: TensorDef) => tensors.push(t) - 1;
  const refuse = (layer: Layer, why: string): never => fail("BAD_ARGUMENT", `tflite export: layer ${layer.name} (${layer.type}): ${why}`);
  const scaleOf = (t: string) => quant.scales.get(t) ?? fail("BAD_ARGUMENT", `tflite export: tensor ${t} has no INT8 scale`);
  /** An int8 activation tensor of octet tensor `t`, NHWC (rank 4) or [N, features] (rank 2). */
  const activation = (t: string, rank: 2 | 4) => {
    const [C, H, W] = model.shapes.tensors.get(t)!;
    return add({
      name: t, type: TensorType.INT8, shape: rank === 4 ? [N, H!, W!, C!] : [N, C! * H! * W!],
      quant: { scale: [scaleOf(t)], zero: [quant.zeroPoints.get(t) ?? 0], dim: 0 },
    });
  };
  /** TFLite tensor index and rank of each octet tensor. */
  const value = new Map<string, { index: number; rank: 2 | 4 }>();

  const [C0, H0, W0] = g.input.shape;
  const input = add({ name: g.input.name, type: TensorType.FLOAT32, shape: [N, H0, W0, C0] });
  const inputQ = activation(g.input.name, 4);
  tensors[inputQ]!.name = `${g.input.name}_int8`;
  ops.push({ code: BuiltinOperator.QUANTIZE, version: 2, inputs: [input], outputs: [inputQ] });
  value.set(g.input.name, { index: inputQ, rank: 4 });

  const { consumers } = model.shapes.links;
  const fusedInto = new Set<number>();
  let output = -1;
  g.layers.forEach((layer, i) => {
    if (fusedInto.has(i)) return;
    const x = value.get(layer.inputs[0]!) ?? refuse(layer, `input ${layer.inputs[0]} is not exported`);
    if (layer.inputs.length !== 1) refuse(layer, "layers with several inputs are not exported");
    const reader = consumers[i]!.length === 1 ? g.layers[consumers[i]![0]!] : undefined;
    const reluFused = reader?.type === "relu" && reluFuses(layer, reader, consumers[i]!.length);
    if (reluFused) fusedInto.add(consumers[i]![0]!);
    const outName = reluFused ? reader!.output : layer.output;
    const [Ci, Hi, Wi] = model.shapes.tensors.get(layer.inputs[0]!)!;
    switch (layer.type) {
      case "convolution": {
        if (layer.group !== 1) refuse(layer, `group ${layer.group}: only group 1 convolutions are exported`);
        if (x.rank !== 4) refuse(layer, "a convolution after a fully connected layer is not exported");
        const [kh, kw] = layer.kernelShape, [sh, sw] = layer.strides, [dh, dw] = layer.dilations;
        let padding = paddingOf(layer.pads, Hi!, Wi!, kh, kw, sh, sw, dh, dw);
        let xin = x.index;
        if (padding === undefined) {
          const [t, l, b, r] = layer.pads;
          const xt = tensors[x.index]!;
          const paddings = add({ name: `${layer.name}_paddings`, type: TensorType.INT32, shape: [4, 2], data: bytesOf(Int32Array.of(0, 0, t, b, l, r, 0, 0)) });
          xin = add({ name: `${layer.name}_padded`, type: TensorType.INT8, shape: [N, Hi! + t + b, Wi! + l + r, Ci!], quant: xt.quant! });
          ops.push({ code: BuiltinOperator.PAD, version: 2, inputs: [x.index, paddings], outputs: [xin] });
          padding = Padding.VALID;
        }
        const K = layer.numOutput;
        const q = int8Weights(layer, K);
        const filter = new Int8Array(K * kh * kw * Ci!);
        for (let k = 0; k < K; k++) for (let c = 0; c < Ci!; c++) for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) {
          filter[((k * kh + y) * kw + xx) * Ci! + c] = q.q[((k * Ci! + c) * kh + y) * kw + xx]!;
        }
        const sx = scaleOf(layer.inputs[0]!);
        const y = activation(outName, 4);
        ops.push({
          code: BuiltinOperator.CONV_2D, version: 3,
          inputs: [xin, weightTensor(layer, filter, [K, kh, kw, Ci!], q.scales), biasTensor(layer, K, sx, q)], outputs: [y],
          options: {
            type: BuiltinOptions.Conv2DOptions,
            write: (b) => table(b, Slots.Conv2DOptions.count, () => {
              b.addFieldInt8(Slots.Conv2DOptions.padding, padding, Padding.SAME);
              b.addFieldInt32(Slots.Conv2DOptions.strideW, sw, 0);
              b.addFieldInt32(Slots.Conv2DOptions.strideH, sh, 0);
              b.addFieldInt8(Slots.Conv2DOptions.activation, reluFused ? Activation.RELU : Activation.NONE, Activation.NONE);
              b.addFieldInt32(Slots.Conv2DOptions.dilationW, dw, 1);
              b.addFieldInt32(Slots.Conv2DOptions.dilationH, dh, 1);
            }),
          },
        });
        value.set(outName, { index: y, rank: 4 });
        break;
      }
      case "pooling": {
        if (x.rank !== 4) refuse(layer, "pooling after a fully connected layer is not exported");
        const [kh, kw] = layer.kernelShape, [sh, sw] = layer.strides;
        const padding = paddingOf(layer.pads, Hi!, Wi!, kh, kw, sh, sw, 1, 1, layer.ceilMode)
          ?? refuse(layer, `pads [${layer.pads.join(", ")}]${layer.ceilMode ? " with ceil mode" : ""} are neither VALID nor TensorFlow's SAME for a ${Hi}x${Wi} input`);
        if (layer.method === "average" && padding === Padding.SAME && layer.countIncludePad) refuse(layer, "TFLite's average pooling leaves padding out of the divisor; this layer counts it");
        if (scaleOf(layer.output) !== scaleOf(layer.inputs[0]!)) refuse(layer, "TFLite's int8 pooling keeps its input's scale");
        const y = activation(layer.output, 4);
        ops.push({
          code: layer.method === "max" ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D, version: 2,
          inputs: [x.index], outputs: [y],
          options: {
            type: BuiltinOptions.Pool2DOptions,
            write: (b) => table(b, Slots.Pool2DOptions.count, () => {
              b.addFieldInt8(Slots.Pool2DOptions.padding, padding, Padding.SAME);
              b.addFieldInt32(Slots.Pool2DOptions.strideW, sw, 0);
              b.addFieldInt32(Slots.Pool2DOptions.strideH, sh, 0);
              b.addFieldInt32(Slots.Pool2DOptions.filterWidth, kw, 0);
              b.addFieldInt32(Slots.Pool2DOptions.filterHeight, kh, 0);
            }),
          },
        });
        value.set(layer.output, { index: y, rank: 4 });
        break;
      }
      case "fully_connected": {
        const O = layer.numOutput, I = Ci! * Hi! * Wi!, HW = Hi! * Wi!;
        const q = int8Weights(layer, O);
        // octet's columns are (c, h, w); TFLite flattens an NHWC input as (h, w, c).
        const w = new Int8Array(O * I);
        for (let o = 0; o < O; o++) for (let c = 0; c < Ci!; c++) for (let p = 0; p < HW; p++) w[o * I + p * Ci! + c] = q.q[o * I + c * HW + p]!;
        const y = activation(outName, 2);
        ops.push({
          code: BuiltinOperator.FULLY_CONNECTED, version: 4,
          inputs: [x.index, weightTensor(layer, w, [O, I], q.scales), biasTensor(layer, O, scaleOf(layer.inputs[0]!), q)], outputs: [y],
          options: {
            type: BuiltinOptions.FullyConnectedOptions,
            write: (b) => table(b, Slots.FullyConnectedOptions.count, () => {
              b.addFieldInt8(Slots.FullyConnectedOptions.activation, reluFused ? Activation.RELU : Activation.NONE, Activation.NONE);
            }),
          },
        });
        value.set(outName, { index: y, rank: 2 });
        break;
      }
      case "relu": {
        const y = activation(layer.output, x.rank);
        ops.push({ code: BuiltinOperator.RELU, version: 2, inputs: [x.index], outputs: [y] });
        value.set(layer.output, { index: y, rank: x.rank });
        break;
      }
      case "softmax": {
        if (Hi! * Wi! !== 1) refuse(layer, "a softmax over channels of a map with H x W > 1 is not exported");
        const features = [N, Ci!];
        const logits = add({ name: `${layer.inputs[0]}_float`, type: TensorType.FLOAT32, shape: features });
        ops.push({ code: BuiltinOperator.DEQUANTIZE, version: 2, inputs: [x.index], outputs: [logits] });
        output = add({ name: layer.output, type: TensorType.FLOAT32, shape: features });
        ops.push({
          code: BuiltinOperator.SOFTMAX, version: 1, inputs: [logits], outputs: [output],
          options: { type: BuiltinOptions.SoftmaxOptions, write: (b) => table(b, Slots.SoftmaxOptions.count, () => b.addFieldFloat32(Slots.SoftmaxOptions.beta, 1, 0)) },
        });
        value.set(layer.output, { index: output, rank: 2 });
        break;
      }
      default:
        refuse(layer, "not one of the layers the TFLite exporter writes (convolution, pooling, fully connected, relu, softmax)");
    }
  });
  const last = value.get(g.output)!;
  if (output !== last.index) {
    output = add({ name: `${g.output}_float`, type: TensorType.FLOAT32, shape: tensors[last.index]!.shape });
    ops.push({ code: BuiltinOperator.DEQUANTIZE, version: 2, inputs: [last.index], outputs: [output] });
  }
  return write(tensors, ops, input, output, `${g.name}: octet INT8 export (batch ${N})`);

  /** The layer's int8 weights and per-output scales: the model's own (an imported QDQ model's) or octet's quantization, as its plans hold. */
  function int8Weights(layer: Layer, outputs: number): { q: Int8Array; scales: Float32Array; bias?: Int32Array } {
    return model.quantization?.weights.get(layer.name) ?? quantizeWeights(model.weights.get(paramName(layer.name, "weight"))!.data, outputs);
  }
  function weightTensor(layer: Layer, w: Int8Array, shape: number[], scales: Float32Array): number {
    return add({ name: paramName(layer.name, "weight"), type: TensorType.INT8, shape, data: bytesOf(w), quant: { scale: scales, zero: new Array(shape[0]).fill(0), dim: 0 } });
  }
  function biasTensor(layer: Layer, K: number, sx: number, q: { scales: Float32Array; bias?: Int32Array }): number {
    const b = model.weights.get(paramName(layer.name, "bias"))?.data ?? new Float32Array(K);
    const bias = q.bias ?? quantizeBias(b, sx, q.scales);
    return add({
      name: paramName(layer.name, "bias"), type: TensorType.INT32, shape: [K], data: bytesOf(bias),
      quant: { scale: Array.from(q.scales, (s) => Math.fround(sx * s)), zero: new Array(K).fill(0), dim: 0 },
    });
  }
}

/** TFLite's padding for the layer's pads: VALID (none) or SAME (TensorFlow's split, the extra row and column at the bottom and right); undefined for other pads. */
function paddingOf(pads: readonly number[], H: number, W: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ceilMode = false): number | undefined {
  const same = (size: number, k: number, s: number, d: number) => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  };
  const valid = pads.every((p) => p === 0);
  if (valid && (!ceilMode || ((H - kh) % sh === 0 && (W - kw) % sw === 0))) return Padding.VALID;
  const [t, b] = same(H, kh, sh, dh), [l, r] = same(W, kw, sw, dw);
  if (!ceilMode && pads[0] === t && pads[1] === l && pads[2] === b && pads[3] === r) return Padding.SAME;
  return undefined;
}

function table(b: Builder, fields: number, body: () => void): number {
  b.startObject(fields);
  body();
  return b.endObject();
}

function intVector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]!);
  return b.endVector();
}

function offsetVector(b: Builder, v: number[]): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]!);
  return b.endVector();
}

function write(tensors: TensorDef[], ops: OpDef[], input: number, output: number, description: string): Uint8Array {
  const b = new Builder(1 << 16);
  // Buffer 0 is the empty sentinel of tensors without data.
  const buffers = [table(b, Slots.Buffer.count, () => {})];
  const bufferOf = new Map<number, number>();
  tensors.forEach((t, i) => {
    if (!t.data) return;
    b.startVector(1, t.data.length, 16);
    for (let j = t.data.length - 1; j >= 0; j--) b.addInt8(t.data[j]!);
    const data = b.endVector();
    bufferOf.set(i, buffers.length);
    buffers.push(table(b, Slots.Buffer.count, () => b.addFieldOffset(Slots.Buffer.data, data, 0)));
  });
  const tensorOffsets = tensors.map((t, i) => {
    const shape = intVector(b, t.shape);
    const name = b.createString(t.name);
    let quantization = 0;
    if (t.quant) {
      b.startVector(4, t.quant.scale.length, 4);
      for (let j = t.quant.scale.length - 1; j >= 0; j--) b.addFloat32(t.quant.scale[j]!);
      const scale = b.endVector();
      b.startVector(8, t.quant.zero.length, 8);
      for (let j = t.quant.zero.length - 1; j >= 0; j--) b.addInt64(BigInt(t.quant.zero[j]!));
      const zero = b.endVector();
      const S = Slots.QuantizationParameters;
      quantization = table(b, S.count, () => {
        b.addFieldOffset(S.scale, scale, 0);
        b.addFieldOffset(S.zeroPoint, zero, 0);
        b.addFieldInt32(S.quantizedDimension, t.quant!.dim, 0);
      });
    }
    const S = Slots.Tensor;
    return table(b, S.count, () => {
      b.addFieldOffset(S.shape, shape, 0);
      b.addFieldInt8(S.type, t.type, -1);
      b.addFieldInt32(S.buffer, bufferOf.get(i) ?? 0, 0);
      b.addFieldOffset(S.name, name, 0);
      if (quantization) b.addFieldOffset(S.quantization, quantization, 0);
    });
  });
  const codes: { code: number; version: number }[] = [];
  const codeIndex = (code: number, version: number) => {
    let k = codes.findIndex((c) => c.code === code);
    if (k < 0) k = codes.push({ code, version }) - 1;
    codes[k]!.version = Math.max(codes[k]!.version, version);
    return k;
  };
  const opIndex = ops.map((o) => codeIndex(o.code, o.version));
  const opOffsets = ops.map((o, i) => {
    const inputs = intVector(b, o.inputs), outputs = intVector(b, o.outputs);
    const options = o.options ? o.options.write(b) : 0;
    const S = Slots.Operator;
    return table(b, S.count, () => {
      b.addFieldInt32(S.opcodeIndex, opIndex[i]!, -1);
      b.addFieldOffset(S.inputs, inputs, 0);
      b.addFieldOffset(S.outputs, outputs, 0);
      if (o.options) {
        b.addFieldInt8(S.builtinOptionsType, o.options.type, 0);
        b.addFieldOffset(S.builtinOptions, options, 0);
      }
    });
  });
  const codeOffsets = codes.map((c) => {
    const S = Slots.OperatorCode;
    return table(b, S.count, () => {
      b.addFieldInt8(S.deprecatedBuiltinCode, Math.min(c.code, 127), -1);
      b.addFieldInt32(S.version, c.version, 1);
      b.addFieldInt32(S.builtinCode, c.code, -1);
    });
  });
  const G = Slots.SubGraph;
  const tensorsVec = offsetVector(b, tensorOffsets), inputs = intVector(b, [input]), outputs = intVector(b, [output]);
  const operators = offsetVector(b, opOffsets), graphName = b.createString("main");
  const subgraph = table(b, G.count, () => {
    b.addFieldOffset(G.tensors, tensorsVec, 0);
    b.addFieldOffset(G.inputs, inputs, 0);
    b.addFieldOffset(G.outputs, outputs, 0);
    b.addFieldOffset(G.operators, operators, 0);
    b.addFieldOffset(G.name, graphName, 0);
  });
  const M = Slots.Model;
  const codesVec = offsetVector(b, codeOffsets), subgraphs = offsetVector(b, [subgraph]);
  const desc = b.createString(description), buffersVec = offsetVector(b, buffers);
  const root = table(b, M.count, () => {
    b.addFieldInt32(M.version, SCHEMA_VERSION, 0);
    b.addFieldOffset(M.operatorCodes, codesVec, 0);
    b.addFieldOffset(M.subgraphs, subgraphs, 0);
    b.addFieldOffset(M.description, desc, 0);
    b.addFieldOffset(M.buffers, buffersVec, 0);
  });
  b.finish(root, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
