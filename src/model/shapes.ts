// Shape inference over a graph: every tensor's per-image shape [C, H, W]
// (fully connected and global pooling outputs are [C, 1, 1]) and every
// layer's weight shapes, after the DAG checks (dag.ts).
import type { Graph, Layer, Pads } from "./graph.js";
import { fail } from "../errors.js";
import { checkDag, type DagLinks } from "./dag.js";

export type Chw = [number, number, number];

export interface LayerShapes {
  /** Shape of the first input. */
  input: Chw;
  inputs: Chw[];
  output: Chw;
  /** Expected weight tensors of this layer, by suffix: "weight", "bias", "scale", "shift", "slope". */
  params: Record<string, number[]>;
}

export interface GraphShapes {
  tensors: Map<string, Chw>;
  layers: Map<string, LayerShapes>;
  links: DagLinks;
}

/** Most values one image of any tensor may hold (a bound on what a hostile graph can make octet allocate). */
export const MAX_TENSOR_VOLUME = 1 << 26;

export function inferShapes(graph: Graph, file = graph.name): GraphShapes {
  const links = checkDag(graph, file);
  const tensors = new Map<string, Chw>([[graph.input.name, graph.input.shape]]);
  const layers = new Map<string, LayerShapes>();
  for (const layer of graph.layers) {
    const inputs = layer.inputs.map((t) => tensors.get(t)!);
    const { output, params } = layerShape(layer, inputs, `${file}: layer ${layer.name}`);
    if (volume(output) > MAX_TENSOR_VOLUME) fail("SHAPE_MISMATCH", `${file}: layer ${layer.name}: output [${output.join(", ")}] has more than ${MAX_TENSOR_VOLUME} values per image`);
    tensors.set(layer.output, output);
    layers.set(layer.name, { input: inputs[0]!, inputs, output, params });
  }
  return { tensors, layers, links };
}

/** Output size of a convolution or pooling window along one axis (ONNX's rules, ceil_mode included). */
export function windowOutputSize(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1, ceilMode = false): number {
  const span = dilation * (kernel - 1) + 1;
  const room = size + padBefore + padAfter - span;
  if (room < 0) return 0;
  if (!ceilMode) return Math.floor(room / stride) + 1;
  let out = Math.ceil(room / stride) + 1;
  // The last window must start inside the input or its leading padding.
  if ((out - 1) * stride >= size + padBefore) out--;
  return out;
}

function shapeText(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

function spatial(at: string, [c, h, w]: Chw, kernel: [number, number], strides: [number, number], pads: Pads, dilations: [number, number], ceilMode: boolean): [number, number] {
  const [t, l, b, r] = pads;
  const ho = windowOutputSize(h, kernel[0], strides[0], t, b, dilations[0], ceilMode);
  const wo = windowOutputSize(w, kernel[1], strides[1], l, r, dilations[1], ceilMode);
  if (ho < 1 || wo < 1) fail("SHAPE_MISMATCH", `${at}: window ${kernel.join("x")} (dilation ${dilations.join("x")}) does not fit input ${shapeText([c, h, w])} with pads ${shapeText(pads)}`);
  return [ho, wo];
}

function layerShape(layer: Layer, inputs: Chw[], at: string): { output: Chw; params: Record<string, number[]> } {
  const [c, h, w] = inputs[0]!;
  switch (layer.type) {
    case "convolution": {
      const { numOutput: k, group: g, kernelShape: [kh, kw] } = layer;
      if (c % g !== 0 || k % g !== 0) fail("SHAPE_MISMATCH", `${at}: group ${g} must divide the input channels ${c} and the output channels ${k}`);
      const [ho, wo] = spatial(at, inputs[0]!, layer.kernelShape, layer.strides, layer.pads, layer.dilations, false);
      const params: Record<string, number[]> = { weight: [k, c / g, kh, kw] };
      if (layer.bias) params.bias = [k];
      return { output: [k, ho, wo], params };
    }
    case "pooling": {
      const [t, l, b, r] = layer.pads, [kh, kw] = layer.kernelShape;
      if (t >= kh || b >= kh || l >= kw || r >= kw) fail("SHAPE_MISMATCH", `${at}: pads ${shapeText(layer.pads)} must each be below the window ${kh}x${kw} (a window inside the padding has no input)`);
      const [ho, wo] = spatial(at, inputs[0]!, layer.kernelShape, layer.strides, layer.pads, [1, 1], layer.ceilMode);
      return { output: [c, ho, wo], params: {} };
    }
    case "global_pooling":
      return { output: [c, 1, 1], params: {} };
    case "fully_connected": {
      const params: Record<string, number[]> = { weight: [layer.numOutput, c * h * w] };
      if (layer.bias) params.bias = [layer.numOutput];
      return { output: [layer.numOutput, 1, 1], params };
    }
    case "scale":
      return { output: [c, h, w], params: { scale: [c], shift: [c] } };
    case "eltwise": {
      const b = inputs[1]!;
      const same = b[0] === c && b[1] === h && b[2] === w;
      const perChannel = b[0] === c && b[1] === 1 && b[2] === 1;
      const scalar = b[0] === 1 && b[1] === 1 && b[2] === 1;
      if (!same && !perChannel && !scalar) {
        fail("SHAPE_MISMATCH", `${at}: ${layer.op} of ${shapeText(inputs[0]!)} and ${shapeText(b)}: the second input must have the first's shape, [${c}, 1, 1] or [1, 1, 1]`);
      }
      return { output: [c, h, w], params: {} };
    }
    case "concat": {
      let channels = 0;
      inputs.forEach((s, i) => {
        if (s[1] !== h || s[2] !== w) fail("SHAPE_MISMATCH", `${at}: concat on channels needs equal H and W: input ${i} is ${shapeText(s)}, input 0 is ${shapeText(inputs[0]!)}`);
        channels += s[0];
      });
      return { output: [channels, h, w], params: {} };
    }
    case "pad": {
      const [t, l, b, r] = layer.pads;
      return { output: [c, h + t + b, w + l + r], params: {} };
    }
    case "resize":
      return { output: [c, h * layer.factors[0], w * layer.factors[1]], params: {} };
    case "prelu":
      return { output: [c, h, w], params: { slope: [c] } };
    case "relu":
    case "activation":
    case "softmax":
      return { output: [c, h, w], params: {} };
  }
}

export function volume(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
