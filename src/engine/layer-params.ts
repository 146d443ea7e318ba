// Build-time weight preparation, per layer and per the device layout it runs
// in: FP32 weights as they are, or INT8 weights quantized per output channel,
// int32 bias and requantization multipliers, packed for nchw4 or nc32hw32.
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import type { Layer } from "../model/graph.js";
import { quantizeWeights, quantizeBias, requantMultipliers } from "../int8/numerics.js";
import { packConv } from "../int8/pack-conv.js";
import { packFc } from "../int8/pack-fc.js";
import type { Layout as BlockedLayout } from "../int8/layout.js";

export type LayerParams =
  | { kind: "fp32"; weight: Float32Array; bias: Float32Array }
  | { kind: "int8"; layout: BlockedLayout; weights: Int8Array; bias: Int32Array; mult: Float32Array; weightScales: Float32Array };

export function fp32Params(model: Model, layer: Layer): LayerParams {
  return {
    kind: "fp32",
    weight: model.weights.get(paramName(layer.name, "weight"))!.data,
    bias: model.weights.get(paramName(layer.name, "bias"))!.data,
  };
}

export function int8Params(model: Model, layer: Layer, layout: BlockedLayout, sIn: number, sOut: number): LayerParams {
  const w = model.weights.get(paramName(layer.name, "weight"))!;
  const b = model.weights.get(paramName(layer.name, "bias"))!.data;
  const K = w.dims[0]!;
  const q = quantizeWeights(w.data, K);
  const bias = quantizeBias(b, sIn, q.scales);
  const mult = requantMultipliers(sIn, q.scales, sOut);
  const [c, h, wd] = model.shapes.layers.get(layer.name)!.input;
  const packed = layer.type === "convolution"
    ? packConv(q.q, bias, mult, K, c, layer.kernel, layout)
    : packFc(q.q, bias, mult, K, c, h, wd, layout);
  return { kind: "int8", layout, weights: packed.weights, bias: packed.bias, mult: packed.mult, weightScales: q.scales };
}
