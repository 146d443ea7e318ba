// The layer types of octet's graph: a DAG of named layers, each reading
// one or more named tensors and writing one. Attributes use ONNX's names and
// conventions (pads are [top, left, bottom, right], kernels [kh, kw]).
export type LayerType =
  | "convolution" | "pooling" | "global_pooling" | "fully_connected"
  | "relu" | "activation" | "eltwise" | "concat" | "scale" | "softmax" | "pad" | "resize" | "prelu";
export const LAYER_TYPES: readonly LayerType[] = [
  "convolution", "pooling", "global_pooling", "fully_connected", "relu", "activation", "eltwise", "concat", "scale", "softmax",
  "pad", "resize", "prelu",
];

export type Pair = [number, number];
/** [top, left, bottom, right]. */
export type Pads = [number, number, number, number];

interface LayerBase {
  name: string;
  inputs: string[];
  output: string;
}

export interface ConvolutionLayer extends LayerBase {
  type: "convolution";
  numOutput: number;
  kernelShape: Pair;
  strides: Pair;
  pads: Pads;
  dilations: Pair;
  group: number;
  /** Whether the layer has a bias tensor (`<name>.bias`); without one the bias is zero. */
  bias: boolean;
}

export interface PoolingLayer extends LayerBase {
  type: "pooling";
  method: "max" | "average";
  kernelShape: Pair;
  strides: Pair;
  pads: Pads;
  ceilMode: boolean;
  /** Average pooling: whether padded positions count in the divisor (ONNX count_include_pad). */
  countIncludePad: boolean;
}

/** GlobalAveragePool / GlobalMaxPool / ReduceMean over H and W: output [C, 1, 1]. */
export interface GlobalPoolingLayer extends LayerBase {
  type: "global_pooling";
  method: "max" | "average";
}

/** Flattens its input in nchw order (Caffe's InnerProduct, ONNX Flatten + Gemm). */
export interface FullyConnectedLayer extends LayerBase {
  type: "fully_connected";
  numOutput: number;
  bias: boolean;
}

export interface ReluLayer extends LayerBase {
  type: "relu";
}

export type ActivationFunction = "clip" | "leaky_relu" | "sigmoid" | "tanh" | "hard_sigmoid" | "hard_swish";
export const ACTIVATION_FUNCTIONS: readonly ActivationFunction[] = ["clip", "leaky_relu", "sigmoid", "tanh", "hard_sigmoid", "hard_swish"];

/** Elementwise activations other than ReLU; `alpha`/`beta` as ONNX defines them per function, `min`/`max` for clip. */
export interface ActivationLayer extends LayerBase {
  type: "activation";
  fn: ActivationFunction;
  alpha: number;
  beta: number;
  min: number;
  max: number;
}

/**
 * Add, Sub, Mul of two tensors of one shape, or with the second broadcast by
 * ONNX's rules from [C, 1, 1] (per channel, squeeze-excite's scale) or [1, 1, 1].
 */
export interface EltwiseLayer extends LayerBase {
  type: "eltwise";
  op: "add" | "sub" | "mul";
}

/** Concatenation on the channel axis. */
export interface ConcatLayer extends LayerBase {
  type: "concat";
}

/** A per-channel affine y = x * scale_c + shift_c (a BatchNormalization nothing absorbed). */
export interface ScaleLayer extends LayerBase {
  type: "scale";
}

/** Softmax over all C*H*W values of an image (LeNet's prob; ONNX's Softmax on [N, classes]). */
export interface SoftmaxLayer extends LayerBase {
  type: "softmax";
}

/**
 * ONNX Pad in constant mode on H and W: `pads` [top, left, bottom, right]
 * (each >= 0) filled with `value`; output [C, H + top + bottom, W + left + right].
 */
export interface PadLayer extends LayerBase {
  type: "pad";
  pads: Pads;
  value: number;
}

/**
 * Nearest Resize by integer factors [fh, fw] >= 1: y[oy][ox] = x[floor(oy / fh)][floor(ox / fw)],
 * output [C, H * fh, W * fw] (ONNX Resize / Upsample in the modes that give this mapping).
 */
export interface ResizeLayer extends LayerBase {
  type: "resize";
  factors: Pair;
}

/** ONNX PRelu with one slope per channel (`<name>.slope` [C]): y = x < 0 ? slope[c] * x : x. */
export interface PreluLayer extends LayerBase {
  type: "prelu";
}

export type Layer =
  | ConvolutionLayer | PoolingLayer | GlobalPoolingLayer | FullyConnectedLayer | ReluLayer
  | ActivationLayer | EltwiseLayer | ConcatLayer | ScaleLayer | SoftmaxLayer | PadLayer | ResizeLayer | PreluLayer;

/** Layers that may write their own input tensor (Caffe's in-place relu1 on ip1, or PReLU). */
export function mayRunInPlace(layer: Layer): boolean {
  return layer.type === "relu" || layer.type === "activation" || layer.type === "scale" || layer.type === "prelu";
}

/** The layer's first input (every layer has at least one). */
export function firstInput(layer: Layer): string {
  return layer.inputs[0]!;
}

export function hasWeights(layer: Layer): layer is ConvolutionLayer | FullyConnectedLayer | ScaleLayer | PreluLayer {
  return layer.type === "convolution" || layer.type === "fully_connected" || layer.type === "scale" || layer.type === "prelu";
}

/** A convolution LeNet's kernels run directly: square kernel and stride, equal pads, no groups or dilation. */
export function isPlainConvolution(l: ConvolutionLayer): boolean {
  const [t, left, b, r] = l.pads;
  return l.kernelShape[0] === l.kernelShape[1] && l.strides[0] === l.strides[1] && t === left && t === b && t === r &&
    l.group === 1 && l.dilations[0] === 1 && l.dilations[1] === 1;
}

/** A pooling LeNet's kernels run directly: square window and stride, no padding, floor sizes. */
export function isPlainPooling(l: PoolingLayer): boolean {
  return l.kernelShape[0] === l.kernelShape[1] && l.strides[0] === l.strides[1] && l.pads.every((p) => p === 0) && !l.ceilMode;
}
