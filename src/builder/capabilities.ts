// What each device can run. The DLA limits are the ones TensorRT documents
// for DLA on Xavier: convolution kernel 1..32, stride 1..8, padding 0..31;
// pooling window 1..8, stride 1..16; at most 8192 channels; INT8 only here
// (DLA's other precision, FP16, is not modelled); no softmax.
import type { Layer } from "../model/graph.js";
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

/** Why the DLA cannot run `layer`, or null when it can. */
export function dlaRefusal(layer: Layer, shapes: LayerShapes, precision: Precision): string | null {
  if (layer.type === "softmax") return "unsupported on DLA (softmax)";
  if (precision !== "int8") return `DLA runs INT8 only, layer precision is ${precision.toUpperCase()}`;
  const channels = Math.max(shapes.input[0], shapes.output[0]);
  if (channels > DLA_LIMITS.maxChannels) return `${channels} channels exceed the DLA limit of ${DLA_LIMITS.maxChannels}`;
  const outside = (what: string, v: number, [lo, hi]: readonly [number, number]) =>
    v < lo || v > hi ? `${what} ${v} is outside the DLA range ${lo}..${hi}` : null;
  switch (layer.type) {
    case "convolution":
      return outside("kernel", layer.kernel, DLA_LIMITS.kernel) ?? outside("stride", layer.stride, DLA_LIMITS.stride) ??
        outside("padding", layer.pad, DLA_LIMITS.pad);
    case "pooling":
      return outside("window", layer.window, DLA_LIMITS.poolWindow) ?? outside("stride", layer.stride, DLA_LIMITS.poolStride);
    case "fully_connected":
    case "relu":
      return null;
  }
}
