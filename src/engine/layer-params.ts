// Build-time weight preparation, per layer and per the device layout it runs
// in: FP32 weights as they are, or INT8 weights quantized per output channel,
// int32 bias and requantization multipliers, packed for nchw4 or nc32hw32.
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import type { Layer } from "../model/graph.js";
import { quantizeWeights, quantizeBias, requantMultipliers } from "../int8/numerics.js";
import { packConv } from "../int8/pack-conv.js";
import { packFc } from "../int8/pack-fc.js";
import { packConv1x1 } from "../int8/pack-conv1x1.js";
import { packDwconv } from "../int8/pack-dwconv.js";
import { packConvg } from "../int8/pack-convg.js";
import { convKernel } from "./kernel-table.js";
import type { Layout as BlockedLayout } from "../int8/layout.js";
import { fail } from "../errors.js";

export type LayerParams =
  | { kind: "fp32"; weight: Float32Array; bias: Float32Array }
  | { kind: "int8"; layout: BlockedLayout; weights: Int8Array; bias: Int32Array; mult: Float32Array; weightScales: Float32Array };

/**
 * FP32 parameters beyond float16's largest value are refused: no trained CNN
 * has them, and a chain of layers with such weights overflows float32, so an
 * FP32 plan could give infinities that look like an answer.
 */
export const MAX_FP32_PARAM = 65504;

export function checkFp32Param(a: Float32Array, where: string): Float32Array {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(Math.abs(v) <= MAX_FP32_PARAM)) fail("BAD_ARGUMENT", `${where}[${i}] is ${v}, expected a finite number within +-${MAX_FP32_PARAM}`);
  }
  return a;
}

/**
 * Layers whose parameters stay FP32 in an INT8 plan, packed at lowering from
 * the activation scales: a scale layer's scale and shift, a prelu's slopes.
 */
export function keepsFp32Params(layer: Layer): boolean {
  return layer.type === "scale" || layer.type === "prelu";
}

/**
 * FP32 weights and bias of a convolution, fully connected or scale layer
 * (scale: per-channel scale and shift), or a prelu's slopes (weight; bias empty).
 */
export function fp32Params(model: Model, layer: Layer): LayerParams {
  if (layer.type === "prelu") {
    const slope = model.weights.get(paramName(layer.name, "slope"))!.data;
    return { kind: "fp32", weight: checkFp32Param(slope, `FP32 layer ${layer.name}: ${paramName(layer.name, "slope")}`), bias: new Float32Array(0) };
  }
  const [w, b] = layer.type === "scale" ? ["scale", "shift"] : ["weight", "bias"];
  const weight = model.weights.get(paramName(layer.name, w!))!.data;
  const bias = model.weights.get(paramName(layer.name, b!))?.data ?? new Float32Array(model.shapes.layers.get(layer.name)!.output[0]);
  return {
    kind: "fp32",
    weight: checkFp32Param(weight, `FP32 layer ${layer.name}: ${paramName(layer.name, w!)}`),
    bias: checkFp32Param(bias, `FP32 layer ${layer.name}: ${paramName(layer.name, b!)}`),
  };
}

/**
 * INT8 weights, packed for the kernel the kernel table picks
 * (kernel-table.ts): the model's own int8 values and scales when it
 * quantized them (QDQ), else quantized per output channel here; for a layer
 * that keeps FP32 parameters (keepsFp32Params) those, whatever its
 * precision. An input zero point zx is folded into the bias:
 * sum_i w_i (x_i - zx) = sum_i w_i x_i - zx sum_i w_i, the kernels padding
 * with zx (docs/int8-numerics.md).
 */
export function int8Params(model: Model, layer: Layer, layout: BlockedLayout, sIn: number, sOut: number, zx = 0, zy = 0): LayerParams {
  if (keepsFp32Params(layer)) return fp32Params(model, layer);
  const w = model.weights.get(paramName(layer.name, "weight"))!;
  const K = w.dims[0]!;
  const b = model.weights.get(paramName(layer.name, "bias"))?.data ?? new Float32Array(K);
  const given = model.quantization?.weights.get(layer.name);
  const q = given ? { q: given.q, scales: given.scales } : quantizeWeights(w.data, K);
  const bias = given?.bias ? given.bias.slice() : quantizeBias(b, sIn, q.scales);
  if (zx !== 0) foldInputZeroPoint(layer, bias, q.q, K, zx);
  const mult = requantMultipliers(sIn, q.scales, sOut);
  const [c, h, wd] = model.shapes.layers.get(layer.name)!.input;
  const packed = packInt8(layer, q.q, bias, mult, K, [c, h, wd], layout, zx === 0 && zy === 0);
  return { kind: "int8", layout, weights: packed.weights, bias: packed.bias, mult: packed.mult, weightScales: q.scales };
}

/** bias_k -= zx * sum of output k's weights, in range of int32 or refused. */
function foldInputZeroPoint(layer: Layer, bias: Int32Array, w: Int8Array, K: number, zx: number): void {
  const per = w.length / K;
  for (let k = 0; k < K; k++) {
    let sum = 0;
    for (let i = 0; i < per; i++) sum += w[k * per + i]!;
    const v = bias[k]! - zx * sum;
    if (v < -(2 ** 31) || v >= 2 ** 31) fail("BAD_ARGUMENT", `layer ${layer.name}: output ${k}: bias ${bias[k]} - zero point ${zx} x weight sum ${sum} leaves int32`);
    bias[k] = v;
  }
}

/** The packing of int8 weights `w` [K][...] for the layer's kernel. */
export function packInt8(
  layer: Layer, w: Int8Array, bias: Int32Array, mult: Float32Array, K: number, [c, h, wd]: [number, number, number], layout: BlockedLayout, symmetric = true,
) {
  if (layer.type === "fully_connected") return packFc(w, bias, mult, K, c, h, wd, layout);
  if (layer.type !== "convolution") return fail("BAD_ARGUMENT", `layer ${layer.name}: a ${layer.type} layer has no packed INT8 weights`);
  const [kh, kw] = layer.kernelShape;
  switch (convKernel(layer, c, symmetric)) {
    case "conv": return packConv(w, bias, mult, K, c, kh, layout, layer.strides[0]);
    case "conv1x1": return packConv1x1(w, bias, mult, K, c, layout);
    case "dwconv": return packDwconv(w, bias, mult, c, K / c, kh, kw, layout);
    case "convg": return packConvg(w, bias, mult, K, c, layer.group, kh, kw, layout);
    default: return fail("BAD_ARGUMENT", `layer ${layer.name}: no INT8 convolution kernel runs it`);
  }
}
