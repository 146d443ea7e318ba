// octet's model description: a JSON graph of named layers, a DAG listed in
// topological order (documented in docs/model-format.md). Version 2 is the
// DAG form; version 1 files (LeNet's chain form) keep loading. Parsing checks
// every field and names the layer and field at fault; dag.ts checks the graph.
import { fail } from "../errors.js";
import type { Layer } from "./layers.js";
import { checkJsonDepth, describeValue, MAX_JSON_DEPTH } from "./describe.js";
import { GraphFields, MAX_GRAPH_INT, parseLayer } from "./layer-parse.js";

export * from "./layers.js";
export { checkJsonDepth, describeValue, shortText, MAX_JSON_DEPTH } from "./describe.js";
export { MAX_GRAPH_INT, MAX_NAME_LENGTH } from "./layer-parse.js";

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
export const GRAPH_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

export function parseGraph(text: string, file: string): Graph {
  checkJsonDepth(text, file, MAX_JSON_DEPTH);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail("MODEL_FORMAT", `${file}: not valid JSON (${(e as Error).message})`);
  }
  const f = new GraphFields(file);
  const root = f.object(raw, "top level");
  if (root.format !== GRAPH_FORMAT) fail("MODEL_FORMAT", `${file}: field "format" is ${describeValue(root.format)}, expected "${GRAPH_FORMAT}"`);
  const version = root.version;
  if (typeof version !== "number" || !READABLE_VERSIONS.includes(version)) {
    fail("MODEL_FORMAT", `${file}: field "version" is ${describeValue(version)}, expected one of ${READABLE_VERSIONS.join(", ")}`);
  }
  const input = f.object(root.input, "input");
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0 && d <= MAX_GRAPH_INT)) {
    fail("MODEL_FORMAT", `${file}: field "input.shape" is ${describeValue(shape)}, expected [C, H, W] of integers in 1..${MAX_GRAPH_INT}`);
  }
  if (!Array.isArray(root.layers) || root.layers.length === 0) fail("MODEL_FORMAT", `${file}: field "layers" must be a non-empty array, found ${describeValue(root.layers)}`);
  const layers = root.layers.map((l, i) => parseLayer(l, f, i, version));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) fail("MODEL_FORMAT", `${file}: layer name ${describeValue(l.name)} is used twice`);
    names.add(l.name);
  }
  return {
    name: f.str(root.name, "name"),
    input: { name: f.str(input.name, "input.name"), shape: shape as [number, number, number] },
    layers,
    output: f.str(root.output, "output"),
    weights: f.str(root.weights, "weights"),
  };
}

/** The graph as a version-2 document (the form octet writes). */
export function graphDocument(graph: Graph): Record<string, unknown> {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, ...graph };
}
