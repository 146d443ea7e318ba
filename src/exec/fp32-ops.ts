// One FP32 layer as a prepared call on one kernel instance: the FP32 path of
// the engine's GPU device and the FP32 reference network (calibration) both
// run their layers through here, so there is one FP32 meaning of each op.
import type { Kernels } from "../runtime/kernels.js";
import type { Layer } from "../model/graph.js";
import { isPlainConvolution, isPlainPooling } from "../model/graph.js";
import { volume, type LayerShapes } from "../model/shapes.js";
import { fail } from "../errors.js";
import { uploadOnce } from "../runtime/weight-cache.js";
import { BROADCAST_CODE } from "../int8/broadcast.js";

export interface Fp32Weights {
  weight: Float32Array;
  bias: Float32Array;
}

/** Runs the layer on n images: reads `xs` (one pointer per input), writes `y`. */
export type Fp32Call = (n: number) => void;

export function fp32Layer(k: Kernels, layer: Layer, shapes: LayerShapes, xs: number[], y: number, relu: boolean, weights: Fp32Weights | null): Fp32Call {
  const e = k.exports;
  const [C, H, W] = shapes.input;
  const { output } = shapes;
  const x = xs[0]!;
  const upload = (a: Float32Array) => uploadOnce(k, a, () => {
    const p = k.arena.allocF32(a.length);
    k.arena.f32(p, a.length).set(a);
    return p;
  });
  const needWeights = (): Fp32Weights => weights ?? fail("BAD_ARGUMENT", `plan: layer ${layer.name} has no FP32 weights`);
  const r = relu ? 1 : 0;
  const count = volume(output);
  const what = `${layer.name} (${layer.type})`;
  switch (layer.type) {
    case "convolution": {
      const p = needWeights();
      const w = upload(p.weight), b = upload(p.bias);
      const { numOutput: K, kernelShape: [kh, kw], strides: [sh, sw], pads: [pt, pl, pb, pr], dilations: [dh, dw], group } = layer;
      if (isPlainConvolution(layer)) {
        const scratch = k.arena.allocF32(C * kh * kw * output[1] * output[2]);
        return (n) => e.conv_nchw_f32(x, n, C, H, W, w, b, K, kh, kh, sh, pt, y, r, scratch);
      }
      const scratch = k.arena.allocF32((C / group) * kh * kw * output[1] * output[2]);
      const lo = relu ? 0 : -Infinity;
      return (n) => e.convg_nchw_f32(x, n, C, H, W, w, b, K, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, lo, Infinity, y, scratch);
    }
    case "pooling": {
      const { kernelShape: [kh, kw], strides: [sh, sw], pads: [pt, pl, pb, pr], ceilMode, countIncludePad } = layer;
      if (isPlainPooling(layer)) {
        if (layer.method === "max") return (n) => e.maxpool_nchw_f32(x, n, C, H, W, kh, sh, y, 0);
        return (n) => e.avgpool_nchw_f32(x, n, C, H, W, kh, sh, y);
      }
      const method = layer.method === "max" ? 0 : 1;
      return (n) => e.pool2d_nchw_f32(x, n, C, H, W, kh, kw, sh, sw, pt, pl, pb, pr, ceilMode ? 1 : 0, method, countIncludePad ? 1 : 0, y);
    }
    case "global_pooling":
      if (layer.method === "average") return (n) => e.gap_nchw_f32(x, n, C, H, W, y);
      return (n) => e.pool2d_nchw_f32(x, n, C, H, W, H, W, 1, 1, 0, 0, 0, 0, 0, 0, 0, y);
    case "fully_connected": {
      const p = needWeights();
      const w = upload(p.weight), b = upload(p.bias);
      const I = C * H * W, O = layer.numOutput;
      return (n) => e.fc_f32(x, n, I, w, b, O, y, r);
    }
    case "relu": {
      if (x === y) return (n) => e.relu_f32(y, n * count);
      const mem = k.exports.memory;
      let view: Float32Array | null = null;
      return (n) => {
        if (view === null || view.buffer !== mem.buffer) view = new Float32Array(mem.buffer);
        view.copyWithin(y >> 2, x >> 2, (x >> 2) + n * count);
        e.relu_f32(y, n * count);
      };
    }
    case "activation":
      switch (layer.fn) {
        case "clip": return (n) => e.clip_f32(x, y, n * count, layer.min, layer.max);
        case "leaky_relu": return (n) => e.leakyrelu_f32(x, y, n * count, layer.alpha);
        case "sigmoid": return (n) => e.sigmoid_f32(x, y, n * count);
        case "tanh": return (n) => e.tanh_f32(x, y, n * count);
        case "hard_sigmoid": return (n) => e.hardsigmoid_f32(x, y, n * count, layer.alpha, layer.beta);
        case "hard_swish": return (n) => e.hardswish_f32(x, y, n * count);
      }
      break;
    case "eltwise": {
      const f = { add: e.add_nchw_f32, sub: e.sub_nchw_f32, mul: e.mul_nchw_f32 }[layer.op];
      const b = xs[1]!;
      const [bc, bh, bw] = shapes.inputs[1]!;
      if (bc === C && bh === H && bw === W) return (n) => f(x, b, n, C, H, W, BROADCAST_CODE.same, y);
      if (bc === C) return (n) => f(x, b, n, C, H, W, BROADCAST_CODE["image-channel"], y);
      // One value per image: the kernel's scalar broadcast, image by image.
      const image = count * 4;
      return (n) => { for (let i = 0; i < n; i++) f(x + i * image, b + i * 4, 1, C, H, W, BROADCAST_CODE.scalar, y + i * image); };
    }
    case "concat": {
      const total = output[0];
      const parts = shapes.inputs.map(([ci], j) => {
        const at = shapes.inputs.slice(0, j).reduce((a, s) => a + s[0], 0);
        return { x: xs[j]!, ci, at };
      });
      return (n) => { for (const p of parts) e.concat_channels_nchw_f32(p.x, n, p.ci, H, W, y, total, p.at); };
    }
    case "scale": {
      const p = needWeights();
      const a = upload(p.weight), b = upload(p.bias);
      return (n) => e.scale_shift_nchw_f32(x, n, C, H, W, a, b, y);
    }
    case "softmax": {
      const classes = C * H * W;
      return (n) => e.softmax_f32(x, n, classes, y);
    }
    case "pad": {
      if (x === y) fail("BAD_ARGUMENT", `layer ${what}: the output shares the input's buffer`);
      const [t, l, b, r] = layer.pads, value = Math.fround(layer.value);
      return (n) => e.pad_constant_nchw_f32(x, n, C, H, W, t, l, b, r, value, y);
    }
    case "resize": {
      if (x === y) fail("BAD_ARGUMENT", `layer ${what}: the output shares the input's buffer`);
      const [fh, fw] = layer.factors;
      return (n) => e.resize_nearest_nchw_f32(x, n, C, H, W, fh, fw, y);
    }
    case "prelu": {
      const slopes = needWeights().weight;
      if (slopes.length !== C) fail("BAD_ARGUMENT", `layer ${what}: ${slopes.length} slopes for ${C} channels`);
      const slope = upload(slopes);
      return (n) => e.prelu_nchw_f32(x, n, C, H, W, slope, y);
    }
  }
  return fail("BAD_ARGUMENT", `layer ${what}: octet has no FP32 kernel for it`);
}
