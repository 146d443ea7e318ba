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
import { convS8Ref } from "../../src/reference/conv-s8.js";
import { fcS8Ref } from "../../src/reference/fc-s8.js";
import { avgPoolS8Ref, maxPoolS8Ref } from "../../src/reference/pool-s8.js";
import { dequantizeRef, quantizeRef } from "../../src/reference/reformat-s8.js";
import { convRef, fcRef, poolRef, softmaxRef } from "../../src/reference/fp32-reference.js";

export interface Int8Reference {
  /** Every INT8 tensor (the network input quantized, each layer output). */
  int8: Map<string, Int8Array>;
  /** The softmax output (FP32, on the dequantized logits). */
  prob: Float32Array;
}

function weightsOf(model: Model, layer: Layer): { w: Float32Array; b: Float32Array } {
  return { w: model.weights.get(paramName(layer.name, "weight"))!.data, b: model.weights.get(paramName(layer.name, "bias"))!.data };
}

/** The INT8 network on `N` FP32 images, at `scales` (a plan's effective scales). */
export function int8Reference(model: Model, scales: Readonly<Record<string, number>>, input: Float32Array, N: number): Int8Reference {
  const int8 = new Map<string, Int8Array>();
  const inputName = model.graph.input.name;
  int8.set(inputName, quantizeRef(input, scales[inputName]!));
  let prob: Float32Array | null = null;
  for (const layer of model.graph.layers) {
    const x = int8.get(layer.inputs[0]!)!;
    const [C, H, W] = model.shapes.layers.get(layer.name)!.input;
    const sIn = scales[layer.inputs[0]!]!;
    switch (layer.type) {
      case "convolution":
      case "fully_connected": {
        const { w, b } = weightsOf(model, layer);
        const K = layer.numOutput;
        const q = quantizeWeights(w, K);
        const params = { w: q.q, bias: quantizeBias(b, sIn, q.scales), mult: requantMultipliers(sIn, q.scales, scales[layer.output]!) };
        int8.set(layer.output, layer.type === "convolution"
          ? convS8Ref({ x, N, C, H, W, ...params, K, kernel: layer.kernelShape[0], stride: layer.strides[0], pad: layer.pads[0], relu: false }).y
          : fcS8Ref(x, N, C * H * W, params.w, params.bias, params.mult, K, false));
        break;
      }
      case "pooling": {
        const args = { x, N, C, H, W, window: layer.kernelShape[0], stride: layer.strides[0] };
        int8.set(layer.output, (layer.method === "max" ? maxPoolS8Ref(args) : avgPoolS8Ref(args)).y);
        break;
      }
      case "relu":
        int8.set(layer.output, Int8Array.from(x, (v) => Math.max(v, 0)));
        break;
      case "softmax":
        prob = softmaxRef(dequantizeRef(x, sIn), N, C * H * W);
        break;
      default:
        throw new Error(`the INT8 reference network has no ${layer.type} layer yet`);
    }
  }
  if (!prob) throw new Error(`${model.graph.name}: the INT8 reference expects a network ending in softmax`);
  return { int8, prob };
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
      default:
        throw new Error(`the FP32 reference network has no ${layer.type} layer yet`);
    }
  }
  return out;
}
