// The graph is a DAG whose layers are listed in topological order, as ONNX
// requires of its nodes. Every pass after loading relies on the checks here:
// each tensor a layer reads is the network input or produced by an earlier
// layer; each tensor is produced once, except that an elementwise layer may
// rewrite its own input in place (Caffe's relu1 on ip1) when it is that
// value's only reader; every layer's output is read or is the network output.
// Each error names the layer and the tensor.
import type { Graph } from "./graph.js";
import { mayRunInPlace, type Layer } from "./layers.js";
import { fail } from "../errors.js";

/** Who produces each layer's inputs and who reads each layer's output, by layer index (-1: the network input). */
export interface DagLinks {
  /** producers[i][j]: index of the layer whose output layer i reads as input j. */
  producers: number[][];
  /** consumers[i]: indices of the layers that read layer i's output (this version of it). */
  consumers: number[][];
  /** Index of the layer producing the network output. */
  output: number;
}

function arity(layer: Layer): [number, number] {
  switch (layer.type) {
    case "eltwise": return [2, 2];
    case "concat": return [1, Infinity];
    default: return [1, 1];
  }
}

export function checkDag(graph: Graph, file: string): DagLinks {
  const layers = graph.layers;
  const at = (i: number) => `${file}: layer ${layers[i]!.name}`;
  const laterProducer = (tensor: string, from: number) => layers.findIndex((l, j) => j > from && l.output === tensor);
  const current = new Map<string, number>([[graph.input.name, -1]]);
  const producers: number[][] = [];
  const consumers: number[][] = layers.map(() => []);
  const inputReaders: number[] = [];
  layers.forEach((layer, i) => {
    const [lo, hi] = arity(layer);
    if (layer.inputs.length < lo || layer.inputs.length > hi) {
      fail("MODEL_FORMAT", `${at(i)}: a ${layer.type} layer reads ${lo === hi ? lo : `at least ${lo}`} tensor(s), found ${layer.inputs.length}`);
    }
    producers.push(layer.inputs.map((tensor) => {
      const p = current.get(tensor);
      if (p !== undefined) return p;
      const later = laterProducer(tensor, i);
      if (later < 0) fail("MODEL_FORMAT", `${at(i)}: reads tensor "${tensor}", which no layer produces and which is not the network input "${graph.input.name}"`);
      const cycle = findPath(layers, i, later);
      if (cycle) fail("MODEL_FORMAT", `${at(i)}: reads tensor "${tensor}" of layer ${layers[later]!.name}, which depends on it: a cycle ${[...cycle, i].map((k) => layers[k]!.name).join(" -> ")}`);
      return fail("MODEL_FORMAT", `${at(i)}: reads tensor "${tensor}" before layer ${layers[later]!.name} produces it; layers must be listed in topological order`);
    }));
    producers[i]!.forEach((p) => (p < 0 ? inputReaders : consumers[p]!).push(i));
    const previous = current.get(layer.output);
    if (previous !== undefined) {
      const inPlace = mayRunInPlace(layer) && layer.inputs.length === 1 && layer.inputs[0] === layer.output && previous >= 0;
      if (!inPlace) fail("MODEL_FORMAT", `${at(i)}: writes tensor "${layer.output}", which ${previous < 0 ? "is the network input" : `layer ${layers[previous]!.name} already produces`} (only an elementwise layer may rewrite its own input in place)`);
      const others = consumers[previous]!.filter((c) => c !== i);
      if (others.length > 0) fail("MODEL_FORMAT", `${at(i)}: rewrites tensor "${layer.output}" in place, but layer ${layers[others[0]!]!.name} also reads it; give the output its own name`);
    }
    current.set(layer.output, i);
  });
  const output = current.get(graph.output);
  if (output === undefined || output < 0) fail("MODEL_FORMAT", `${file}: output "${graph.output}" is not produced by any layer`);
  layers.forEach((layer, i) => {
    if (consumers[i]!.length === 0 && i !== output) {
      fail("MODEL_FORMAT", `${at(i)}: its output "${layer.output}" is read by no layer and is not the network output "${graph.output}" (a dangling output)`);
    }
  });
  if (inputReaders.length === 0) fail("MODEL_FORMAT", `${file}: no layer reads the network input "${graph.input.name}"`);
  return { producers, consumers, output };
}

/** Layer indices [from, ..., to] along outputs read as inputs, or null when `to` does not depend on `from`. */
function findPath(layers: Layer[], from: number, to: number): number[] | null {
  const seen = new Set<number>();
  const walk = (k: number): number[] | null => {
    if (k === to) return [k];
    if (seen.has(k)) return null;
    seen.add(k);
    const out = layers[k]!.output;
    for (let j = 0; j < layers.length; j++) {
      if (j !== k && layers[j]!.inputs.includes(out)) {
        const rest = walk(j);
        if (rest) return [k, ...rest];
      }
    }
    return null;
  };
  return walk(from);
}
