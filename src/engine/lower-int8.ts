// INT8 lowering of one layer for one blocked layout into kernel calls
// (kernel-call.ts), for whichever kernel the kernel table picks: every
// argument checked once here with the kernels' own rules, multipliers,
// tables and scratch made once. The GPU runs the calls directly, the DLA
// engine as commands. Every tensor has a scale and a zero point (int8-stored;
// 0 when symmetric), passed to the kernels (docs/int8-numerics.md).
import type { Kernels } from "../runtime/kernels.js";
import type { Layer } from "../model/graph.js";
import type { LayerShapes } from "../model/shapes.js";
import type { Layout } from "../int8/layout.js";
import { lanesOf } from "../int8/layout.js";
import { imageBytes, S8_NC32HW32, S8_NCHW4 } from "../core/format.js";
import { convKernel, int8Kernel, padInt8Value, INT8_MAX_SIDE } from "./kernel-table.js";
import type { KernelCall, KernelName } from "./kernel-call.js";
import { convOutputSize, poolOutputSize } from "../int8/validate.js";
import { convScratchBytes } from "../int8/scratch.js";
import { convPath, CONV_PATH_CODE } from "../int8/kernel-config.js";
import { checkGeometry, checkEpilogue, type ConvGeometry, type ConvEpilogue } from "../int8/conv-geometry.js";
import { convgScratchBytes, dwconvScratchBytes } from "../int8/scratch.js";
import { checkPool2d } from "../int8/pool-shapes.js";
import { BROADCAST_CODE } from "../int8/broadcast.js";
import { clamp, mulMultiplier, roundHalfEven, scaleRatio } from "../int8/numerics.js";
import { checkInt, checkMultiplier } from "../int8/validate.js";
import { buildActivationTable, clip, hardSigmoid, leakyRelu, type ActivationFn } from "../int8/activation-table.js";
import { packPrelu, packScaleShift } from "../int8/channel-params.js";
import { uploadFcParams, uploadParams } from "../int8/ops.js";
import { uploadOnce } from "../runtime/weight-cache.js";
import { softmaxTable, SOFTMAX_INT8_SCALE } from "../int8/softmax-table.js";
import { fail } from "../errors.js";

export interface Int8Params {
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

export interface Int8LayerEnv {
  k: Kernels;
  layout: Layout;
  layer: Layer;
  shapes: LayerShapes;
  xs: number[];
  y: number;
  relu: boolean;
  /** The max of a fused Clip(0, max) (ReLU6), clamped in the epilogue or by a table after the kernel. */
  clipMax?: number;
  /** A concat's inputs whose producers wrote them into its buffer (concat-slices.ts): no kernel runs for them. */
  sliceInputs?: ReadonlySet<number>;
  scale(tensor: string): number;
  /** A tensor's zero point (int8-stored; 0 when symmetric). */
  zero(tensor: string): number;
  /** Packed INT8 weights (conv, fc). */
  int8Params(): Int8Params;
  /** FP32 parameters kept as they are: a scale layer's scale and shift (weight, bias), a prelu's slopes (weight). */
  affineParams(): { weight: Float32Array; bias: Float32Array };
}

const call = (fn: KernelName, args: number[], floats?: number[]): KernelCall => ({ fn, args, batch: 1, floats });

function geometry(layer: Extract<Layer, { type: "convolution" }>): ConvGeometry {
  const { kernelShape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [padTop, padLeft, padBottom, padRight] } = layer;
  return { kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight };
}

/** FP32 activation functions, as ONNX defines them, for the INT8 tables. */
function activationFn(layer: Extract<Layer, { type: "activation" }>): ActivationFn {
  switch (layer.fn) {
    case "clip": return clip(layer.min, layer.max);
    case "leaky_relu": return leakyRelu(layer.alpha);
    case "hard_sigmoid": return hardSigmoid(layer.alpha, layer.beta);
    case "sigmoid": return (x) => 1 / (1 + Math.exp(-x));
    case "tanh": return Math.tanh;
    case "hard_swish": return (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5));
  }
}

/** The pad and resize kernels' rule on output sides (their wrappers', src/int8/ops-affine.ts). */
function checkSides(op: string, hName: string, ho: number, wName: string, wo: number): void {
  checkInt(op, hName, ho, 1, INT8_MAX_SIDE);
  checkInt(op, wName, wo, 1, INT8_MAX_SIDE);
}

export function int8LayerCalls(env: Int8LayerEnv): KernelCall[] {
  const { k, layout, layer, shapes, xs, y, relu } = env;
  const nchw4 = layout === "nchw4";
  const op = `plan: layer ${layer.name}`;
  const [C, H, W] = shapes.input;
  const [K, , Wo] = shapes.output;
  const x = xs[0]!;
  const sx = env.scale(layer.inputs[0]!), sy = env.scale(layer.output);
  const zx = env.zero(layer.inputs[0]!), zy = env.zero(layer.output);
  const qx = { scale: sx, zeroPoint: zx }, qy = { scale: sy, zeroPoint: zy };
  const clipHi = env.clipMax === undefined ? 127 : clamp(roundHalfEven(env.clipMax / sy) + zy, -128, 127);
  // A fused ReLU (or Clip(0, max)) clamps at the zero point, real 0.
  const lo = relu ? zy : -128;
  const epilogue: ConvEpilogue = { xZero: zx, yZero: zy, lo, hi: clipHi };
  // LeNet's conv paths (symmetric only) have only a ReLU flag: a fused Clip's top is clamped by its table, in place.
  const clipAfter = (calls: KernelCall[]): KernelCall[] => {
    if (env.clipMax === undefined || clipHi === 127) return calls;
    const t = k.arena.alloc(256);
    k.arena.i8(t, 256).set(buildActivationTable(clip(0, env.clipMax), sy, zy, sy, zy));
    return [...calls, call(`lut_${L}_s8`, [y, 0, K, shapes.output[1], shapes.output[2], t, y])];
  };
  const L = nchw4 ? "nchw4" : "nc32hw32";
  const lutCall = (table: Int8Array): KernelCall => {
    const t = k.arena.alloc(256);
    k.arena.i8(t, 256).set(table);
    return call(`lut_${L}_s8`, [x, 0, C, H, W, t, y]);
  };
  switch (layer.type) {
    case "convolution": {
      const g = geometry(layer);
      const params = env.int8Params();
      const dev = uploadOnce(k, params.weights, () => uploadParams(k, params));
      const { hi } = epilogue;
      const variant = convKernel(layer, C, zx === 0 && zy === 0);
      if (variant === "conv") {
        const [kernel] = layer.kernelShape, [stride] = layer.strides, [pad] = layer.pads;
        convOutputSize(op, H, W, kernel, stride, pad);
        const path = convPath(L, C, kernel, stride);
        const scratch = k.arena.alloc(convScratchBytes(C, kernel, path));
        return clipAfter([call(`conv_${L}_s8`, [x, 0, C, H, W, dev.weights, dev.bias, dev.mult, K, kernel, stride, pad, y, relu ? 1 : 0, scratch, CONV_PATH_CODE[path]])]);
      }
      checkGeometry(op, H, W, g);
      checkEpilogue(op, epilogue);
      switch (variant) {
        case "conv1x1":
          return [call(`conv1x1_${L}_s8`, [x, 0, C, H, W, dev.weights, dev.bias, dev.mult, K, zy, lo, hi, y])];
        case "dwconv": {
          const scratch = k.arena.alloc(dwconvScratchBytes(layout, g, Wo));
          return [call(`dwconv_${L}_s8`, [x, 0, C, H, W, dev.weights, dev.bias, dev.mult, K / C, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, g.padBottom, g.padRight, zx, zy, lo, hi, y, scratch])];
        }
        case "convg": {
          const scratch = k.arena.alloc(convgScratchBytes(C, layer.group, g.kh, g.kw));
          return [call(`convg_${L}_s8`, [x, 0, C, H, W, dev.weights, dev.bias, dev.mult, K, layer.group, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, g.padBottom, g.padRight, zx, zy, lo, hi, y, scratch])];
        }
        default:
          return fail("BAD_ARGUMENT", `${op}: ${variant.refusal}`);
      }
    }
    case "fully_connected": {
      const params = env.int8Params();
      const dev = uploadOnce(k, params.weights, () => uploadFcParams(k, params));
      checkEpilogue(op, epilogue);
      return [call(`fc_${L}_s8`, [x, 0, C, H, W, dev.weights, dev.bias, dev.mult, K, epilogue.yZero, epilogue.lo, epilogue.hi, y])];
    }
    case "relu":
      if (zx !== 0 || zy !== 0) return [lutCall(buildActivationTable((v) => Math.max(0, v), sx, zx, sy, zy))];
      return [{ fn: "relu_s8", args: [x, y, imageBytes(nchw4 ? S8_NCHW4 : S8_NC32HW32, shapes.output)], batch: -1, perImage: 2 }];
    case "pooling": {
      const { kernelShape: [kh, kw], strides: [sh, sw], pads, ceilMode, countIncludePad } = layer;
      const kernel = int8Kernel(layer, shapes, undefined, env.zero);
      if (typeof kernel !== "string" && (kernel.op === "maxpool" || kernel.op === "avgpool")) {
        poolOutputSize(op, H, W, kh, sh);
        return [call(`${kernel.op}_${L}_s8`, [x, 0, C, H, W, kh, sh, y])];
      }
      checkPool2d(op, H, W, { kh, kw, sh, sw, pads, ceilMode });
      const ratio = scaleRatio(sx, sy);
      checkMultiplier(op, "sx/sy", ratio);
      const method = layer.method === "max" ? 0 : 1;
      return [call(`pool2d_${L}_s8`, [x, 0, C, H, W, kh, kw, sh, sw, pads[0], pads[1], pads[2], pads[3], ceilMode ? 1 : 0, method, countIncludePad ? 1 : 0, ratio, zx, zy, y], [16])];
    }
    case "global_pooling": {
      const ratio = scaleRatio(sx, sy);
      checkMultiplier(op, "sx/sy", ratio);
      if (layer.method === "average") return [call(`gap_${L}_s8`, [x, 0, C, H, W, ratio, zx, zy, y], [5])];
      checkPool2d(op, H, W, { kh: H, kw: W, sh: 1, sw: 1, pads: [0, 0, 0, 0], ceilMode: false });
      return [call(`pool2d_${L}_s8`, [x, 0, C, H, W, H, W, 1, 1, 0, 0, 0, 0, 0, 0, 0, ratio, zx, zy, y], [16])];
    }
    case "eltwise": {
      const b = xs[1]!;
      const sb = env.scale(layer.inputs[1]!);
      const [bc, bh, bw] = shapes.inputs[1]!;
      const G = lanesOf(layout);
      const zb = env.zero(layer.inputs[1]!);
      const same = bc === C && bh === H && bw === W;
      if (!same && bc !== C) fail("BAD_ARGUMENT", `${op}: a per-image scalar operand has no INT8 kernel (placement runs it in FP32)`);
      const code = same ? BROADCAST_CODE.same : BROADCAST_CODE["image-channel"];
      if (layer.op === "mul") {
        const m = mulMultiplier(sx, sb, sy);
        checkMultiplier(op, "sa*sb/sy", m);
        return [{ fn: "mul_s8", args: [x, b, 0, C, H, W, G, code, m, zx, zb, zy, lo, 127, y], batch: 2, floats: [8] }];
      }
      const ma = scaleRatio(sx, sy), mb = scaleRatio(sb, sy);
      checkMultiplier(op, "sa/sy", ma);
      checkMultiplier(op, "sb/sy", mb);
      return [{ fn: layer.op === "add" ? "add_s8" : "sub_s8", args: [x, b, 0, C, H, W, G, code, ma, zx, mb, zb, zy, lo, 127, y], batch: 2, floats: [8, 10] }];
    }
    case "concat": {
      let at = 0;
      return shapes.inputs.flatMap(([ci], j) => {
        const m = scaleRatio(env.scale(layer.inputs[j]!), sy);
        checkMultiplier(op, `s${j}/sy`, m);
        const first = at;
        at += ci;
        if (env.sliceInputs?.has(j)) return [];
        if (xs[j] === y) fail("BAD_ARGUMENT", `${op}: input ${j} shares the output buffer`);
        return [call(`concat_channels_${L}_s8`, [xs[j]!, 0, ci, H, W, y, K, first, m, env.zero(layer.inputs[j]!), zy], [8])];
      });
    }
    case "softmax": {
      if (sy !== Math.fround(SOFTMAX_INT8_SCALE)) fail("BAD_ARGUMENT", `${op}: output scale ${sy}; the INT8 softmax writes uint8 at 1/256`);
      const t = k.arena.alloc(256 * 4);
      k.arena.i32(t, 256).set(softmaxTable(sx));
      return [call(`softmax_${L}_s8`, [x, 0, C, H, W, t, y])];
    }
    case "activation": {
      return [lutCall(buildActivationTable(activationFn(layer), sx, zx, sy, zy))];
    }
    case "scale": {
      const { weight, bias } = env.affineParams();
      const packed = packScaleShift(weight, bias, layout, qx, qy);
      const mult = k.arena.allocF32(packed.mult.length), offset = k.arena.allocF32(packed.offset.length);
      k.arena.f32(mult, packed.mult.length).set(packed.mult);
      k.arena.f32(offset, packed.offset.length).set(packed.offset);
      return [call(`scale_shift_${L}_s8`, [x, 0, C, H, W, mult, offset, zx, zy, lo, 127, y])];
    }
    case "pad": {
      // Values move unchanged: the output keeps the input's scale (scales.ts), the constant is its int8 value there.
      if (sy !== sx) fail("BAD_ARGUMENT", `${op}: output scale ${sy} differs from the input's ${sx}; a pad keeps its input's scale`);
      if (zy !== zx) fail("BAD_ARGUMENT", `${op}: output zero point ${zy} differs from the input's ${zx}; a pad keeps its input's`);
      const q = padInt8Value(layer.value, sx, zx);
      if (typeof q === "string") fail("BAD_ARGUMENT", `${op}: ${q} (placement runs such a pad in FP32)`);
      const [t, l, b, r] = layer.pads;
      checkSides(op, "H + top + bottom", H + t + b, "W + left + right", W + l + r);
      if (x === y) fail("BAD_ARGUMENT", `${op}: the output shares the input's buffer`);
      return [call(`pad_constant_${L}_s8`, [x, 0, C, H, W, t, l, b, r, q, y])];
    }
    case "resize": {
      if (sy !== sx) fail("BAD_ARGUMENT", `${op}: output scale ${sy} differs from the input's ${sx}; a resize keeps its input's scale`);
      const [fh, fw] = layer.factors;
      checkSides(op, "H * fh", H * fh, "W * fw", W * fw);
      if (x === y) fail("BAD_ARGUMENT", `${op}: the output shares the input's buffer`);
      return [call(`resize_nearest_${L}_s8`, [x, 0, C, H, W, fh, fw, y])];
    }
    case "prelu": {
      const slopes = env.affineParams().weight;
      if (slopes.length !== C) fail("BAD_ARGUMENT", `${op}: ${slopes.length} slopes for ${C} channels`);
      const packed = packPrelu(slopes, layout, qx, qy);
      const mNeg = k.arena.allocF32(packed.mNeg.length);
      k.arena.f32(mNeg, packed.mNeg.length).set(packed.mNeg);
      return [call(`prelu_${L}_s8`, [x, 0, C, H, W, packed.mPos, mNeg, zx, zy, y], [5])];
    }
    default:
      return fail("BAD_ARGUMENT", `${op}: no INT8 kernel in lower-int8 for ${(layer as Layer).type}`);
  }
}
