// octet runs chains: each layer reads the previous layer's output, every
// tensor is produced once (an in-place ReLU rewrites its input, as Caffe's
// relu1 on ip1), the network output is the last layer's, and a softmax can
// only come last. Every pass after loading relies on this; it is checked here.
import type { Graph, Layer } from "./graph.js";
import { fail } from "../errors.js";

export function checkChain(graph: Graph, file: string): void {
  const produced = new Set<string>([graph.input.name]);
  let previous = graph.input.name;
  graph.layers.forEach((layer, i) => {
    const at = `${file}: layer ${layer.name}`;
    if (layer.input !== previous) {
      fail("MODEL_FORMAT", `${at}: reads "${layer.input}", but octet runs chains: it must read "${previous}", the ${i === 0 ? "network input" : `output of ${graph.layers[i - 1]!.name}`}`);
    }
    const inPlace = layer.type === "relu" && layer.output === layer.input;
    if (!inPlace && produced.has(layer.output)) fail("MODEL_FORMAT", `${at}: writes "${layer.output}", which is already produced earlier (only an in-place ReLU may rewrite a tensor)`);
    if (layer.type === "softmax" && i !== graph.layers.length - 1) fail("MODEL_FORMAT", `${at}: a softmax must be the last layer`);
    produced.add(layer.output);
    previous = layer.output;
  });
  if (graph.output !== previous) fail("MODEL_FORMAT", `${file}: output "${graph.output}" must be the last layer's output "${previous}"`);
}

/** The fusion rule, in one place: a convolution or fully connected layer absorbs the ReLU that reads its output. */
export function reluFusesInto(layer: Layer, next: Layer | undefined): boolean {
  return (layer.type === "convolution" || layer.type === "fully_connected") && next?.type === "relu" && next.input === layer.output;
}
