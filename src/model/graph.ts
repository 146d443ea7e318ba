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

/** Deepest JSON nesting a graph document may have (a graph needs 4 levels). */
export const MAX_JSON_DEPTH = 64;
/** Largest value of any integer field (shape, numOutput, kernel, stride, pad, window). */
export const MAX_GRAPH_INT = 1 << 20;
/** Longest name or path a graph may hold. */
export const MAX_NAME_LENGTH = 4096;

type Json = Record<string, unknown>;

export function parseGraph(text: string, file: string): Graph {
  checkJsonDepth(text, file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail("MODEL_FORMAT", `${file}: not valid JSON (${(e as Error).message})`);
  }
  const root = object(raw, file, "top level");
  if (root.format !== GRAPH_FORMAT) fail("MODEL_FORMAT", `${file}: field "format" is ${describeValue(root.format)}, expected "${GRAPH_FORMAT}"`);
  if (root.version !== GRAPH_VERSION) fail("MODEL_FORMAT", `${file}: field "version" is ${describeValue(root.version)}, expected ${GRAPH_VERSION}`);
  const input = object(root.input, file, "input");
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0 && d <= MAX_GRAPH_INT)) {
    fail("MODEL_FORMAT", `${file}: field "input.shape" is ${describeValue(shape)}, expected [C, H, W] of integers in 1..${MAX_GRAPH_INT}`);
  }
  if (!Array.isArray(root.layers) || root.layers.length === 0) fail("MODEL_FORMAT", `${file}: field "layers" must be a non-empty array, found ${describeValue(root.layers)}`);
  const layers = root.layers.map((l, i) => parseLayer(l, file, i));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) fail("MODEL_FORMAT", `${file}: layer name ${describeValue(l.name)} is used twice`);
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
  const at = `layer ${shortText(name)}`;
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
        fail("MODEL_FORMAT", `${file}: ${at}: field "method" is ${describeValue(o.method)}, expected "max" or "average"`);
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
      return fail("UNKNOWN_LAYER", `${file}: ${at}: unknown layer type ${describeValue(o.type)}; expected one of ${LAYER_TYPES.join(", ")}`);
  }
}

function object(v: unknown, file: string, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail("MODEL_FORMAT", `${file}: ${where} must be an object, found ${describeValue(v)}`);
  return v as Json;
}

function str(v: unknown, file: string, field: string): string {
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_NAME_LENGTH) {
    fail("MODEL_FORMAT", `${file}: field "${field}" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, found ${describeValue(v)}`);
  }
  return v;
}

function int(v: unknown, file: string, at: string, field: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > MAX_GRAPH_INT) {
    fail("MODEL_FORMAT", `${file}: ${at}: field "${field}" is ${describeValue(v)}, expected an integer >= ${min}${(v as number) > MAX_GRAPH_INT ? ` and <= ${MAX_GRAPH_INT}` : ""}`);
  }
  return v as number;
}

/** Refuses JSON nested deeper than MAX_JSON_DEPTH, scanning the text before JSON.parse builds anything. */
export function checkJsonDepth(text: string, file: string, limit = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) fail("MODEL_FORMAT", `${file}: JSON nested more than ${limit} levels deep (at character ${i}); a graph needs 4`);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/** A short description of a found value for error messages: JSON, cut at about `max` characters. */
export function describeValue(v: unknown, max = 60): string {
  if (typeof v === "string") return v.length > max ? `${JSON.stringify(v.slice(0, max))}…` : JSON.stringify(v);
  const out: string[] = [];
  let length = 0;
  const emit = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length <= max;
  };
  const write = (x: unknown, depth: number): boolean => {
    if (x === undefined) return emit("(missing)");
    if (typeof x === "string") return emit(x.length > max ? `${JSON.stringify(x.slice(0, max))}…` : JSON.stringify(x));
    if (typeof x !== "object" || x === null) return emit(typeof x === "number" || typeof x === "boolean" || x === null ? String(x) : typeof x);
    if (depth > 8) return emit("…");
    if (Array.isArray(x)) {
      if (!emit("[")) return false;
      for (let i = 0; i < x.length; i++) if ((i > 0 && !emit(",")) || !write(x[i], depth + 1)) return false;
      return emit("]");
    }
    if (!emit("{")) return false;
    let first = true;
    for (const k in x) {
      if (!first && !emit(",")) return false;
      first = false;
      if (!emit(`${JSON.stringify(shortText(k))}:`) || !write((x as Json)[k], depth + 1)) return false;
    }
    return emit("}");
  };
  const complete = write(v, 0);
  const text = out.join("");
  return complete ? text : `${text.slice(0, max)}…`;
}

/** A name cut to a readable length for messages. */
export function shortText(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
