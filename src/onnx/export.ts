// ONNX export (opset 17): the FP32 model, or a QDQ model carrying octet's
// calibrated scales — QuantizeLinear/DequantizeLinear on every INT8 tensor
// and int8 per-channel weights behind DequantizeLinear — which ONNX Runtime
// and TensorRT's explicit-quantization path take.
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import { quantizeWeights } from "../int8/numerics.js";
import { effectiveQuant } from "../engine/scales.js";
import { reluFuses } from "../builder/fuse.js";
import { onnx, DataType, type NodeProto, type TensorProto } from "./proto.js";

export const EXPORT_OPSET = 17;

export interface ExportOptions {
  /** Activation scales (calibration); when given, the model is written with QDQ nodes. */
  scales?: ReadonlyMap<string, number>;
  producerVersion?: string;
}

function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int8Tensor(name: string, dims: number[], data: Int8Array): TensorProto {
  return { name, dims, dataType: DataType.INT8, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, values: number[]): TensorProto {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
const str = (name: string, v: string) => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) });

export function exportOnnx(model: Model, options: ExportOptions = {}): Uint8Array {
  const g = model.graph;
  // The model's own zero points and int8 weights (an imported QDQ model) are written as they are.
  const quant = options.scales ? effectiveQuant(model, options.scales, model.quantization?.zeroPoints ?? new Map(), "export scales") : null;
  const qdq = quant?.scales ?? null;
  const nodes: NodeProto[] = [];
  const initializer: TensorProto[] = [];
  /** octet tensor -> ONNX value currently holding it. */
  const value = new Map<string, string>();
  const zero = "qdq_zero_point";
  if (qdq) initializer.push(int8Tensor(zero, [], new Int8Array(1)));

  const quantizeAfter = (tensor: string, onnxName: string) => {
    if (!qdq) return onnxName;
    const s = qdq.get(tensor)!;
    const scaleName = `${tensor}_scale`;
    if (!initializer.some((t) => t.name === scaleName)) initializer.push(floatTensor(scaleName, [], new Float32Array([s])));
    const z = quant!.zeroPoints.get(tensor) ?? 0;
    const zeroName = z === 0 ? zero : `${tensor}_zero_point`;
    if (z !== 0 && !initializer.some((t) => t.name === zeroName)) initializer.push(int8Tensor(zeroName, [], Int8Array.of(z)));
    nodes.push({ name: `${tensor}_QuantizeLinear`, opType: "QuantizeLinear", input: [onnxName, scaleName, zeroName], output: [`${tensor}_quantized`] });
    nodes.push({ name: `${tensor}_DequantizeLinear`, opType: "DequantizeLinear", input: [`${tensor}_quantized`, scaleName, zeroName], output: [`${tensor}_dequantized`] });
    return `${tensor}_dequantized`;
  };

  const weightInput = (layer: string, dims: number[], w: Float32Array): string => {
    const name = paramName(layer, "weight");
    if (!qdq) {
      initializer.push(floatTensor(name, dims, w));
      return name;
    }
    const q = model.quantization?.weights.get(layer) ?? quantizeWeights(w, dims[0]!);
    initializer.push(int8Tensor(`${name}_quantized`, dims, Int8Array.from(q.q)));
    initializer.push(floatTensor(`${name}_scale`, [dims[0]!], q.scales));
    initializer.push(int8Tensor(`${name}_zero_point`, [dims[0]!], new Int8Array(dims[0]!)));
    nodes.push({
      name: `${name}_DequantizeLinear`, opType: "DequantizeLinear",
      input: [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], output: [name], attribute: [int("axis", 0)],
    });
    return name;
  };

  value.set(g.input.name, quantizeAfter(g.input.name, g.input.name));
  /** ONNX rank of each octet tensor: 4 for images ([N, C, H, W], [N, C, 1, 1] after global pooling), 2 from a fully connected layer on. */
  const rank = new Map<string, 2 | 4>([[g.input.name, 4]]);
  /** The [N, C*H*W] view of an image tensor, made once per tensor. */
  const flat = new Map<string, string>();
  const { consumers } = model.shapes.links;
  const floats = (name: string, v: number) => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v });
  /** ONNX value `x` holding octet tensor `tensor` as an image [N, C, H, W]: a [N, features] value (after a fully connected layer) is reshaped first. */
  const image = (layer: string, tensor: string, x: string): string => {
    if (rank.get(tensor) !== 2) return x;
    initializer.push(int64Tensor(`${layer}_image_shape`, [0, ...model.shapes.tensors.get(tensor)!]));
    nodes.push({ name: `${layer}_image`, opType: "Reshape", input: [x, `${layer}_image_shape`], output: [`${layer}_image`] });
    return `${layer}_image`;
  };
  g.layers.forEach((layer, index) => {
    const xs = layer.inputs.map((t) => value.get(t)!);
    const x = xs[0]!;
    const readers = consumers[index]!;
    const reluFollows = reluFuses(layer, g.layers[readers[0]!], readers.length);
    // In-place layers (Caffe's relu1 on ip1) get a fresh ONNX value name.
    const out = layer.output === layer.inputs[0] ? layer.name : layer.output;
    const bias = (name: string, count: number): string => {
      const b = model.weights.get(paramName(name, "bias"));
      initializer.push(floatTensor(paramName(name, "bias"), [count], b?.data ?? new Float32Array(count)));
      return paramName(name, "bias");
    };
    switch (layer.type) {
      case "convolution": {
        const w = model.weights.get(paramName(layer.name, "weight"))!;
        nodes.push({
          name: layer.name, opType: "Conv", input: [x, weightInput(layer.name, w.dims, w.data), bias(layer.name, layer.numOutput)], output: [out],
          attribute: [ints("kernel_shape", layer.kernelShape), ints("strides", layer.strides), ints("pads", layer.pads), ints("dilations", layer.dilations), int("group", layer.group)],
        });
        break;
      }
      case "pooling": {
        const attribute = [ints("kernel_shape", layer.kernelShape), ints("strides", layer.strides), ints("pads", layer.pads), int("ceil_mode", layer.ceilMode ? 1 : 0)];
        if (layer.method === "average") attribute.push(int("count_include_pad", layer.countIncludePad ? 1 : 0));
        nodes.push({ name: layer.name, opType: layer.method === "max" ? "MaxPool" : "AveragePool", input: [x], output: [out], attribute });
        break;
      }
      case "global_pooling":
        nodes.push({ name: layer.name, opType: layer.method === "max" ? "GlobalMaxPool" : "GlobalAveragePool", input: [x], output: [out] });
        break;
      case "fully_connected": {
        // ONNX's Gemm takes [N, features]: an image (even [N, C, 1, 1]) is reshaped first.
        let input = x;
        if (rank.get(layer.inputs[0]!) === 4) {
          input = flat.get(layer.inputs[0]!) ?? `${layer.inputs[0]}_flat`;
          if (!flat.has(layer.inputs[0]!)) {
            initializer.push(int64Tensor(`${layer.name}_flatten_shape`, [0, -1]));
            nodes.push({ name: `${layer.name}_flatten`, opType: "Reshape", input: [x, `${layer.name}_flatten_shape`], output: [input] });
            flat.set(layer.inputs[0]!, input);
          }
        }
        const wt = model.weights.get(paramName(layer.name, "weight"))!;
        nodes.push({
          name: layer.name, opType: "Gemm", input: [input, weightInput(layer.name, wt.dims, wt.data), bias(layer.name, layer.numOutput)], output: [out],
          attribute: [int("transB", 1)],
        });
        break;
      }
      case "relu":
        nodes.push({ name: layer.name, opType: "Relu", input: [x], output: [out] });
        break;
      case "activation": {
        const op = { clip: "Clip", leaky_relu: "LeakyRelu", sigmoid: "Sigmoid", tanh: "Tanh", hard_sigmoid: "HardSigmoid", hard_swish: "HardSwish" }[layer.fn];
        const input = [x];
        const attribute = [];
        if (layer.fn === "clip") {
          initializer.push(floatTensor(`${layer.name}_min`, [], new Float32Array([layer.min])), floatTensor(`${layer.name}_max`, [], new Float32Array([layer.max])));
          input.push(`${layer.name}_min`, `${layer.name}_max`);
        }
        if (layer.fn === "leaky_relu") attribute.push(floats("alpha", layer.alpha));
        if (layer.fn === "hard_sigmoid") attribute.push(floats("alpha", layer.alpha), floats("beta", layer.beta));
        nodes.push({ name: layer.name, opType: op, input, output: [out], attribute });
        break;
      }
      case "eltwise": {
        // octet's [C, 1, 1] is ONNX's [1, C, 1, 1]: the same broadcast with the batch axis in front.
        nodes.push({ name: layer.name, opType: { add: "Add", sub: "Sub", mul: "Mul" }[layer.op], input: xs, output: [out] });
        break;
      }
      case "concat":
        nodes.push({ name: layer.name, opType: "Concat", input: xs, output: [out], attribute: [int("axis", 1)] });
        break;
      case "scale": {
        const [c] = model.shapes.layers.get(layer.name)!.input;
        for (const kind of ["scale", "shift"]) {
          initializer.push(floatTensor(paramName(layer.name, kind), rank.get(layer.inputs[0]!) === 2 ? [1, c] : [1, c, 1, 1], model.weights.get(paramName(layer.name, kind))!.data));
        }
        nodes.push({ name: `${layer.name}_mul`, opType: "Mul", input: [x, paramName(layer.name, "scale")], output: [`${out}_scaled`] });
        nodes.push({ name: layer.name, opType: "Add", input: [`${out}_scaled`, paramName(layer.name, "shift")], output: [out] });
        break;
      }
      case "softmax":
        nodes.push({ name: layer.name, opType: "Softmax", input: [x], output: [out], attribute: [int("axis", 1)] });
        break;
      case "pad": {
        // ONNX's pads: begin of N, C, H, W, then their ends.
        const [t, l, b, r] = layer.pads;
        const input = image(layer.name, layer.inputs[0]!, x);
        initializer.push(int64Tensor(`${layer.name}_pads`, [0, 0, t, l, 0, 0, b, r]), floatTensor(`${layer.name}_value`, [], new Float32Array([layer.value])));
        nodes.push({ name: layer.name, opType: "Pad", input: [input, `${layer.name}_pads`, `${layer.name}_value`], output: [out], attribute: [str("mode", "constant")] });
        break;
      }
      case "resize": {
        // Nearest, asymmetric, floor: y[oy][ox] = x[floor(oy / fh)][floor(ox / fw)] (no roi).
        initializer.push(floatTensor(`${layer.name}_scales`, [4], new Float32Array([1, 1, ...layer.factors])));
        const input = image(layer.name, layer.inputs[0]!, x);
        nodes.push({
          name: layer.name, opType: "Resize", input: [input, "", `${layer.name}_scales`], output: [out],
          attribute: [str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor")],
        });
        break;
      }
      case "prelu": {
        const [c] = model.shapes.layers.get(layer.name)!.input;
        const slope = paramName(layer.name, "slope");
        initializer.push(floatTensor(slope, rank.get(layer.inputs[0]!) === 2 ? [c] : [c, 1, 1], model.weights.get(slope)!.data));
        nodes.push({ name: layer.name, opType: "PRelu", input: [x, slope], output: [out] });
        break;
      }
    }
    rank.set(layer.output, layer.type === "fully_connected" ? 2 : layer.type === "global_pooling" || layer.type === "pad" || layer.type === "resize" ? 4 : rank.get(layer.inputs[0]!)!);
    const quantized = layer.type !== "softmax" && !reluFollows && qdq?.has(layer.output);
    value.set(layer.output, quantized ? quantizeAfter(layer.output, out) : out);
  });
  const outputName = value.get(g.output)!;
  const [oc, oh, ow] = model.shapes.tensors.get(g.output)!;
  const outDims = rank.get(g.output) === 4 ? [oc, oh, ow] : [oc * oh * ow];
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "octet",
    producerVersion: options.producerVersion ?? "0.1.0",
    opsetImport: [{ domain: "", version: EXPORT_OPSET }],
    graph: {
      name: g.name,
      node: nodes,
      initializer,
      input: [{ name: g.input.name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: "N" }, ...g.input.shape.map((d) => ({ dimValue: d }))] } } } }],
      output: [{ name: outputName, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: "N" }, ...outDims.map((d) => ({ dimValue: d }))] } } } }],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
