// What each device can run. The DLA limits are the ones TensorRT documents
// for DLA on Xavier: convolution kernel 1..32, stride 1..8, padding 0..31;
// pooling window 1..8, stride 1..16; at most 8192 channels; INT8 only here
// (DLA's other precision, FP16, is not modelled); no softmax. octet's INT8
// kernels (both layouts) cover exactly those ranges, with padding below the
// kernel size; the GPU runs anything else in FP32.
import type { Layer } from "../model/graph.js";
import { dlaEngineRuns, int8Kernel } from "../engine/kernel-table.js";
import type { LayerShapes } from "../model/shapes.js";

export type Device = "gpu" | "dla";
export const DEVICES: readonly Device[] = ["gpu", "dla"];
export type Precision = "int8" | "fp32";

export const DLA_LIMITS = {
  kernel: [1, 32],
  stride: [1, 8],
  pad: [0, 31],
  poolWindow: [1, 8],
  poolStride: [1, 16],
  maxChannels: 8192,
} as const;

function outside(what: string, v: number, [lo, hi]: readonly [number, number], who: string): string | null {
  return v < lo || v > hi ? `${what} ${v} is outside the ${who} range ${lo}..${hi}` : null;
}

/** Why octet's INT8 kernels cannot run `layer`, or null when they can. */
export function int8Refusal(layer: Layer, shapes: LayerShapes): string | null {
  const k = int8Kernel(layer, shapes);
  return typeof k === "string" ? k : null;
}

/** Why the DLA cannot run `layer`, or null when it can. */
export function dlaRefusal(layer: Layer, shapes: LayerShapes, precision: Precision): string | null {
  if (layer.type === "softmax") return "unsupported on DLA (softmax)";
  if (precision !== "int8") return `DLA runs INT8 only, layer precision is ${precision.toUpperCase()}`;
  const channels = Math.max(shapes.input[0], shapes.output[0]);
  if (channels > DLA_LIMITS.maxChannels) return `${channels} channels exceed the DLA limit of ${DLA_LIMITS.maxChannels}`;
  let limit: string | null = null;
  if (layer.type === "convolution") {
    const [k] = layer.kernelShape, [s] = layer.strides, [p] = layer.pads;
    limit = outside("kernel", k, DLA_LIMITS.kernel, "DLA") ?? outside("stride", s, DLA_LIMITS.stride, "DLA") ?? outside("padding", p, DLA_LIMITS.pad, "DLA");
  } else if (layer.type === "pooling") {
    limit = outside("window", layer.kernelShape[0], DLA_LIMITS.poolWindow, "DLA") ?? outside("stride", layer.strides[0], DLA_LIMITS.poolStride, "DLA");
  }
  if (limit) return limit;
  const k = int8Kernel(layer, shapes);
  if (typeof k === "string") return k;
  return dlaEngineRuns(k) ? null : `octet's DLA engine has no command yet for ${k.op === "conv" ? `${k.kernel} convolution` : k.op}`;
}
