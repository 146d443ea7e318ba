// What each device can run. The DLA rules are TensorRT's, from its
// developer guide, "DLA Supported Layers and Restrictions" (TensorRT 8.x, the
// generation that runs the forum's Xavier and Orin), one named rule per
// restriction; a layer the DLA could run must also have an octet INT8 kernel
// (engine/kernel-table.ts). INT8 only: DLA's other precision, FP16, is not
// modelled. The GPU runs every layer, in FP32 where no INT8 kernel can.
import type { Layer } from "../model/graph.js";
import { dlaEngineRuns, int8Kernel } from "../engine/kernel-table.js";
import type { LayerShapes } from "../model/shapes.js";

export type Device = "gpu" | "dla";
export const DEVICES: readonly Device[] = ["gpu", "dla"];
export type Precision = "int8" | "fp32";
export type DlaVersion = "xavier" | "orin";
export const DLA_VERSIONS: readonly DlaVersion[] = ["xavier", "orin"];

export const DLA_LIMITS = {
  kernel: [1, 32],
  stride: [1, 8],
  pad: [0, 31],
  dilation: [1, 32],
  poolWindow: [1, 8],
  poolStride: [1, 16],
  poolPad: [0, 7],
  resizeScale: [1, 32],
  maxChannels: 8192,
} as const;

/** At most this many DLA loadables (fused subgraphs) per DLA core. */
export const DLA_LOADABLES_PER_CORE = 16;

/** What the rules may know besides the layer: the DLA generation and, once calibrated, each tensor's scale. */
export interface DlaContext {
  version: DlaVersion;
  scale?: (tensor: string) => number | undefined;
  /** Zero points (int8-stored), when known; 0 for a symmetric tensor. */
  zero?: (tensor: string) => number;
}

interface DlaRule {
  name: string;
  /** Why the rule refuses the layer, or null. */
  check(layer: Layer, shapes: LayerShapes, ctx: DlaContext): string | null;
}

function outside(what: string, v: number, [lo, hi]: readonly [number, number], who: string): string | null {
  return v < lo || v > hi ? `${what} ${v} is outside the ${who} range ${lo}..${hi}` : null;
}

function eachOutside(what: string, values: readonly number[], range: readonly [number, number]): string | null {
  for (const v of values) {
    const r = outside(what, v, range, "DLA");
    if (r) return r;
  }
  return null;
}

/** INT8 inputs whose scales differ, when the scales are known. */
function unequalRanges(layer: Layer, ctx: DlaContext): string | null {
  if (!ctx.scale || layer.inputs.length < 2) return null;
  const scales = layer.inputs.map((t) => ctx.scale!(t));
  if (scales.some((s) => s === undefined) || scales.every((s) => s === scales[0])) return null;
  return `INT8 inputs need equal dynamic ranges, found ${layer.inputs.map((t, i) => `${t} ${(scales[i]! * 127).toPrecision(4)}`).join(", ")}`;
}

const DLA_RULES: readonly DlaRule[] = [
  {
    name: "Softmax",
    check: (l, _s, ctx) => (l.type !== "softmax" ? null
      : ctx.version === "xavier" ? "unsupported on DLA (softmax)"
      : "Orin's DLA runs softmax, but octet's DLA engine has none (octet's INT8 softmax writes uint8 at zero point -128, which its symmetric-int8 DLA does not hold): the softmax stays on the GPU"),
  },
  {
    name: "INT8: symmetric quantization only",
    check: (l, _s, ctx) => {
      if (!ctx.zero) return null;
      const t = [...l.inputs, l.output].find((x) => ctx.zero!(x) !== 0);
      return t === undefined ? null : `tensor ${t} has zero point ${ctx.zero(t)}; TensorRT's DLA takes symmetric int8 (zero point 0) only`;
    },
  },
  {
    name: "General: non-batch dimensions at most 8192",
    check: (_l, s) => {
      const d = Math.max(...s.inputs.flat(), ...s.output);
      return d > DLA_LIMITS.maxChannels ? `dimension ${d} exceeds the DLA limit of ${DLA_LIMITS.maxChannels}` : null;
    },
  },
  {
    name: "Convolution and Fully Connected",
    check: (l) => (l.type !== "convolution" ? null
      : eachOutside("kernel", l.kernelShape, DLA_LIMITS.kernel) ?? eachOutside("stride", l.strides, DLA_LIMITS.stride) ??
        eachOutside("padding", l.pads, DLA_LIMITS.pad) ?? eachOutside("dilation", l.dilations, DLA_LIMITS.dilation)),
  },
  {
    name: "Pooling",
    check: (l, s) => {
      if (l.type === "global_pooling") return eachOutside("window", [s.input[1], s.input[2]], DLA_LIMITS.poolWindow);
      if (l.type !== "pooling") return null;
      const limits = eachOutside("window", l.kernelShape, DLA_LIMITS.poolWindow) ?? eachOutside("stride", l.strides, DLA_LIMITS.poolStride) ??
        eachOutside("padding", l.pads, DLA_LIMITS.poolPad);
      if (limits) return limits;
      return l.method === "average" && !l.countIncludePad && l.pads.some((p) => p > 0) ? "exclusive padding with INT8 average pooling is not supported" : null;
    },
  },
  {
    name: "Activation",
    check: (l) => {
      if (l.type !== "activation") return null;
      if (l.fn === "hard_sigmoid" || l.fn === "hard_swish") return `${l.fn} is not a DLA activation (ReLU, Sigmoid, TanH, Clipped ReLU, Leaky ReLU)`;
      if (l.fn === "clip" && (l.min !== 0 || !(l.max > 0))) return `Clip [${l.min}, ${l.max}] is not a Clipped ReLU (min 0, max > 0)`;
      return null;
    },
  },
  { name: "ElementWise", check: (l, _s, ctx) => (l.type === "eltwise" ? unequalRanges(l, ctx) : null) },
  {
    name: "Concatenation",
    check: (l, _s, ctx) => (l.type !== "concat" ? null : l.inputs.length < 2 ? "a concatenation needs at least two inputs" : unequalRanges(l, ctx)),
  },
  {
    // Nearest neighbor only (octet's resize is), four scales with 1 on N and C, integers in [1, 32] on H and W.
    name: "Resize",
    check: (l) => (l.type !== "resize" ? null : eachOutside("scale", l.factors, DLA_LIMITS.resizeScale)),
  },
  {
    // The slope must be a build-time constant: octet's slopes are weights, so it always is.
    name: "Parametric ReLU",
    check: () => null,
  },
  {
    name: "Padding",
    check: (l) => (l.type !== "pad" ? null : "not a DLA layer (TensorRT's DLA layer table has no padding layer)"),
  },
];

/** Why octet's INT8 kernels cannot run `layer`, or null when they can. */
export function int8Refusal(layer: Layer, shapes: LayerShapes, scale?: (tensor: string) => number | undefined, zero?: (tensor: string) => number): string | null {
  const k = int8Kernel(layer, shapes, scale, zero);
  return typeof k === "string" ? k : null;
}

/** Why the DLA cannot run `layer`, or null when it can: the first TensorRT rule it breaks, named. */
export function dlaRefusal(layer: Layer, shapes: LayerShapes, precision: Precision, ctx: DlaContext = { version: "xavier" }): string | null {
  if (layer.type === "softmax") return DLA_RULES[0]!.check(layer, shapes, ctx);
  if (precision !== "int8") return `DLA runs INT8 only, layer precision is ${precision.toUpperCase()}`;
  for (const rule of DLA_RULES) {
    const why = rule.check(layer, shapes, ctx);
    if (why) return `${rule.name}: ${why}`;
  }
  const k = int8Kernel(layer, shapes, ctx.scale, ctx.zero);
  if (typeof k === "string") return k;
  return dlaEngineRuns(k) ? null : `octet's DLA engine has no command yet for ${k.op}`;
}
