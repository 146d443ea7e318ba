// INT8 lowering of the layers beyond LeNet's (the kernel table's conv1x1,
// dwconv, convg, pool2d, gap, global max, eltwise, concat, lut and
// scale-shift) for one blocked layout: every argument checked once here with
// the kernels' own rules, multipliers and tables computed once, and the
// runner a plain wasm call that allocates nothing. Tensors are symmetric
// (zero point 0) until asymmetric types arrive (docs/int8-numerics.md).
import type { Kernels } from "../runtime/kernels.js";
import type { Layer } from "../model/graph.js";
import type { LayerShapes } from "../model/shapes.js";
import type { Layout } from "../int8/layout.js";
import { lanesOf } from "../int8/layout.js";
import { imageBytes, S8_NC32HW32, S8_NCHW4 } from "../core/format.js";
import { convKernel } from "./kernel-table.js";
import { checkGeometry, checkEpilogue, type ConvGeometry, type ConvEpilogue } from "../int8/conv-geometry.js";
import { convgScratchBytes, dwconvScratchBytes } from "../int8/scratch.js";
import { checkPool2d } from "../int8/pool-shapes.js";
import { BROADCAST_CODE } from "../int8/broadcast.js";
import { mulMultiplier, scaleRatio, symmetricQuant } from "../int8/numerics.js";
import { checkMultiplier } from "../int8/validate.js";
import { buildActivationTable, clip, hardSigmoid, leakyRelu, type ActivationFn } from "../int8/activation-table.js";
import { packScaleShift } from "../int8/channel-params.js";
import { uploadParams } from "../int8/ops.js";
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
  scale(tensor: string): number;
  /** Packed INT8 weights (conv, fc) or the FP32 affine of a scale layer. */
  int8Params(): Int8Params;
  affineParams(): { weight: Float32Array; bias: Float32Array };
}

type Call = (n: number) => void;

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

export function int8LayerCall(env: Int8LayerEnv): Call {
  const { k, layout, layer, shapes, xs, y, relu } = env;
  const e = k.exports;
  const nchw4 = layout === "nchw4";
  const op = `plan: layer ${layer.name}`;
  const [C, H, W] = shapes.input;
  const [K, , Wo] = shapes.output;
  const x = xs[0]!;
  const sx = env.scale(layer.inputs[0]!), sy = env.scale(layer.output);
  const epilogue: ConvEpilogue = { xZero: 0, yZero: 0, lo: relu ? 0 : -128, hi: 127 };
  switch (layer.type) {
    case "convolution": {
      const g = geometry(layer);
      checkGeometry(op, H, W, g);
      checkEpilogue(op, epilogue);
      const dev = uploadParams(k, env.int8Params());
      const { lo, hi } = epilogue;
      switch (convKernel(layer, C)) {
        case "conv1x1": {
          const f = nchw4 ? e.conv1x1_nchw4_s8 : e.conv1x1_nc32hw32_s8;
          return (n) => f(x, n, C, H, W, dev.weights, dev.bias, dev.mult, K, 0, lo, hi, y);
        }
        case "dwconv": {
          const f = nchw4 ? e.dwconv_nchw4_s8 : e.dwconv_nc32hw32_s8;
          const scratch = k.arena.alloc(dwconvScratchBytes(layout, g, Wo));
          const M = K / C;
          return (n) => f(x, n, C, H, W, dev.weights, dev.bias, dev.mult, M, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, g.padBottom, g.padRight, 0, 0, lo, hi, y, scratch);
        }
        case "convg": {
          const f = nchw4 ? e.convg_nchw4_s8 : e.convg_nc32hw32_s8;
          const scratch = k.arena.alloc(convgScratchBytes(C, layer.group, g.kh, g.kw));
          const groups = layer.group;
          return (n) => f(x, n, C, H, W, dev.weights, dev.bias, dev.mult, K, groups, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, g.padBottom, g.padRight, 0, 0, lo, hi, y, scratch);
        }
        default:
          return fail("BAD_ARGUMENT", `${op}: not a conv1x1, dwconv or convg convolution`);
      }
    }
    case "pooling": {
      const { kernelShape: [kh, kw], strides: [sh, sw], pads, ceilMode, countIncludePad } = layer;
      checkPool2d(op, H, W, { kh, kw, sh, sw, pads, ceilMode });
      const ratio = scaleRatio(sx, sy);
      checkMultiplier(op, "sx/sy", ratio);
      const f = nchw4 ? e.pool2d_nchw4_s8 : e.pool2d_nc32hw32_s8;
      const method = layer.method === "max" ? 0 : 1;
      return (n) => f(x, n, C, H, W, kh, kw, sh, sw, pads[0], pads[1], pads[2], pads[3], ceilMode ? 1 : 0, method, countIncludePad ? 1 : 0, ratio, 0, 0, y);
    }
    case "global_pooling": {
      const ratio = scaleRatio(sx, sy);
      checkMultiplier(op, "sx/sy", ratio);
      if (layer.method === "average") {
        const f = nchw4 ? e.gap_nchw4_s8 : e.gap_nc32hw32_s8;
        return (n) => f(x, n, C, H, W, ratio, 0, 0, y);
      }
      checkPool2d(op, H, W, { kh: H, kw: W, sh: 1, sw: 1, pads: [0, 0, 0, 0], ceilMode: false });
      const f = nchw4 ? e.pool2d_nchw4_s8 : e.pool2d_nc32hw32_s8;
      return (n) => f(x, n, C, H, W, H, W, 1, 1, 0, 0, 0, 0, 0, 0, 0, ratio, 0, 0, y);
    }
    case "eltwise": {
      const b = xs[1]!;
      const sb = env.scale(layer.inputs[1]!);
      const [bc, bh, bw] = shapes.inputs[1]!;
      const G = lanesOf(layout);
      const lo = relu ? 0 : -128;
      const same = bc === C && bh === H && bw === W;
      const code = same ? BROADCAST_CODE.same : bc === C ? BROADCAST_CODE["image-channel"] : BROADCAST_CODE.scalar;
      let run: (a: number, bb: number, n: number, yy: number) => void;
      if (layer.op === "mul") {
        const m = mulMultiplier(sx, sb, sy);
        checkMultiplier(op, "sa*sb/sy", m);
        run = (a, bb, n, yy) => e.mul_s8(a, bb, n, C, H, W, G, code, m, 0, 0, 0, lo, 127, yy);
      } else {
        const ma = scaleRatio(sx, sy), mb = scaleRatio(sb, sy);
        checkMultiplier(op, "sa/sy", ma);
        checkMultiplier(op, "sb/sy", mb);
        const f = layer.op === "add" ? e.add_s8 : e.sub_s8;
        run = (a, bb, n, yy) => f(a, bb, n, C, H, W, G, code, ma, 0, mb, 0, 0, lo, 127, yy);
      }
      if (code !== BROADCAST_CODE.scalar) return (n) => run(x, b, n, y);
      // One value per image: the kernel's scalar broadcast, image by image.
      const format = nchw4 ? S8_NCHW4 : S8_NC32HW32;
      const image = imageBytes(format, shapes.input), bImage = imageBytes(format, shapes.inputs[1]!);
      return (n) => { for (let i = 0; i < n; i++) run(x + i * image, b + i * bImage, 1, y + i * image); };
    }
    case "concat": {
      const f = nchw4 ? e.concat_channels_nchw4_s8 : e.concat_channels_nc32hw32_s8;
      let at = 0;
      const parts = shapes.inputs.map(([ci], j) => {
        const m = scaleRatio(env.scale(layer.inputs[j]!), sy);
        checkMultiplier(op, `s${j}/sy`, m);
        if (xs[j] === y) fail("BAD_ARGUMENT", `${op}: input ${j} shares the output buffer`);
        const part = { x: xs[j]!, ci, at, m };
        at += ci;
        return part;
      });
      return (n) => { for (let j = 0; j < parts.length; j++) { const p = parts[j]!; f(p.x, n, p.ci, H, W, y, K, p.at, p.m, 0, 0); } };
    }
    case "activation": {
      const table = buildActivationTable(activationFn(layer), sx, 0, sy, 0);
      const t = k.arena.alloc(256);
      k.arena.i8(t, 256).set(table);
      const f = nchw4 ? e.lut_nchw4_s8 : e.lut_nc32hw32_s8;
      return (n) => f(x, n, C, H, W, t, y);
    }
    case "scale": {
      const { weight, bias } = env.affineParams();
      const packed = packScaleShift(weight, bias, layout, symmetricQuant(sx), symmetricQuant(sy));
      const mult = k.arena.allocF32(packed.mult.length), offset = k.arena.allocF32(packed.offset.length);
      k.arena.f32(mult, packed.mult.length).set(packed.mult);
      k.arena.f32(offset, packed.offset.length).set(packed.offset);
      const f = nchw4 ? e.scale_shift_nchw4_s8 : e.scale_shift_nc32hw32_s8;
      return (n) => f(x, n, C, H, W, mult, offset, 0, 0, relu ? 0 : -128, 127, y);
    }
    default:
      return fail("BAD_ARGUMENT", `${op}: no INT8 kernel in lower-int8 for ${layer.type}`);
  }
}
