// octet's model description: a JSON graph of named layers in execution order
// (documented in docs/model-format.md). Parsing checks every field and names
// the layer and field at fault.
import { fail } from "../errors.js";

export type LayerType = "convolution" | "pooling" | "fully_connected" | "relu" | "softmax";
export const LAYER_TYPES: readonly LayerType[] = ["convolution", "pooling", "fully_connected", "relu", "softmax"];

interface LayerBase {
  name: string;
  input: string;
  output: string;
}
export interface ConvolutionLayer extends LayerBase {
  type: "convolution";
  numOutput: number;
  kernel: number;
  stride: number;
  pad: number;
}
export interface PoolingLayer extends LayerBase {
  type: "pooling";
  method: "max" | "average";
  window: number;
  stride: number;
}
export interface FullyConnectedLayer extends LayerBase {
  type: "fully_connected";
  numOutput: number;
}
export interface ReluLayer extends LayerBase {
  type: "relu";
}
export interface SoftmaxLayer extends LayerBase {
  type: "softmax";
}
export type Layer = ConvolutionLayer | PoolingLayer | FullyConnectedLayer | ReluLayer | SoftmaxLayer;

export interface Graph {
  name: string;
  /** Network input: name and per-image shape [C, H, W]; the batch is chosen at run time. */
  input: { name: string; shape: [number, number, number] };
  layers: Layer[];
  output: string;
  /** Weights file, relative to the graph file. */
  weights: string;
}

export const GRAPH_FORMAT = "octet-model";
export const GRAPH_VERSION = 1;

type Json = Record<string, unknown>;

export function parseGraph(text: string, file: string): Graph {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail("MODEL_FORMAT", `${file}: not valid JSON (${(e as Error).message})`);
  }
  const root = object(raw, file, "top level");
  if (root.format !== GRAPH_FORMAT) fail("MODEL_FORMAT", `${file}: field "format" is ${JSON.stringify(root.format)}, expected "${GRAPH_FORMAT}"`);
  if (root.version !== GRAPH_VERSION) fail("MODEL_FORMAT", `${file}: field "version" is ${JSON.stringify(root.version)}, expected ${GRAPH_VERSION}`);
  const input = object(root.input, file, "input");
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    fail("MODEL_FORMAT", `${file}: field "input.shape" is ${JSON.stringify(shape)}, expected [C, H, W] of positive integers`);
  }
  if (!Array.isArray(root.layers) || root.layers.length === 0) fail("MODEL_FORMAT", `${file}: field "layers" must be a non-empty array`);
  const layers = root.layers.map((l, i) => parseLayer(l, file, i));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) fail("MODEL_FORMAT", `${file}: layer name "${l.name}" is used twice`);
    names.add(l.name);
  }
  return {
    name: str(root.name, file, "name"),
    input: { name: str(input.name, file, "input.name"), shape: shape as [number, number, number] },
    layers,
    output: str(root.output, file, "output"),
    weights: str(root.weights, file, "weights"),
  };
}

function parseLayer(raw: unknown, file: string, index: number): Layer {
  const where = `layers[${index}]`;
  const o = object(raw, file, where);
  const name = str(o.name, file, `${where}.name`);
  const at = `layer ${name}`;
  const base = { name, input: str(o.input, file, `${at}: input`), output: str(o.output, file, `${at}: output`) };
  switch (o.type) {
    case "convolution":
      return {
        ...base, type: "convolution",
        numOutput: int(o.numOutput, file, at, "numOutput", 1),
        kernel: int(o.kernel, file, at, "kernel", 1),
        stride: int(o.stride ?? 1, file, at, "stride", 1),
        pad: int(o.pad ?? 0, file, at, "pad", 0),
      };
    case "pooling": {
      if (o.method !== "max" && o.method !== "average") {
        fail("MODEL_FORMAT", `${file}: ${at}: field "method" is ${JSON.stringify(o.method)}, expected "max" or "average"`);
      }
      return {
        ...base, type: "pooling", method: o.method,
        window: int(o.window, file, at, "window", 1),
        stride: int(o.stride ?? o.window, file, at, "stride", 1),
      };
    }
    case "fully_connected":
      return { ...base, type: "fully_connected", numOutput: int(o.numOutput, file, at, "numOutput", 1) };
    case "relu":
      return { ...base, type: "relu" };
    case "softmax":
      return { ...base, type: "softmax" };
    default:
      return fail("UNKNOWN_LAYER", `${file}: ${at}: unknown layer type ${JSON.stringify(o.type)}; expected one of ${LAYER_TYPES.join(", ")}`);
  }
}

function object(v: unknown, file: string, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail("MODEL_FORMAT", `${file}: ${where} must be an object`);
  return v as Json;
}

function str(v: unknown, file: string, field: string): string {
  if (typeof v !== "string" || v.length === 0) fail("MODEL_FORMAT", `${file}: field "${field}" must be a non-empty string, found ${JSON.stringify(v)}`);
  return v;
}

function int(v: unknown, file: string, at: string, field: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) {
    fail("MODEL_FORMAT", `${file}: ${at}: field "${field}" is ${JSON.stringify(v)}, expected an integer >= ${min}`);
  }
  return v as number;
}
