// A model: a graph plus its FP32 weights, checked against each other.
import type { Graph } from "./graph.js";
import { inferShapes, volume, type GraphShapes } from "./shapes.js";
import type { WeightMap } from "./weights-file.js";
import { fail } from "../errors.js";

export interface Model {
  graph: Graph;
  shapes: GraphShapes;
  weights: WeightMap;
  /** Quantization carried by the model itself (ONNX QuantizeLinear/DequantizeLinear). */
  quantization?: ModelQuantization;
}

/** A layer's weights as the model quantized them: int8 values [K][...], a scale per output channel, and the int32 bias when the model gives one. */
export interface QuantizedWeights {
  q: Int8Array;
  scales: Float32Array;
  bias?: Int32Array;
}

export interface ModelQuantization {
  /** Activation scales, by tensor. */
  scales: Map<string, number>;
  /** Nonzero activation zero points, int8-stored (a uint8 zero point z is z - 128). */
  zeroPoints: Map<string, number>;
  /** Weights the model quantized, by layer: used as they are, never quantized again. */
  weights: Map<string, QuantizedWeights>;
  source: string;
}

/** Largest tensor (elements per image) a model may have: 2^26, 256 MiB of FP32. */
export const MAX_TENSOR_ELEMENTS = 1 << 26;

export function paramName(layer: string, kind: string): string {
  return `${layer}.${kind}`;
}

/** Checks that `weights` holds exactly the tensors the graph needs, with the right shapes. */
export function assembleModel(graph: Graph, weights: WeightMap, source = graph.weights): Model {
  if (volume(graph.input.shape) > MAX_TENSOR_ELEMENTS) {
    fail("SHAPE_MISMATCH", `${source}: input ${graph.input.name} [${graph.input.shape.join(", ")}] has ${volume(graph.input.shape)} elements per image, more than octet's limit of ${MAX_TENSOR_ELEMENTS}`);
  }
  const shapes = inferShapes(graph);
  const expected = new Set<string>();
  for (const layer of graph.layers) {
    const { params, output } = shapes.layers.get(layer.name)!;
    if (volume(output) > MAX_TENSOR_ELEMENTS) {
      fail("SHAPE_MISMATCH", `${source}: layer ${layer.name}: output [${output.join(", ")}] has ${volume(output)} elements per image, more than octet's limit of ${MAX_TENSOR_ELEMENTS}`);
    }
    for (const [kind, dims] of Object.entries(params)) {
      const name = paramName(layer.name, kind);
      expected.add(name);
      const t = weights.get(name);
      if (!t) fail("SHAPE_MISMATCH", `${source}: layer ${layer.name}: missing ${kind} tensor "${name}" of shape [${dims.join(", ")}]`);
      if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
        fail("SHAPE_MISMATCH", `${source}: layer ${layer.name}: ${kind} has shape [${t.dims.join(", ")}], the graph needs [${dims.join(", ")}]`);
      }
    }
  }
  for (const name of weights.keys()) {
    if (!expected.has(name)) fail("SHAPE_MISMATCH", `${source}: tensor "${name}" belongs to no layer of graph ${graph.name}`);
  }
  return { graph, shapes, weights };
}
