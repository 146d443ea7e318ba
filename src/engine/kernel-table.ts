// Which INT8 kernel runs each layer, decided in one place (as XNNPACK's
// gemm-config decides tiles): the packing (layer-params.ts), the plan checks
// (plan-verify.ts), the lowering and the capability rules all ask here, so
// none of them picks a kernel variant on its own. Both blocked layouts have
// every variant; the DLA engine runs the subset dlaEngineRuns names.
// A pad's INT8 kernel also depends on the input's scale (its value must be
// an exact int8 value there), so int8Kernel takes the scales when known.
import type { ConvolutionLayer, Layer, PoolingLayer } from "../model/graph.js";
import { isPlainConvolution, isPlainPooling } from "../model/graph.js";
import type { LayerShapes } from "../model/shapes.js";
import { MAX_CHANNELS } from "../int8/validate.js";
import { MAX_GAP_PIXELS } from "../int8/ops-pool2d.js";
import { roundHalfEven } from "../int8/numerics.js";
import { DLA_KERNELS, type KernelName } from "./kernel-call.js";

export type ConvKernel =
  /** LeNet's fast paths (pairs, Winograd F(2,5), dot rows): square, one group, equal pads below the kernel. */
  | "conv"
  /** 1x1, stride 1, no pads, one group: a GEMM over pixels. */
  | "conv1x1"
  /** groups == input channels (a channel multiplier M = K / C). */
  | "dwconv"
  /** Everything else: groups, rectangular kernels, dilation, asymmetric pads. */
  | "convg";

export type Int8Kernel =
  | { op: "conv"; kernel: ConvKernel }
  | { op: "fc" | "relu" | "maxpool" | "avgpool" | "pool2d" | "gap" | "global-max" | "eltwise" | "concat" | "lut" | "scale-shift" | "pad" | "resize" | "prelu" | "softmax" };

/** A tensor's activation scale, when known (the effective scales of a calibrated build). */
export type ScaleOf = (tensor: string) => number | undefined;
/** A tensor's zero point (int8-stored), 0 for a symmetric one. */
export type ZeroOf = (tensor: string) => number;

/** Largest output H or W of the INT8 pad and resize kernels (their wrappers' rule, src/int8/ops-affine.ts). */
export const INT8_MAX_SIDE = 1 << 16;

/**
 * The int8 value a pad writes for its constant at the input's scale s and
 * zero point z (the tensor's grid is (q - z) * s): q = round(f32(value / s))
 * + z, which must be an int8 with f32((q - z) * s) equal to the value
 * exactly; or why not. 0 is always exact (q = z).
 */
export function padInt8Value(value: number, s: number, z = 0): number | string {
  const v = Math.fround(value);
  if (v === 0) return z;
  const q = roundHalfEven(Math.fround(v / s)) + z;
  if (q >= -128 && q <= 127 && Math.fround((q - z) * s) === v) return q;
  return `pad value ${value} is ${Math.fround(v / s)} steps of the input's scale ${s}${z ? ` from zero point ${z}` : ""}, not an exact int8 value`;
}

function inRange(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Why no INT8 kernel can run a layer. */
export interface Refusal {
  refusal: string;
}

/**
 * The convolution variant for `layer`, or why no INT8 kernel can run it.
 * LeNet's fast paths have no zero points: an asymmetric layer takes the
 * general kernel, whose epilogue and padding have them.
 */
export function convKernel(layer: ConvolutionLayer, C: number, symmetric = true): ConvKernel | Refusal {
  const { kernelShape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads, group } = layer;
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && pads.every((p) => p === 0) && group === 1) return "conv1x1";
  if (symmetric && isPlainConvolution(layer) && inRange(kh, 1, 32) && inRange(sh, 1, 8) && pads[0] < kh) return "conv";
  if (!inRange(kh, 1, 32) || !inRange(kw, 1, 32)) return { refusal: `kernel ${kh}x${kw} is outside the INT8 kernels' range 1..32` };
  if (!inRange(sh, 1, 8) || !inRange(sw, 1, 8)) return { refusal: `stride ${sh}x${sw} is outside the INT8 kernels' range 1..8` };
  if (!inRange(dh, 1, 32) || !inRange(dw, 1, 32)) return { refusal: `dilation ${dh}x${dw} is outside the INT8 kernels' range 1..32` };
  const eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  if (pads[0] >= eh || pads[2] >= eh || pads[1] >= ew || pads[3] >= ew) return { refusal: `pads [${pads.join(", ")}] are not below the dilated kernel ${eh}x${ew}, as the INT8 kernels need` };
  if (group === C && group > 1) return "dwconv";
  return "convg";
}

function poolKernel(layer: PoolingLayer, symmetric: boolean): Int8Kernel | string {
  // LeNet's average pooling rounds the window mean without a zero point: symmetric only.
  if ((symmetric || layer.method === "max") && isPlainPooling(layer) && inRange(layer.kernelShape[0], 1, 8) && inRange(layer.strides[0], 1, 16)) {
    return { op: layer.method === "max" ? "maxpool" : "avgpool" };
  }
  const [kh, kw] = layer.kernelShape, [sh, sw] = layer.strides;
  if (!inRange(kh, 1, 32) || !inRange(kw, 1, 32) || !inRange(sh, 1, 32) || !inRange(sw, 1, 32)) {
    return `pooling window ${kh}x${kw} / stride ${sh}x${sw} is outside the INT8 kernels' range 1..32`;
  }
  return { op: "pool2d" };
}

/**
 * The INT8 kernel for `layer`, or why none can run it (the layer then runs in
 * FP32). `scale` gives the activation scales once known; without them a pad
 * with a nonzero value is refused (its exactness cannot be checked).
 */
export function int8Kernel(layer: Layer, shapes: LayerShapes, scale?: ScaleOf, zero: ZeroOf = () => 0): Int8Kernel | string {
  const channels = Math.max(...shapes.inputs.map((s) => s[0]), shapes.output[0]);
  if (channels > MAX_CHANNELS) return `${channels} channels exceed the INT8 kernels' limit of ${MAX_CHANNELS}`;
  const symmetric = zero(layer.inputs[0]!) === 0 && zero(layer.output) === 0;
  switch (layer.type) {
    case "convolution": {
      const k = convKernel(layer, shapes.input[0], symmetric);
      return typeof k === "object" ? k.refusal : { op: "conv", kernel: k };
    }
    case "pooling":
      return poolKernel(layer, symmetric);
    case "global_pooling": {
      const [, h, w] = shapes.input;
      if (h * w > MAX_GAP_PIXELS) return `global pooling over ${h * w} pixels exceeds the INT8 kernels' ${MAX_GAP_PIXELS}`;
      if (layer.method === "average") return { op: "gap" };
      return h <= 32 && w <= 32 ? { op: "global-max" } : `global max pooling over ${h}x${w} exceeds the INT8 window limit 32x32`;
    }
    case "fully_connected": return { op: "fc" };
    // With a zero point a ReLU is max(x, z): a table.
    case "relu": return symmetric ? { op: "relu" } : { op: "lut" };
    case "activation": return { op: "lut" };
    case "eltwise": {
      const [c, h, w] = shapes.inputs[1]!;
      const same = c === shapes.input[0] && h === shapes.input[1] && w === shapes.input[2];
      return same || c === shapes.input[0] ? { op: "eltwise" } : "a per-image scalar operand has no INT8 kernel";
    }
    case "concat": return { op: "concat" };
    case "scale": return { op: "scale-shift" };
    case "softmax": return { op: "softmax" };
    case "pad": {
      const [, ho, wo] = shapes.output;
      if (ho > INT8_MAX_SIDE || wo > INT8_MAX_SIDE) return `pad output ${ho}x${wo} exceeds the INT8 kernels' ${INT8_MAX_SIDE} per side`;
      if (Math.fround(layer.value) === 0) return { op: "pad" };
      const s = scale?.(layer.inputs[0]!);
      if (s === undefined) return `pad value ${layer.value} is not 0: INT8 needs it to be an exact int8 value at the input's scale, and no scales are known here to check that`;
      const q = padInt8Value(layer.value, s, zero(layer.inputs[0]!));
      return typeof q === "string" ? q : { op: "pad" };
    }
    case "resize": {
      const [, ho, wo] = shapes.output;
      return ho > INT8_MAX_SIDE || wo > INT8_MAX_SIDE ? `resize output ${ho}x${wo} exceeds the INT8 kernels' ${INT8_MAX_SIDE} per side` : { op: "resize" };
    }
    case "prelu": return { op: "prelu" };
  }
}

/** The DLA engine's kernel for the ops that were added after its command list: each runs there once DLA_KERNELS lists it. */
const DLA_COMMAND: Partial<Record<Int8Kernel["op"], KernelName>> = {
  pad: "pad_constant_nc32hw32_s8",
  resize: "resize_nearest_nc32hw32_s8",
  prelu: "prelu_nc32hw32_s8",
};

/** Whether octet's DLA engine (assembly/engine/dla-engine.ts, its commands in kernel-call.ts DLA_KERNELS) has a command for this kernel. */
export function dlaEngineRuns(k: Int8Kernel): boolean {
  const name = DLA_COMMAND[k.op];
  return name === undefined || DLA_KERNELS.includes(name);
}
