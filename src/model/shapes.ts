// Shape inference over a graph: every tensor's per-image shape [C, H, W]
// (fully connected outputs are [O, 1, 1]) and every layer's weight shapes.
import type { Graph, Layer } from "./graph.js";
import { fail } from "../errors.js";
import { checkChain } from "./chain.js";

export type Chw = [number, number, number];

export interface LayerShapes {
  input: Chw;
  output: Chw;
  /** Expected weight tensors of this layer, by suffix: "weight", "bias". */
  params: Record<string, number[]>;
}

export interface GraphShapes {
  tensors: Map<string, Chw>;
  layers: Map<string, LayerShapes>;
}

export function inferShapes(graph: Graph, file = graph.name): GraphShapes {
  checkChain(graph, file);
  const tensors = new Map<string, Chw>([[graph.input.name, graph.input.shape]]);
  const layers = new Map<string, LayerShapes>();
  for (const layer of graph.layers) {
    const input = tensors.get(layer.input);
    if (!input) fail("MODEL_FORMAT", `${file}: layer ${layer.name}: input tensor "${layer.input}" is not produced by any earlier layer`);
    const { output, params } = layerShape(layer, input, file);
    tensors.set(layer.output, output);
    layers.set(layer.name, { input, output, params });
  }
  if (!tensors.has(graph.output)) fail("MODEL_FORMAT", `${file}: output tensor "${graph.output}" is not produced by any layer`);
  return { tensors, layers };
}

function layerShape(layer: Layer, [c, h, w]: Chw, file: string): { output: Chw; params: Record<string, number[]> } {
  switch (layer.type) {
    case "convolution": {
      const { kernel: k, stride: s, pad: p, numOutput: n } = layer;
      const ho = Math.floor((h + 2 * p - k) / s) + 1;
      const wo = Math.floor((w + 2 * p - k) / s) + 1;
      if (ho < 1 || wo < 1) fail("SHAPE_MISMATCH", `${file}: layer ${layer.name}: kernel ${k} does not fit input [${c}, ${h}, ${w}] with pad ${p}`);
      return { output: [n, ho, wo], params: { weight: [n, c, k, k], bias: [n] } };
    }
    case "pooling": {
      const { window: k, stride: s } = layer;
      if (k > h || k > w) fail("SHAPE_MISMATCH", `${file}: layer ${layer.name}: window ${k} does not fit input [${c}, ${h}, ${w}]`);
      return { output: [c, Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1], params: {} };
    }
    case "fully_connected":
      return { output: [layer.numOutput, 1, 1], params: { weight: [layer.numOutput, c * h * w], bias: [layer.numOutput] } };
    case "relu":
    case "softmax":
      return { output: [c, h, w], params: {} };
  }
}

export function volume(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
