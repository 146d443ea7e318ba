// Oracles for whole networks that share no code with the engine's lowering,
// packing or wasm kernels: a model run layer by layer with the plain-loop
// scalar references (src/reference/), in INT8 from the model's FP32 weights
// re-quantized with the numerics definitions (src/int8/numerics.ts) at a
// plan's activation scales, or in FP32. Tensors are nchw, keyed by tensor
// name; an in-place ReLU's entry holds the value after the ReLU.
import type { Model } from "../../src/model/model.js";
import { paramName } from "../../src/model/model.js";
import type { Layer } from "../../src/model/graph.js";
import { quantizeBias, quantizeWeights, requantMultipliers } from "../../src/int8/numerics.js";
import { convgS8Ref } from "../../src/reference/convg-s8.js";
import { avgPoolS8Ref, maxPoolS8Ref } from "../../src/reference/pool-s8.js";
import { isPlainPooling } from "../../src/model/graph.js";
import { pool2dS8Ref, gapS8Ref } from "../../src/reference/pool2d-s8.js";
import { eltwiseS8Ref } from "../../src/reference/eltwise-s8.js";
import { concatIntoS8Ref } from "../../src/reference/concat-s8.js";
import { lutS8Ref, preluS8Ref, scaleShiftS8Ref } from "../../src/reference/activation-s8.js";
import { padConstantRef, resizeNearestRef } from "../../src/reference/pad-resize-s8.js";
import { buildActivationTable } from "../../src/int8/activation-table.js";
import { dequantizeZp, quantize, quantizeZp } from "../../src/int8/numerics.js";
import { softmaxS8Ref } from "../../src/reference/softmax-s8.js";
import { softmaxTable, SOFTMAX_INT8_ZERO } from "../../src/int8/softmax-table.js";
import { fcS8Ref } from "../../src/reference/fc-s8.js";
import { dequantizeRef } from "../../src/reference/reformat-s8.js";
import { convRef, fcRef, poolRef, softmaxRef } from "../../src/reference/fp32-reference.js";

export interface Int8Reference {
  /** Every INT8 tensor (the network input quantized, each layer output). */
  int8: Map<string, Int8Array>;
  /** The softmax output (FP32 on the dequantized logits; or the INT8 softmax's, dequantized), for networks that end in one. */
  prob: Float32Array;
}

function weightsOf(model: Model, layer: Layer): { w: Float32Array; b: Float32Array } {
  const w = model.weights.get(paramName(layer.name, "weight"))!.data;
  const K = (layer as { numOutput: number }).numOutput;
  return { w, b: model.weights.get(paramName(layer.name, "bias"))?.data ?? new Float32Array(K) };
}

/** The INT8 network on `N` FP32 images, at `scales` (a plan's effective scales). */
export function int8Reference(
  model: Model, scales: Readonly<Record<string, number>>, input: Float32Array, N: number, zeroPoints: Readonly<Record<string, number>> = {},
): Int8Reference {
  const int8 = new Map<string, Int8Array>();
  const inputName = model.graph.input.name;
  const z = (t: string) => zeroPoints[t] ?? 0;
  int8.set(inputName, Int8Array.from(input, (v) => quantizeZp(v, scales[inputName]!, z(inputName))));
  let prob: Float32Array | null = null;
  model.graph.layers.forEach((layer) => {
    const x = int8.get(layer.inputs[0]!)!;
    const shapes = model.shapes.layers.get(layer.name)!;
    const [C, H, W] = shapes.input;
    const sIn = scales[layer.inputs[0]!]!;
    const q = (t: string) => ({ scale: scales[t]!, zeroPoint: z(t) });
    const zx = z(layer.inputs[0]!), zy = z(layer.output);
    switch (layer.type) {
      case "convolution":
      case "fully_connected": {
        const { w, b } = weightsOf(model, layer);
        const K = layer.numOutput;
        // The model's own int8 weights (QDQ) as they are, else per-channel max/127.
        const given = model.quantization?.weights.get(layer.name);
        const qw = given ?? quantizeWeights(w, K);
        const bias = given?.bias ? given.bias.slice() : quantizeBias(b, sIn, qw.scales);
        // sum w (x - zx) = sum w x - zx sum w: padding taps read zx, so the fold is exact.
        const per = qw.q.length / K;
        for (let k = 0; k < K; k++) {
          let sum = 0;
          for (let i = 0; i < per; i++) sum += qw.q[k * per + i]!;
          bias[k] = bias[k]! - zx * sum;
        }
        const params = { w: qw.q, bias, mult: requantMultipliers(sIn, qw.scales, scales[layer.output]!) };
        if (layer.type === "fully_connected") {
          int8.set(layer.output, fcS8Ref(x, N, C * H * W, params.w, params.bias, params.mult, K, false, zy));
          break;
        }
        const { kernelShape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [padTop, padLeft, padBottom, padRight] } = layer;
        int8.set(layer.output, convgS8Ref({
          x, N, C, H, W, ...params, K, groups: layer.group,
          geometry: { kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight }, epilogue: { xZero: zx, yZero: zy, lo: -128, hi: 127 },
        }).y);
        break;
      }
      case "pooling": {
        if (isPlainPooling(layer) && (layer.method === "max" || zx === 0)) {
          // LeNet's pooling numerics (docs/int8-numerics.md "Pooling").
          const args = { x, N, C, H, W, window: layer.kernelShape[0], stride: layer.strides[0] };
          int8.set(layer.output, (layer.method === "max" ? maxPoolS8Ref(args) : avgPoolS8Ref(args)).y);
          break;
        }
        const { kernelShape: [kh, kw], strides: [sh, sw], pads, ceilMode, countIncludePad } = layer;
        const geometry = { kh, kw, sh, sw, pads, ceilMode };
        int8.set(layer.output, pool2dS8Ref({ x, N, C, H, W, geometry, method: layer.method, countIncludePad, qx: q(layer.inputs[0]!), qy: q(layer.output) }).y);
        break;
      }
      case "global_pooling":
        int8.set(layer.output, layer.method === "average"
          ? gapS8Ref(x, N, C, H, W, q(layer.inputs[0]!), q(layer.output))
          : pool2dS8Ref({ x, N, C, H, W, geometry: { kh: H, kw: W, sh: 1, sw: 1, pads: [0, 0, 0, 0], ceilMode: false }, method: "max", countIncludePad: false, qx: q(layer.inputs[0]!), qy: q(layer.output) }).y);
        break;
      case "relu":
        int8.set(layer.output, Int8Array.from(x, (v) => Math.max(v, zy)));
        break;
      case "activation":
        int8.set(layer.output, lutS8Ref(x, activationTable(layer, sIn, scales[layer.output]!, zx, zy)));
        break;
      case "eltwise": {
        const [bc, bh, bw] = shapes.inputs[1]!;
        const broadcast = bc === C && bh === H && bw === W ? "same" : bc === C ? "image-channel" : "scalar";
        if (broadcast === "scalar") throw new Error("the INT8 reference has no per-image scalar broadcast");
        int8.set(layer.output, eltwiseS8Ref({
          op: layer.op, a: x, b: int8.get(layer.inputs[1]!)!, N, C, H, W, broadcast, qa: q(layer.inputs[0]!), qb: q(layer.inputs[1]!), qy: q(layer.output),
        }));
        break;
      }
      case "concat": {
        const total = shapes.output[0];
        const y = new Int8Array(N * total * H * W);
        let at = 0;
        layer.inputs.forEach((t, j) => {
          const ci = shapes.inputs[j]![0];
          concatIntoS8Ref(y, total, int8.get(t)!, N, ci, H, W, at, q(t), q(layer.output));
          at += ci;
        });
        int8.set(layer.output, y);
        break;
      }
      case "scale": {
        const a = model.weights.get(paramName(layer.name, "scale"))!.data, b = model.weights.get(paramName(layer.name, "shift"))!.data;
        int8.set(layer.output, scaleShiftS8Ref(x, N, C, H, W, a, b, q(layer.inputs[0]!), q(layer.output)));
        break;
      }
      case "pad": {
        // The constant on the input's grid (the output keeps that scale); exact, or the layer would not run in INT8.
        const q = quantize(layer.value, sIn) + zx;
        if (Math.fround((q - zx) * sIn) !== Math.fround(layer.value)) throw new Error(`pad ${layer.name}: value ${layer.value} is not exact at scale ${sIn}`);
        int8.set(layer.output, padConstantRef(x, N, C, H, W, layer.pads, q));
        break;
      }
      case "resize":
        int8.set(layer.output, resizeNearestRef(x, N, C, H, W, layer.factors[0], layer.factors[1]));
        break;
      case "prelu":
        int8.set(layer.output, preluS8Ref(x, N, C, H, W, model.weights.get(paramName(layer.name, "slope"))!.data, q(layer.inputs[0]!), q(layer.output)));
        break;
      case "softmax":
        if (scales[layer.output] === undefined) {
          prob = softmaxRef(dequantizeRef(x, sIn), N, C * H * W);
          break;
        }
        // The INT8 softmax (--layer-precision): uint8 at 1/256, zero point -128 stored.
        int8.set(layer.output, softmaxS8Ref(x, N, C * H * W, softmaxTable(sIn)));
        prob = Float32Array.from(int8.get(layer.output)!, (v) => dequantizeZp(v, scales[layer.output]!, SOFTMAX_INT8_ZERO));
        break;
    }
  });
  return { int8, prob: prob ?? new Float32Array(0) };
}

/** The 256-entry table of an activation, from its FP32 definition (ONNX's formulas, written out here). */
function activationTable(layer: Extract<Layer, { type: "activation" }>, sIn: number, sOut: number, zIn = 0, zOut = 0): Int8Array {
  const fn = ((): (x: number) => number => {
    switch (layer.fn) {
      case "clip": return (v) => Math.min(Math.max(v, layer.min), layer.max);
      case "leaky_relu": return (v) => (v >= 0 ? v : layer.alpha * v);
      case "sigmoid": return (v) => 1 / (1 + Math.exp(-v));
      case "tanh": return (v) => Math.tanh(v);
      case "hard_sigmoid": return (v) => Math.max(0, Math.min(1, layer.alpha * v + layer.beta));
      case "hard_swish": return (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5));
    }
  })();
  return buildActivationTable(fn, sIn, zIn, sOut, zOut);
}

/** The FP32 network on `N` images (sums in f64). */
export function fp32Reference(model: Model, input: Float32Array, N: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>([[model.graph.input.name, input]]);
  for (const layer of model.graph.layers) {
    const x = out.get(layer.inputs[0]!)!;
    const [C, H, W] = model.shapes.layers.get(layer.name)!.input;
    switch (layer.type) {
      case "convolution": {
        const { w, b } = weightsOf(model, layer);
        out.set(layer.output, convRef(x, N, C, H, W, w, b, layer.numOutput, layer.kernelShape[0], layer.strides[0], layer.pads[0]));
        break;
      }
      case "fully_connected": {
        const { w, b } = weightsOf(model, layer);
        out.set(layer.output, fcRef(x, N, C * H * W, w, b, layer.numOutput));
        break;
      }
      case "pooling":
        out.set(layer.output, poolRef(x, N, C, H, W, layer.kernelShape[0], layer.strides[0], layer.method));
        break;
      case "relu":
        out.set(layer.output, Float32Array.from(x, (v) => Math.max(v, 0)));
        break;
      case "softmax":
        out.set(layer.output, softmaxRef(x, N, C * H * W));
        break;
      case "pad":
        out.set(layer.output, padConstantRef(x, N, C, H, W, layer.pads, Math.fround(layer.value)));
        break;
      case "resize":
        out.set(layer.output, resizeNearestRef(x, N, C, H, W, layer.factors[0], layer.factors[1]));
        break;
      case "prelu": {
        const slope = model.weights.get(paramName(layer.name, "slope"))!.data;
        out.set(layer.output, Float32Array.from(x, (v, i) => (v < 0 ? v * slope[Math.floor(i / (H * W)) % C]! : v)));
        break;
      }
      default:
        throw new Error(`the FP32 reference network has no ${layer.type} layer yet`);
    }
  }
  return out;
}
