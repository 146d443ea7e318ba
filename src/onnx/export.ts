// ONNX export (opset 13): the FP32 model, or a QDQ model carrying octet's
// calibrated scales — QuantizeLinear/DequantizeLinear on every INT8 tensor
// and int8 per-channel weights behind DequantizeLinear — which ONNX Runtime
// and TensorRT's explicit-quantization path take.
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import { quantizeWeights } from "../int8/numerics.js";
import { effectiveScales } from "../engine/scales.js";
import { onnx, DataType, type NodeProto, type TensorProto } from "./proto.js";

export const EXPORT_OPSET = 13;

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

export function exportOnnx(model: Model, options: ExportOptions = {}): Uint8Array {
  const g = model.graph;
  const qdq = options.scales ? effectiveScales(model, options.scales, "export scales") : null;
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
    nodes.push({ name: `${tensor}_QuantizeLinear`, opType: "QuantizeLinear", input: [onnxName, scaleName, zero], output: [`${tensor}_quantized`] });
    nodes.push({ name: `${tensor}_DequantizeLinear`, opType: "DequantizeLinear", input: [`${tensor}_quantized`, scaleName, zero], output: [`${tensor}_dequantized`] });
    return `${tensor}_dequantized`;
  };

  const weightInput = (layer: string, dims: number[], w: Float32Array): string => {
    const name = paramName(layer, "weight");
    if (!qdq) {
      initializer.push(floatTensor(name, dims, w));
      return name;
    }
    const q = quantizeWeights(w, dims[0]!);
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
  let flattened = false;
  g.layers.forEach((layer, index) => {
    const x = value.get(layer.input)!;
    const next = g.layers[index + 1];
    const reluFollows = next?.type === "relu" && next.input === layer.output;
    // In-place layers (Caffe's relu1 on ip1) get a fresh ONNX value name.
    const out = layer.output === layer.input ? layer.name : layer.output;
    switch (layer.type) {
      case "convolution": {
        const w = model.weights.get(paramName(layer.name, "weight"))!;
        const b = model.weights.get(paramName(layer.name, "bias"))!;
        initializer.push(floatTensor(paramName(layer.name, "bias"), b.dims, b.data));
        nodes.push({
          name: layer.name, opType: "Conv", input: [x, weightInput(layer.name, w.dims, w.data), paramName(layer.name, "bias")], output: [out],
          attribute: [ints("kernel_shape", [layer.kernel, layer.kernel]), ints("strides", [layer.stride, layer.stride]), ints("pads", [layer.pad, layer.pad, layer.pad, layer.pad])],
        });
        break;
      }
      case "pooling":
        nodes.push({
          name: layer.name, opType: layer.method === "max" ? "MaxPool" : "AveragePool", input: [x], output: [out],
          attribute: [ints("kernel_shape", [layer.window, layer.window]), ints("strides", [layer.stride, layer.stride])],
        });
        break;
      case "fully_connected": {
        let input = x;
        const [c, h, w] = model.shapes.layers.get(layer.name)!.input;
        if (!flattened && c * h * w !== c) {
          initializer.push(int64Tensor(`${layer.name}_flatten_shape`, [0, -1]));
          nodes.push({ name: `${layer.name}_flatten`, opType: "Reshape", input: [x, `${layer.name}_flatten_shape`], output: [`${layer.input}_flat`] });
          input = `${layer.input}_flat`;
        }
        flattened = true;
        const wt = model.weights.get(paramName(layer.name, "weight"))!;
        const b = model.weights.get(paramName(layer.name, "bias"))!;
        initializer.push(floatTensor(paramName(layer.name, "bias"), b.dims, b.data));
        nodes.push({
          name: layer.name, opType: "Gemm", input: [input, weightInput(layer.name, wt.dims, wt.data), paramName(layer.name, "bias")], output: [out],
          attribute: [int("transB", 1)],
        });
        break;
      }
      case "relu":
        nodes.push({ name: layer.name, opType: "Relu", input: [x], output: [out] });
        break;
      case "softmax":
        nodes.push({ name: layer.name, opType: "Softmax", input: [x], output: [out], attribute: [int("axis", 1)] });
        break;
    }
    const quantized = layer.type !== "softmax" && !reluFollows && qdq?.has(layer.output);
    value.set(layer.output, quantized ? quantizeAfter(layer.output, out) : out);
  });
  const outputName = value.get(g.output)!;
  const [oc, oh, ow] = model.shapes.tensors.get(g.output)!;
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
      output: [{ name: outputName, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: "N" }, { dimValue: oc * oh * ow }] } } } }],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
