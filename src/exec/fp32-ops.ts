// One FP32 layer as a prepared call on one kernel instance: the FP32 path of
// the engine's GPU device and the FP32 reference network (calibration) both
// run their layers through here, so there is one FP32 meaning of each op.
import type { Kernels } from "../runtime/kernels.js";
import type { Layer } from "../model/graph.js";
import { isPlainConvolution, isPlainPooling } from "../model/graph.js";
import { volume, type LayerShapes } from "../model/shapes.js";
import { fail } from "../errors.js";

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
  const upload = (a: Float32Array) => {
    const p = k.arena.allocF32(a.length);
    k.arena.f32(p, a.length).set(a);
    return p;
  };
  const needWeights = (): Fp32Weights => weights ?? fail("BAD_ARGUMENT", `plan: layer ${layer.name} has no FP32 weights`);
  const r = relu ? 1 : 0;
  switch (layer.type) {
    case "convolution": {
      if (!isPlainConvolution(layer)) break;
      const p = needWeights();
      const w = upload(p.weight), b = upload(p.bias);
      const { numOutput: K, kernelShape: [kernel], strides: [stride], pads: [pad] } = layer;
      const scratch = k.arena.allocF32(C * kernel * kernel * output[1] * output[2]);
      return (n) => e.conv_nchw_f32(x, n, C, H, W, w, b, K, kernel, kernel, stride, pad, y, r, scratch);
    }
    case "pooling": {
      if (!isPlainPooling(layer)) break;
      const { kernelShape: [window], strides: [stride] } = layer;
      if (layer.method === "max") return (n) => e.maxpool_nchw_f32(x, n, C, H, W, window, stride, y, 0);
      return (n) => e.avgpool_nchw_f32(x, n, C, H, W, window, stride, y);
    }
    case "fully_connected": {
      const p = needWeights();
      const w = upload(p.weight), b = upload(p.bias);
      const I = C * H * W, O = layer.numOutput;
      return (n) => e.fc_f32(x, n, I, w, b, O, y, r);
    }
    case "relu": {
      const count = volume(output);
      if (x === y) return (n) => e.relu_f32(y, n * count);
      const mem = k.exports.memory;
      let view: Float32Array | null = null;
      return (n) => {
        if (view === null || view.buffer !== mem.buffer) view = new Float32Array(mem.buffer);
        view.copyWithin(y >> 2, x >> 2, (x >> 2) + n * count);
        e.relu_f32(y, n * count);
      };
    }
    case "softmax": {
      const classes = C * H * W;
      return (n) => e.softmax_f32(x, n, classes, y);
    }
  }
  return fail("BAD_ARGUMENT", `layer ${layer.name}: octet has no FP32 kernel yet for this ${layer.type} layer`);
}
