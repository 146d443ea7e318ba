// ONNX import: the CNNs PyTorch exports (TorchScript and dynamo exporters,
// opsets 11 to 21) become octet's DAG graph, named after the ONNX nodes and
// values; initializers (inline or in an external data file) become weights.
// Each node becomes one octet layer, or is absorbed (views, Identity,
// Dropout, Constant, Q/DQ pairs), or is refused with the reason. A folding
// pass (fold.ts) then folds BatchNormalization into the convolution or fully
// connected layer before it, and a constant Add after a fully connected layer
// into its bias, and records what it did (importNotes). QuantizeLinear /
// DequantizeLinear pairs (explicit quantization, symmetric int8) give
// activation scales instead of calibration, as in TensorRT.
//
// A model is never partly imported: every node octet cannot take is collected
// (node, op and why) and the import fails once, listing them all. inspectOnnx
// (inspect.ts) shows the same per-node outcome without failing.
import { parseGraph, describeValue, shortText, MAX_GRAPH_INT, GRAPH_FORMAT, GRAPH_VERSION, type Graph, type Layer, type Pads, type Pair } from "../model/graph.js";
import { assembleModel, paramName, MAX_TENSOR_ELEMENTS, type Model, type QuantizedWeights } from "../model/model.js";
import { windowOutputSize, volume, type Chw } from "../model/shapes.js";
import { checkFinite, type WeightMap } from "../model/weights-file.js";
import { scaleProblem } from "../calib/cache.js";
import { fail, OctetError, type OctetErrorCode } from "../errors.js";
import { roundHalfEven } from "../int8/numerics.js";
import {
  decodeModel, num, intsAttr, intAttr, floatAttr, floatsAttr, stringAttr, tensorValues, typeName, DataType,
  type NodeProto, type TensorProto, type ModelProto,
} from "./proto.js";
import { ExternalFiles, type ExternalReader } from "./external.js";
import { foldLayers, type LayerOrigin } from "./fold.js";

export { checkExternalLocation, type ExternalReader } from "./external.js";

export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

/** float32's largest value: octet's clip bounds when ONNX gives none (JSON has no infinity). */
const FLT_MAX = 3.4028234663852886e38;
/** Most problems one error message lists (the count of the rest follows). */
const MAX_LISTED_PROBLEMS = 40;

export const SUPPORTED_OPS = [
  "Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceMax",
  "Gemm", "MatMul", "Add", "Sub", "Mul", "Concat", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
  "Softmax", "Pad", "Resize", "Upsample", "PRelu", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Constant",
  "QuantizeLinear", "DequantizeLinear",
] as const;

/** Resize's coordinate_transformation_mode values (opsets 11 to 21) and nearest_mode values. */
const RESIZE_TRANSFORMS = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"] as const;
const NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"] as const;
type ResizeTransform = (typeof RESIZE_TRANSFORMS)[number];
type NearestMode = (typeof NEAREST_MODES)[number];

export interface ImportOptions {
  /**
   * Reads a file of external tensor data by its location relative to the
   * model's folder (already checked: relative, inside the folder). Node's
   * loadModel passes one; without it an external tensor is a named error.
   */
  readExternal?: ExternalReader;
}

/** What became of one ONNX node. */
export type NodeOutcome =
  | { kind: "layer"; layer: string; type: Layer["type"] }
  | { kind: "folded"; into: string; how: string }
  | { kind: "absorbed"; how: string }
  | { kind: "constant" }
  | { kind: "dropped"; why: string }
  | { kind: "unsupported"; why: string }
  | { kind: "skipped"; why: string };

export interface NodeRow {
  index: number;
  name: string;
  op: string;
  /** The first output's shape, ONNX-style ("[N, 16, 14, 14]"), or "?" when the node was not imported. */
  output: string;
  outcome: NodeOutcome;
}

export interface Problem {
  node: string;
  op: string;
  /** The reason, without the file and node prefix. */
  why: string;
  code: OctetErrorCode;
  message: string;
}

export interface ImportResult {
  file: string;
  opset: number;
  /** The network input, ONNX-style ("input [N, 1, 28, 28]"). */
  input: string;
  rows: NodeRow[];
  notes: string[];
  problems: Problem[];
  /** The model, when the import finished. */
  model?: Model;
  /** Why the import could not finish after every node was taken (the graph checks), when it could not. */
  error?: OctetError;
}

const notesOf = new WeakMap<Model, readonly string[]>();

/** What the import did beyond one layer per node (folds, merges, dropped nodes), for the build log; [] for models not imported from ONNX. */
export function importNotes(model: Model): readonly string[] {
  return notesOf.get(model) ?? [];
}

/** The model, or one error naming every node that octet cannot import (node, op, why). */
export function importOnnx(bytes: Uint8Array, file: string, options: ImportOptions = {}): Model {
  const r = runImport(bytes, file, options);
  if (r.problems.length === 1) {
    const p = r.problems[0]!;
    throw new OctetError(p.code, p.message);
  }
  if (r.problems.length > 1) fail("MODEL_FORMAT", problemsMessage(file, r.problems, r.rows.length));
  if (r.error) throw r.error;
  return r.model!;
}

export function problemsMessage(file: string, problems: readonly Problem[], nodes: number): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `\n  node ${shortText(p.node)} (${shortText(p.op)}): ${p.why}`);
  const rest = problems.length > MAX_LISTED_PROBLEMS ? `\n  … and ${problems.length - MAX_LISTED_PROBLEMS} more` : "";
  return `${file}: ${problems.length} of ${nodes} nodes cannot be imported:${listed.join("")}${rest}`;
}

/**
 * Takes every node; never throws for a node octet cannot take (those are in
 * `problems`). Throws, as importOnnx does, for a file that is not a usable
 * ONNX model at all: unreadable, an unsupported opset, a bad initializer, not
 * exactly one [N, C, H, W] float input and one output.
 */
export function runImport(bytes: Uint8Array, file: string, options: ImportOptions = {}): ImportResult {
  const proto = decodeModel(bytes, file);
  const g = proto.graph!;
  const opset = opsetOf(proto, file);
  const external = new ExternalFiles(options.readExternal, file);
  const consts = new Map<string, Constant>();
  for (const t of g.initializer ?? []) consts.set(t.name ?? "", tensorValues(t, file, external));
  const inputs = (g.input ?? []).filter((i) => !consts.has(i.name ?? ""));
  if (inputs.length !== 1) fail("MODEL_FORMAT", `${file}: expected one graph input (besides initializers), found ${inputs.length}: ${inputs.map((i) => shortText(i.name ?? "")).join(", ")}`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensorType;
  if (tensorType?.elemType !== DataType.FLOAT) fail("MODEL_FORMAT", `${file}: input ${shortText(input.name ?? "")}: element type ${typeName(tensorType?.elemType ?? 0)}, expected float`);
  const rawDims = tensorType.shape?.dim ?? [];
  const dims = rawDims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue as number) > 0 ? num(d.dimValue as number) : -1));
  if (dims.length !== 4 || dims.slice(1).some((d) => d < 1)) {
    fail("SHAPE_MISMATCH", `${file}: input ${shortText(input.name ?? "")}: shape [${dims.map((d) => (d < 0 ? "?" : d)).join(", ")}], expected [N, C, H, W] with fixed C, H, W`);
  }
  const chw = dims.slice(1) as Chw;
  if (chw.some((d) => d > MAX_GRAPH_INT) || volume(chw) > MAX_TENSOR_ELEMENTS) {
    fail("SHAPE_MISMATCH", `${file}: input ${shortText(input.name ?? "")}: [${chw.join(", ")}] per image is larger than octet takes (each dimension up to ${MAX_GRAPH_INT}, ${MAX_TENSOR_ELEMENTS} values)`);
  }
  const outputs = g.output ?? [];
  if (outputs.length !== 1) fail("MODEL_FORMAT", `${file}: expected one graph output, found ${outputs.length}`);
  const batchText = dims[0]! > 0 ? String(dims[0]) : rawDims[0]?.dimParam ? shortText(rawDims[0].dimParam, 20) : "N";
  const state = new ImportState(file, opset, consts, external, dims[0]! > 0 ? dims[0]! : null, batchText, proto);
  const inputName = input.name ?? "";
  state.values.set(inputName, { tensor: inputName, rank: 4 });
  state.shapes.set(inputName, chw);
  const outputName = outputs[0]!.name ?? "";
  state.run(g.node ?? [], outputName);
  const result: ImportResult = {
    file, opset, input: `${shortText(inputName)} [${batchText}, ${chw.join(", ")}]`, rows: state.rows, notes: state.notes, problems: state.problems,
  };
  if (state.problems.length > 0) return result;
  try {
    const output = state.values.get(outputName)!;
    const folded = foldLayers(state.layers, state.weights, state.origins, output.tensor, new Set(state.scales.keys()));
    for (const f of folded.folds) {
      if (f.how !== "merge" && state.modelQuantized.delete(f.into)) {
        state.notes.push(`${shortText(f.into)}: its quantized weights change with the ${state.opOf(f.layer)} folded into it; quantized again from the folded float values`);
      }
      const how = f.how === "batchnorm" ? "weights and bias scaled" : f.how === "bias" ? "added to its bias" : "one scale layer";
      state.setOutcome(f.layer, { kind: "folded", into: f.into, how });
      const what = `${state.opOf(f.layer)} ${shortText(state.nodeNameOf(f.layer))}`;
      state.notes.push(f.how === "merge" ? `${what} and ${state.opOf(f.into)} ${shortText(state.nodeNameOf(f.into))} merged into scale layer ${shortText(f.into)}`
        : `${what} folded into ${shortText(f.into)}${f.how === "bias" ? " as its bias" : ""}`);
    }
    for (const l of folded.layers) {
      if (l.type === "scale" && state.origins.get(l.name) === "batchnorm") {
        state.notes.push(`BatchNormalization ${shortText(state.nodeNameOf(l.name))} kept as scale layer ${shortText(l.name)}: the layer before it is no convolution or fully connected layer whose output only it reads`);
      }
    }
    for (const d of folded.dropped) {
      state.setOutcome(d, { kind: "dropped", why: "its output reaches no graph output" });
      state.notes.push(`node ${shortText(state.nodeNameOf(d))} (${state.opOf(d)}) dropped: its output reaches no graph output`);
    }
    propagateGrids(folded.layers, state.scales, state.zeroPoints, state.notes);
    const kept = new Set<string>([inputName, ...folded.layers.map((l) => l.output)]);
    for (const t of [...state.scales.keys()]) if (!kept.has(t)) state.scales.delete(t);
    for (const t of [...state.zeroPoints.keys()]) if (!kept.has(t)) state.zeroPoints.delete(t);
    const graph: Graph = {
      name: g.name || file.replace(/^.*[\\/]/, "").replace(/\.onnx$/, ""),
      input: { name: inputName, shape: chw },
      layers: folded.layers,
      output: output.tensor,
      weights: `${file} (initializers)`,
    };
    // The same field checks as octet's own JSON graphs (strides, windows, kernels >= 1, ...).
    const checked = parseGraph(JSON.stringify({ format: GRAPH_FORMAT, version: GRAPH_VERSION, ...graph }), file);
    const model = assembleModel(checked, state.weights, file);
    if (state.scales.size > 0 || state.modelQuantized.size > 0) {
      const weights = new Map([...state.modelQuantized].filter(([layer]) => checked.layers.some((l) => l.name === layer)));
      model.quantization = { scales: state.scales, zeroPoints: state.zeroPoints, weights, source: `QDQ nodes in ${file}` };
    }
    notesOf.set(model, state.notes);
    result.model = model;
  } catch (e) {
    if (!(e instanceof OctetError)) throw e;
    result.error = e;
  }
  return result;
}

function opsetOf(proto: ModelProto, file: string): number {
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  const version = num(opset?.version as number | undefined);
  if (version < MIN_OPSET || version > MAX_OPSET) {
    fail("MODEL_FORMAT", `${file}: ONNX opset ${version || "(none)"} is not supported; octet imports opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  }
  return version;
}

interface Constant {
  dims: number[];
  values: Float32Array | Int32Array | number[];
  type: number;
  /** For a Q of a float weight: its zero point(s). */
  zero?: number[];
  /** For the float output of a DequantizeLinear of an integer constant: the integers and their grid. */
  quantized?: { values: Int32Array; scales: Float32Array; zero: number[]; axis: number; dims: number[]; type: number };
}

/** An ONNX activation: the octet tensor holding it and its ONNX rank (4: [N, C, H, W]; 2: [N, features], the octet tensor [C, H, W] flattened). */
interface Value {
  tensor: string;
  rank: 2 | 4;
}

/** A node reads the output of a node that was not imported: it is not judged on its own. */
class Skip {
  constructor(readonly why: string) {}
}

type Outcome = NodeOutcome;

class ImportState {
  readonly layers: Layer[] = [];
  readonly weights: WeightMap = new Map();
  readonly scales = new Map<string, number>();
  /** ONNX activation values. */
  readonly values = new Map<string, Value>();
  /** Per-image shape of each octet tensor. */
  readonly shapes = new Map<string, Chw>();
  readonly rows: NodeRow[] = [];
  readonly notes: string[] = [];
  readonly problems: Problem[] = [];
  /** Where each scale layer came from, for the folding pass. */
  readonly origins = new Map<string, LayerOrigin>();
  /** Values of nodes that were not imported: value -> the node at fault. */
  private readonly poisoned = new Map<string, string>();
  /** Nonzero activation zero points (int8-stored), by octet tensor. */
  readonly zeroPoints = new Map<string, number>();
  /** The model's own int8 weights, by layer. */
  readonly modelQuantized = new Map<string, QuantizedWeights>();
  /** Outputs of QuantizeLinear on activations: value -> activation, scale, zero point (int8-stored). */
  private readonly quantized = new Map<string, { value: Value; scale: number; zero: number }>();
  /** Values made by a Flatten / Reshape view, and QuantizeLinear outputs of such values -> the view. */
  private readonly views = new Set<string>();
  /** ReLUs restored after producers whose QDQ grid starts at 0, by the producer's tensor. */
  private readonly restoredRelu = new Map<string, Value>();
  private readonly viewed = new Map<string, string>();
  private readonly names = new Set<string>();
  /** Next suffix to try per base name, so that de-duplicating n equal names stays linear. */
  private readonly nextSuffix = new Map<string, number>();
  /** How many node inputs (and graph outputs) read each value. */
  private readonly readers = new Map<string, number>();
  /** Layer name -> index of the node (row) it came from. */
  private readonly layerRow = new Map<string, number>();
  private readonly valueInfo = new Map<string, string>();

  constructor(
    readonly file: string, readonly opset: number, readonly consts: Map<string, Constant>, private readonly external: ExternalFiles,
    private readonly batch: number | null, private readonly batchText: string, proto: ModelProto,
  ) {
    for (const v of [...(proto.graph?.valueInfo ?? []), ...(proto.graph?.output ?? [])]) {
      const d = v.type?.tensorType?.shape?.dim;
      if (v.name && d) this.valueInfo.set(v.name, `[${d.slice(0, 8).map((x) => (x.dimValue !== undefined && x.dimValue !== null ? String(num(x.dimValue as number)) : shortText(x.dimParam || "?", 20))).join(", ")}]`);
    }
  }

  run(nodes: NodeProto[], graphOutput: string): void {
    for (const n of nodes) for (const v of n.input ?? []) if (v) this.readers.set(v, (this.readers.get(v) ?? 0) + 1);
    this.readers.set(graphOutput, (this.readers.get(graphOutput) ?? 0) + 1);
    nodes.forEach((node, i) => {
      let outcome: Outcome;
      try {
        this.checkOutputs(node, i);
        outcome = this.node(node, i);
      } catch (e) {
        if (e instanceof Skip) outcome = { kind: "skipped", why: e.why };
        else if (e instanceof OctetError) {
          const why = this.reason(e.message, node, i);
          this.problems.push({ node: this.label(node, i), op: node.opType ?? "", why, code: e.code, message: e.message });
          outcome = { kind: "unsupported", why };
        } else throw e;
        for (const v of node.output ?? []) if (v && !this.known(v)) this.poisoned.set(v, this.label(node, i));
      }
      this.rows.push({ index: i, name: this.label(node, i), op: node.opType ?? "", output: this.shapeOf(node.output?.[0]), outcome });
    });
    if (this.problems.length > 0) return;
    const at = `${this.file}: graph output`;
    if (this.consts.has(graphOutput)) this.problem("(graph output)", "", `${at} ${describeValue(graphOutput)} is a constant; octet's output must be computed from the input`);
    else if (!this.values.has(graphOutput)) this.problem("(graph output)", "", `${at} ${describeValue(graphOutput)} is produced by no node`);
  }

  private problem(node: string, op: string, message: string): void {
    this.problems.push({ node, op, why: message.replace(`${this.file}: `, ""), code: "MODEL_FORMAT", message });
  }

  setOutcome(layer: string, outcome: Outcome): void {
    const row = this.layerRow.get(layer);
    if (row !== undefined) this.rows[row]!.outcome = outcome;
  }

  nodeNameOf(layer: string): string {
    const row = this.layerRow.get(layer);
    return row === undefined ? layer : this.rows[row]!.name;
  }

  opOf(layer: string): string {
    const row = this.layerRow.get(layer);
    return row === undefined ? "?" : this.rows[row]!.op;
  }

  /** The message without "file: node X (Op): ", as listed under the node. */
  private reason(message: string, node: NodeProto, i: number): string {
    const prefix = `${this.where(node, i)}: `;
    if (message.startsWith(prefix)) return message.slice(prefix.length);
    return message.startsWith(`${this.file}: `) ? message.slice(this.file.length + 2) : message;
  }

  private label(node: NodeProto, i: number): string {
    return node.name ? node.name : `#${i}`;
  }

  private where(node: NodeProto, i: number): string {
    return `${this.file}: node ${shortText(this.label(node, i))} (${shortText(node.opType ?? "")})`;
  }

  private known(v: string): boolean {
    return this.values.has(v) || this.consts.has(v) || this.poisoned.has(v);
  }

  /** ONNX values are assigned once: a node may not write a value that exists. */
  private checkOutputs(node: NodeProto, i: number): void {
    for (const v of node.output ?? []) {
      if (v && this.known(v)) fail("MODEL_FORMAT", `${this.where(node, i)}: writes value ${describeValue(v)}, which ${this.consts.has(v) ? "is an initializer or constant" : "another node or the graph input already produces"} (ONNX values are assigned once)`);
    }
  }

  private shapeOf(value: string | undefined): string {
    if (!value) return "-";
    const v = this.values.get(value);
    if (v) {
      const s = this.shapes.get(v.tensor)!;
      return `[${[this.batchText, ...(v.rank === 4 ? s : [volume(s)])].join(", ")}]`;
    }
    const c = this.consts.get(value);
    if (c) return `[${c.dims.join(", ")}] constant`;
    return this.valueInfo.get(value) ?? "?";
  }

  // ---------------------------------------------------------------- inputs

  /** Input k of the node as an activation. `flattenedOk`: a [N, C*H*W] view of an image may be read (views, Gemm, MatMul). */
  private act(node: NodeProto, i: number, k = 0, flattenedOk = false): Value {
    const value = node.input?.[k];
    if (!value) fail("MODEL_FORMAT", `${this.where(node, i)}: input ${k} is missing`);
    const bad = this.poisoned.get(value);
    if (bad !== undefined) throw new Skip(`reads ${describeValue(value)} from node ${shortText(bad)}, which was not imported`);
    const v = this.values.get(value);
    if (!v) {
      if (this.consts.has(value)) fail("MODEL_FORMAT", `${this.where(node, i)}: input ${k} ${describeValue(value)} is a constant where octet needs an activation computed from the input (octet does not fold constants)`);
      fail("MODEL_FORMAT", `${this.where(node, i)}: input ${k} ${describeValue(value)} is produced by no node, initializer or graph input`);
    }
    if (!flattenedOk && this.isFlattened(v)) {
      fail("MODEL_FORMAT", `${this.where(node, i)}: reads ${describeValue(value)}, a [N, C*H*W] view of an image; octet flattens only into a fully connected layer (Gemm or MatMul)`);
    }
    return v;
  }

  private isFlattened(v: Value): boolean {
    const [, h, w] = this.shapes.get(v.tensor)!;
    return v.rank === 2 && h * w > 1;
  }

  private isConst(value: string | undefined): boolean {
    if (value && this.poisoned.has(value)) throw new Skip(`reads ${describeValue(value)} from node ${shortText(this.poisoned.get(value)!)}, which was not imported`);
    return !!value && this.consts.has(value);
  }

  private constant(value: string | undefined, at: string, what: string): Constant {
    if (value && this.poisoned.has(value)) throw new Skip(`reads ${describeValue(value)} from node ${shortText(this.poisoned.get(value)!)}, which was not imported`);
    const c = value ? this.consts.get(value) : undefined;
    if (!c) fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(value ?? "")} must be an initializer or Constant${value && this.values.has(value) ? " (it is computed from the input)" : ""}`);
    return c;
  }

  private float(value: string | undefined, at: string, what: string): { dims: number[]; data: Float32Array } {
    const c = this.constant(value, at, what);
    if (!(c.values instanceof Float32Array)) fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(value)} is ${typeName(c.type)}, expected float`);
    return { dims: c.dims, data: c.values };
  }

  /** An integer constant (int64 or int32: shapes, axes). */
  private ints(value: string | undefined, at: string, what: string): number[] {
    const c = this.constant(value, at, what);
    if (c.type !== DataType.INT64 && c.type !== DataType.INT32) fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(value)} is ${typeName(c.type)}, expected int64`);
    if (c.values.length > 16) fail("MODEL_FORMAT", `${at}: ${what} has ${c.values.length} values, expected at most 16`);
    return Array.from(c.values as ArrayLike<number>);
  }

  /** A scalar float constant ([] or [1]); an absent or empty input gives `fallback`. */
  private scalarInput(node: NodeProto, k: number, at: string, what: string, fallback: number): number {
    const value = node.input?.[k];
    if (!value) return fallback;
    const c = this.float(value, at, what);
    if (c.data.length !== 1) fail("MODEL_FORMAT", `${at}: ${what} has shape [${c.dims.join(", ")}], expected a scalar`);
    const v = c.data[0]!;
    if (Number.isNaN(v)) fail("MODEL_FORMAT", `${at}: ${what} is NaN`);
    return Math.max(-FLT_MAX, Math.min(FLT_MAX, v));
  }

  private out(node: NodeProto, i: number): string {
    const value = node.output?.[0];
    if (!value) fail("MODEL_FORMAT", `${this.where(node, i)}: has no output`);
    return value;
  }

  /** Whether a value is read by any node or is the graph output. */
  private isRead(value: string | undefined): boolean {
    return !!value && (this.readers.get(value) ?? 0) > 0;
  }

  private refuse(node: NodeProto, i: number, attr: string, found: unknown, expected: string): never {
    return fail("MODEL_FORMAT", `${this.where(node, i)}: attribute ${attr} = ${describeValue(found)} is not supported (${expected})`);
  }

  private layerName(node: NodeProto, i: number): string {
    return this.uniqueName(node.name || `${node.opType}_${i}`);
  }

  private uniqueName(base: string): string {
    let name = base;
    if (this.names.has(name)) {
      let k = this.nextSuffix.get(base) ?? 1;
      while (this.names.has(`${base}_${k}`)) k++;
      name = `${base}_${k}`;
      this.nextSuffix.set(base, k + 1);
    }
    this.names.add(name);
    return name;
  }

  // ---------------------------------------------------------------- attributes

  /** A 2-D attribute (strides, dilations, kernel_shape): two integers >= min. */
  private pair(node: NodeProto, i: number, name: string, fallback: number | null, min = 1): Pair {
    const v = intsAttr(node, name);
    if (v === undefined) {
      if (fallback === null) this.refuse(node, i, name, "(missing)", "two integers");
      return [fallback!, fallback!];
    }
    if (v.length !== 2 || v.some((x) => !Number.isSafeInteger(x) || x < min || x > MAX_GRAPH_INT)) {
      this.refuse(node, i, name, v, `two integers in ${min}..${MAX_GRAPH_INT}: octet imports 2-D windows`);
    }
    return [v[0]!, v[1]!];
  }

  private autoPad(node: NodeProto, i: number): "NOTSET" | "VALID" | "SAME_UPPER" | "SAME_LOWER" {
    const a = stringAttr(node, "auto_pad") || "NOTSET";
    if (a !== "NOTSET" && a !== "VALID" && a !== "SAME_UPPER" && a !== "SAME_LOWER") this.refuse(node, i, "auto_pad", a, "NOTSET, VALID, SAME_UPPER or SAME_LOWER");
    return a;
  }

  private padsAttr(node: NodeProto, i: number): Pads {
    const p = intsAttr(node, "pads") ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((x) => !Number.isSafeInteger(x) || x < 0 || x > MAX_GRAPH_INT)) {
      this.refuse(node, i, "pads", p, "four integers >= 0, [top, left, bottom, right]");
    }
    return p as Pads;
  }

  /** Explicit [top, left, bottom, right] pads: the attribute, or computed for auto_pad from the input size. */
  private explicitPads(mode: string, pads: Pads, [h, w]: [number, number], kernel: Pair, strides: Pair, dilations: Pair): Pads {
    if (mode === "NOTSET") return pads;
    if (mode === "VALID") return [0, 0, 0, 0];
    const upper = mode === "SAME_UPPER";
    const [t, b] = samePads(h, kernel[0], strides[0], dilations[0], upper);
    const [l, r] = samePads(w, kernel[1], strides[1], dilations[1], upper);
    return [t, l, b, r];
  }

  // ---------------------------------------------------------------- layers

  private push(
    node: NodeProto, i: number, layer: Layer, output: Chw, rank: 2 | 4,
    params: Record<string, { dims: number[]; data: Float32Array }> = {}, origin?: LayerOrigin,
  ): Outcome {
    const at = this.where(node, i);
    if (output.some((d) => d < 1)) fail("SHAPE_MISMATCH", `${at}: output [${output.join(", ")}] is empty`);
    if (output.some((d) => d > MAX_GRAPH_INT) || volume(output) > MAX_TENSOR_ELEMENTS) {
      fail("SHAPE_MISMATCH", `${at}: output [${output.join(", ")}] per image is larger than octet takes (${MAX_TENSOR_ELEMENTS} values)`);
    }
    for (const [kind, p] of Object.entries(params)) checkFinite(p.data, `${this.file}: layer ${shortText(layer.name)}: ${kind}`, "MODEL_FORMAT");
    for (const [kind, p] of Object.entries(params)) this.weights.set(paramName(layer.name, kind), { dims: p.dims, data: p.data });
    this.layers.push(layer);
    this.layerRow.set(layer.name, i);
    if (origin) this.origins.set(layer.name, origin);
    this.values.set(layer.output, { tensor: layer.output, rank });
    this.shapes.set(layer.output, output);
    return { kind: "layer", layer: layer.name, type: layer.type };
  }

  private alias(out: string, v: Value, how: string): Outcome {
    this.values.set(out, v);
    return { kind: "absorbed", how };
  }

  private setConst(out: string, c: Constant): Outcome {
    this.consts.set(out, c);
    return { kind: "constant" };
  }

  node(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const op = node.opType ?? "";
    if (node.domain && node.domain !== "ai.onnx") {
      fail("MODEL_FORMAT", `${at}: op domain ${describeValue(node.domain)} is not supported; octet imports standard ONNX ops (domain ai.onnx)`);
    }
    switch (op) {
      case "Constant":
        return this.constantNode(node, i);
      case "Identity":
        return this.identity(node, i, "Identity");
      case "Dropout": {
        const training = node.input?.[2];
        if (training && this.isConst(training) && Array.from(this.constant(training, at, "training_mode").values).some((v) => v !== 0)) {
          fail("MODEL_FORMAT", `${at}: training_mode is true; octet imports inference graphs`);
        }
        if (this.isRead(node.output?.[1])) fail("MODEL_FORMAT", `${at}: its mask output ${describeValue(node.output![1])} is read; octet's Dropout is the identity and has no mask`);
        return this.identity(node, i, "Dropout (inference: the identity)");
      }
      case "QuantizeLinear":
        return this.quantizeLinear(node, i);
      case "DequantizeLinear":
        return this.dequantizeLinear(node, i);
      case "Conv":
        return this.conv(node, i);
      case "BatchNormalization":
        return this.batchNorm(node, i);
      case "MaxPool":
      case "AveragePool":
        return this.pool(node, i);
      case "GlobalAveragePool":
      case "GlobalMaxPool": {
        const x = this.act(node, i);
        this.needRank(node, i, x, 4);
        const [c] = this.shapes.get(x.tensor)!;
        return this.push(node, i, { name: this.layerName(node, i), type: "global_pooling", method: op === "GlobalMaxPool" ? "max" : "average", inputs: [x.tensor], output: this.out(node, i) }, [c, 1, 1], 4);
      }
      case "ReduceMean":
      case "ReduceMax":
        return this.reduce(node, i);
      case "Gemm":
        return this.gemm(node, i);
      case "MatMul":
        return this.matmul(node, i);
      case "Add":
      case "Sub":
      case "Mul":
        return this.binary(node, i);
      case "Concat":
        return this.concat(node, i);
      case "Relu": {
        const x = this.act(node, i);
        return this.push(node, i, { name: this.layerName(node, i), type: "relu", inputs: [x.tensor], output: this.out(node, i) }, this.shapes.get(x.tensor)!, x.rank);
      }
      case "Clip": {
        let lo = -FLT_MAX, hi = FLT_MAX;
        const minAttr = floatAttr(node, "min"), maxAttr = floatAttr(node, "max");
        if (minAttr !== undefined || maxAttr !== undefined) {
          // Opset 6-10 form (bounds as attributes).
          if (minAttr !== undefined) lo = minAttr;
          if (maxAttr !== undefined) hi = maxAttr;
          if (Number.isNaN(lo) || Number.isNaN(hi)) this.refuse(node, i, Number.isNaN(lo) ? "min" : "max", NaN, "a number");
          lo = Math.max(-FLT_MAX, lo);
          hi = Math.min(FLT_MAX, hi);
        } else {
          lo = this.scalarInput(node, 1, at, "min", -FLT_MAX);
          hi = this.scalarInput(node, 2, at, "max", FLT_MAX);
        }
        if (!(lo <= hi)) fail("MODEL_FORMAT", `${at}: min ${lo} is above max ${hi}`);
        return this.activation(node, i, "clip", { min: lo, max: hi });
      }
      case "LeakyRelu":
        return this.activation(node, i, "leaky_relu", { alpha: this.finiteAttr(node, i, "alpha", 0.01) });
      case "Sigmoid":
        return this.activation(node, i, "sigmoid", {});
      case "Tanh":
        return this.activation(node, i, "tanh", {});
      case "HardSigmoid":
        return this.activation(node, i, "hard_sigmoid", { alpha: this.finiteAttr(node, i, "alpha", 0.2), beta: this.finiteAttr(node, i, "beta", 0.5) });
      case "HardSwish":
        return this.activation(node, i, "hard_swish", {});
      case "Softmax":
        return this.softmax(node, i);
      case "Flatten":
        return this.flatten(node, i);
      case "Reshape":
        return this.reshape(node, i);
      case "Squeeze":
      case "Unsqueeze":
        return this.squeeze(node, i, op === "Unsqueeze");
      case "Pad":
        return this.pad(node, i);
      case "Resize":
      case "Upsample":
        return this.resize(node, i, op === "Upsample");
      case "PRelu":
        return this.prelu(node, i);
      default:
        return fail("MODEL_FORMAT", `${at}: op ${shortText(op || "(none)")} is not supported; octet imports ${SUPPORTED_OPS.join(", ")}`);
    }
  }

  private needRank(node: NodeProto, i: number, x: Value, rank: 2 | 4): void {
    if (x.rank !== rank) {
      fail("MODEL_FORMAT", `${this.where(node, i)}: reads a rank-${x.rank} value; ${node.opType} here needs ${rank === 4 ? "an image [N, C, H, W]" : "[N, features]"}`);
    }
  }

  private finiteAttr(node: NodeProto, i: number, name: string, fallback: number): number {
    const v = Math.fround(floatAttr(node, name) ?? fallback);
    if (!Number.isFinite(v)) this.refuse(node, i, name, v, "a finite number");
    return v;
  }

  private constantNode(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const attrs = node.attribute ?? [];
    const out = this.out(node, i);
    const a = attrs.find((x) => ["value", "value_float", "value_floats", "value_int", "value_ints"].includes(x.name ?? ""));
    if (!a) {
      const other = attrs[0]?.name;
      return this.refuse(node, i, other ?? "value", other ? "(set)" : "(missing)", "a value, value_float(s) or value_int(s)");
    }
    switch (a.name) {
      case "value":
        if (!a.t) this.refuse(node, i, "value", "(missing or not a tensor)", "a tensor value");
        return this.setConst(out, tensorValues(a.t as TensorProto, at, this.external));
      case "value_float":
        return this.setConst(out, { dims: [], values: Float32Array.of(floatAttr(node, "value_float")!), type: DataType.FLOAT });
      case "value_floats": {
        const v = floatsAttr(node, "value_floats")!;
        return this.setConst(out, { dims: [v.length], values: Float32Array.from(v), type: DataType.FLOAT });
      }
      case "value_int":
        return this.setConst(out, { dims: [], values: [intAttr(node, "value_int")!], type: DataType.INT64 });
      default: {
        const v = intsAttr(node, "value_ints")!;
        return this.setConst(out, { dims: [v.length], values: v, type: DataType.INT64 });
      }
    }
  }

  private identity(node: NodeProto, i: number, what: string): Outcome {
    const x = node.input?.[0];
    const out = this.out(node, i);
    if (this.isConst(x)) return this.setConst(out, this.consts.get(x!)!);
    const v = this.act(node, i, 0, true);
    return this.alias(out, v, `${what}: the same tensor as ${shortText(v.tensor)}`);
  }

  private conv(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const group = intAttr(node, "group") ?? 1;
    if (!Number.isSafeInteger(group) || group < 1 || group > MAX_GRAPH_INT) this.refuse(node, i, "group", group, "an integer >= 1");
    const strides = this.pair(node, i, "strides", 1);
    const dilations = this.pair(node, i, "dilations", 1);
    const mode = this.autoPad(node, i);
    const pads = this.padsAttr(node, i);
    const w = this.float(node.input?.[1], at, "weight");
    if (w.dims.length !== 4) fail("SHAPE_MISMATCH", `${at}: weight has shape [${w.dims.join(", ")}]; octet imports 2-D convolutions, weight [K, C/group, kH, kW]`);
    if (w.dims.some((d) => d < 1)) fail("SHAPE_MISMATCH", `${at}: weight has shape [${w.dims.join(", ")}], an empty dimension`);
    const [K, cg, kh, kw] = w.dims as [number, number, number, number];
    const ks = intsAttr(node, "kernel_shape");
    if (ks && (ks.length !== 2 || ks[0] !== kh || ks[1] !== kw)) fail("SHAPE_MISMATCH", `${at}: kernel_shape ${describeValue(ks)} differs from the weight's [${kh}, ${kw}]`);
    const bias = node.input?.[2] ? this.float(node.input[2], at, "bias") : null;
    if (bias && (bias.dims.length !== 1 || bias.data.length !== K)) fail("SHAPE_MISMATCH", `${at}: bias has shape [${bias.dims.join(", ")}], expected [${K}]`);
    const x = this.act(node, i);
    this.needRank(node, i, x, 4);
    const [c, h, wd] = this.shapes.get(x.tensor)!;
    if (c % group !== 0 || K % group !== 0 || cg !== c / group) {
      fail("SHAPE_MISMATCH", `${at}: weight [${w.dims.join(", ")}] with group ${group} does not fit an input of ${c} channels (expected [K, ${c % group === 0 ? c / group : `${c}/${group}`}, kH, kW], K a multiple of ${group})`);
    }
    const p = this.explicitPads(mode, pads, [h, wd], [kh, kw], strides, dilations);
    const ho = windowOutputSize(h, kh, strides[0], p[0], p[2], dilations[0]);
    const wo = windowOutputSize(wd, kw, strides[1], p[1], p[3], dilations[1]);
    if (ho < 1 || wo < 1) fail("SHAPE_MISMATCH", `${at}: kernel ${kh}x${kw} (dilations ${dilations.join("x")}) does not fit the input [${c}, ${h}, ${wd}] with pads [${p.join(", ")}]`);
    const params: Record<string, { dims: number[]; data: Float32Array }> = { weight: w };
    if (bias) params.bias = { dims: [K], data: bias.data };
    const name = this.layerName(node, i);
    this.modelWeights(at, node.input?.[1], 0, node.input?.[2], x, name);
    return this.push(node, i, {
      name, type: "convolution", inputs: [x.tensor], output: this.out(node, i), numOutput: K,
      kernelShape: [kh, kw], strides, pads: p, dilations, group, bias: !!bias,
    }, [K, ho, wo], 4, params);
  }

  private batchNorm(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    if ((intAttr(node, "training_mode") ?? 0) !== 0) this.refuse(node, i, "training_mode", intAttr(node, "training_mode"), "0: octet imports inference graphs");
    for (const k of [1, 2]) if (this.isRead(node.output?.[k])) fail("MODEL_FORMAT", `${at}: its running ${k === 1 ? "mean" : "variance"} output is read; octet imports inference BatchNormalization (one output)`);
    const eps = Math.fround(floatAttr(node, "epsilon") ?? 1e-5);
    if (!Number.isFinite(eps) || eps < 0) this.refuse(node, i, "epsilon", eps, "a finite number >= 0");
    const [gamma, beta, mean, variance] = ["scale", "B", "mean", "var"].map((what, k) => this.float(node.input?.[k + 1], at, what));
    const x = this.act(node, i);
    const shape = this.shapes.get(x.tensor)!;
    const c = x.rank === 4 ? shape[0] : volume(shape);
    [gamma, beta, mean, variance].forEach((t, k) => {
      if (t!.data.length !== c || t!.dims.length !== 1) fail("SHAPE_MISMATCH", `${at}: ${["scale", "B", "mean", "var"][k]} has shape [${t!.dims.join(", ")}], expected [${c}] (one per channel)`);
    });
    const scale = new Float32Array(c), shift = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      const d = variance!.data[k]! + eps;
      if (!(d > 0)) fail("MODEL_FORMAT", `${at}: var + epsilon at channel ${k} is ${d}, expected a positive number`);
      const s = gamma!.data[k]! / Math.sqrt(d);
      scale[k] = s;
      shift[k] = beta!.data[k]! - mean!.data[k]! * s;
    }
    return this.push(node, i, { name: this.layerName(node, i), type: "scale", inputs: [x.tensor], output: this.out(node, i) }, shape, x.rank,
      { scale: { dims: [c], data: scale }, shift: { dims: [c], data: shift } }, "batchnorm");
  }

  private pool(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const max = node.opType === "MaxPool";
    const kernel = this.pair(node, i, "kernel_shape", null);
    const strides = this.pair(node, i, "strides", 1);
    const d = intsAttr(node, "dilations");
    if (d && d.some((v) => v !== 1)) this.refuse(node, i, "dilations", d, "1: octet's pooling has no dilation");
    if (max && (intAttr(node, "storage_order") ?? 0) !== 0) this.refuse(node, i, "storage_order", intAttr(node, "storage_order"), "0 (row major)");
    if (node.output && node.output.length > 1 && node.output[1]) this.refuse(node, i, "Indices output", node.output[1], "no Indices output");
    const ceil = intAttr(node, "ceil_mode") ?? 0;
    if (ceil !== 0 && ceil !== 1) this.refuse(node, i, "ceil_mode", ceil, "0 or 1");
    const include = max ? 0 : intAttr(node, "count_include_pad") ?? 0;
    if (include !== 0 && include !== 1) this.refuse(node, i, "count_include_pad", include, "0 or 1");
    const mode = this.autoPad(node, i);
    const pads = this.padsAttr(node, i);
    const x = this.act(node, i);
    this.needRank(node, i, x, 4);
    const [c, h, w] = this.shapes.get(x.tensor)!;
    const p = this.explicitPads(mode, pads, [h, w], kernel, strides, [1, 1]);
    if (p[0] >= kernel[0] || p[2] >= kernel[0] || p[1] >= kernel[1] || p[3] >= kernel[1]) {
      fail("SHAPE_MISMATCH", `${at}: pads [${p.join(", ")}] must each be below the window ${kernel.join("x")}`);
    }
    const ho = windowOutputSize(h, kernel[0], strides[0], p[0], p[2], 1, ceil === 1);
    const wo = windowOutputSize(w, kernel[1], strides[1], p[1], p[3], 1, ceil === 1);
    if (ho < 1 || wo < 1) fail("SHAPE_MISMATCH", `${at}: window ${kernel.join("x")} does not fit the input [${c}, ${h}, ${w}] with pads [${p.join(", ")}]`);
    return this.push(node, i, {
      name: this.layerName(node, i), type: "pooling", method: max ? "max" : "average", inputs: [x.tensor], output: this.out(node, i),
      kernelShape: kernel, strides, pads: p, ceilMode: ceil === 1, countIncludePad: include === 1,
    }, [c, ho, wo], 4);
  }

  private reduce(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const keep = intAttr(node, "keepdims") ?? 1;
    if (keep !== 0 && keep !== 1) this.refuse(node, i, "keepdims", keep, "0 or 1");
    const axes = node.input?.[1] ? this.ints(node.input[1], at, "axes") : intsAttr(node, "axes");
    const spatial = axes !== undefined && axes.length === 2 && new Set(axes.map((a) => (a < 0 ? a + 4 : a))).size === 2 && axes.every((a) => [2, 3, -1, -2].includes(a));
    if (!spatial) fail("MODEL_FORMAT", `${at}: axes ${describeValue(axes ?? "(none: every axis)")} are not supported; octet reduces over H and W (axes [2, 3]) into a global pooling`);
    const x = this.act(node, i);
    this.needRank(node, i, x, 4);
    const [c] = this.shapes.get(x.tensor)!;
    return this.push(node, i, {
      name: this.layerName(node, i), type: "global_pooling", method: node.opType === "ReduceMax" ? "max" : "average", inputs: [x.tensor], output: this.out(node, i),
    }, [c, 1, 1], keep ? 4 : 2);
  }

  /**
   * A constant's broadcast onto an activation by ONNX's (numpy's) rules, as
   * one value per channel (per output for [N, features]), or null for a
   * scalar; anything else (varying per image / row, over H or W, or growing
   * the result) is a named error.
   */
  private perChannel(at: string, what: string, c: { dims: number[]; data: Float32Array }, x: Value): Float32Array | null {
    const s = this.shapes.get(x.tensor)!;
    const target = x.rank === 4 ? [0, ...s] : [0, volume(s)];
    const dims = c.dims;
    const shape = `[${dims.join(", ")}]`;
    const onto = `[${[this.batchText, ...target.slice(1)].join(", ")}]`;
    if (dims.length > target.length) fail("SHAPE_MISMATCH", `${at}: ${what} ${shape} has more dimensions than the activation ${onto}`);
    const padded = [...Array(target.length - dims.length).fill(1), ...dims] as number[];
    padded.forEach((d, k) => {
      if (k > 0 && d !== 1 && d !== target[k]) fail("SHAPE_MISMATCH", `${at}: ${what} ${shape} does not broadcast onto ${onto}`);
    });
    if (padded[0] !== 1) fail("MODEL_FORMAT", `${at}: ${what} ${shape} has one value per image (row) of ${onto}; octet cannot represent that for a dynamic batch (expected one value per ${x.rank === 4 ? "channel" : "output"}, or a scalar)`);
    if (x.rank === 4 && (padded[2] !== 1 || padded[3] !== 1)) {
      fail("MODEL_FORMAT", `${at}: ${what} ${shape} varies over ${padded[2] !== 1 ? "H" : "W"} of ${onto}; octet takes one value per channel ([1, C, 1, 1] or [C, 1, 1]) or a scalar${dims.length === 1 ? " (a 1-D [C] broadcasts along W in ONNX)" : ""}`);
    }
    return padded[1] === 1 ? null : c.data;
  }

  private gemm(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const transA = intAttr(node, "transA") ?? 0;
    if (transA !== 0) this.refuse(node, i, "transA", transA, "0: octet's fully connected layer reads [N, features]; a transposed A would reduce over the batch");
    const transB = intAttr(node, "transB") ?? 0;
    const alpha = floatAttr(node, "alpha") ?? 1, beta = floatAttr(node, "beta") ?? 1;
    if (this.isConst(node.input?.[0]) && !this.isConst(node.input?.[1])) fail("MODEL_FORMAT", `${at}: A is a constant and B an activation; octet takes A = activation [N, features], B = constant`);
    const b = this.float(node.input?.[1], at, "B");
    if (b.dims.length !== 2) fail("SHAPE_MISMATCH", `${at}: B has shape [${b.dims.join(", ")}], expected 2-D`);
    const w = transB ? b : transpose(b);
    const [O, I] = w.dims as [number, number];
    let bias: Float32Array | null = null;
    if (node.input?.[2]) {
      const c = this.float(node.input[2], at, "C");
      if (c.dims.length > 2) fail("SHAPE_MISMATCH", `${at}: C has shape [${c.dims.join(", ")}], expected [${O}], [1, ${O}] or a scalar`);
      const padded = [...Array(2 - c.dims.length).fill(1), ...c.dims] as number[];
      if (padded[1] !== 1 && padded[1] !== O) fail("SHAPE_MISMATCH", `${at}: C has shape [${c.dims.join(", ")}], which does not broadcast onto the output [M, ${O}]`);
      if (padded[0] !== 1) fail("MODEL_FORMAT", `${at}: C has shape [${c.dims.join(", ")}]: one value per row (image) of the output [M, ${O}]; octet cannot represent that for a dynamic batch (expected [${O}], [1, ${O}] or a scalar)`);
      bias = padded[1] === 1 ? new Float32Array(O).fill(c.data[0]!) : c.data;
    }
    const x = this.act(node, i, 0, true);
    this.needRank(node, i, x, 2);
    const features = volume(this.shapes.get(x.tensor)!);
    if (features !== I) fail("SHAPE_MISMATCH", `${at}: B gives ${I} inputs per output, the input has ${features} features`);
    const params: Record<string, { dims: number[]; data: Float32Array }> = {
      weight: { dims: [O, I], data: alpha === 1 ? w.data : w.data.map((v) => Math.fround(v * alpha)) },
    };
    if (bias) params.bias = { dims: [O], data: beta === 1 ? Float32Array.from(bias) : bias.map((v) => Math.fround(v * beta)) };
    const name = this.layerName(node, i);
    if (alpha === 1 && beta === 1) this.modelWeights(at, node.input?.[1], transB ? 0 : 1, node.input?.[2], x, name);
    else if (this.consts.get(node.input![1]!)?.quantized) this.notes.push(`${shortText(name)}: alpha ${alpha} / beta ${beta} scale its quantized weights; quantized again from its float values`);
    return this.push(node, i, { name, type: "fully_connected", inputs: [x.tensor], output: this.out(node, i), numOutput: O, bias: !!bias }, [O, 1, 1], 2, params);
  }

  private matmul(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    if (this.isConst(node.input?.[0]) && !this.isConst(node.input?.[1])) fail("MODEL_FORMAT", `${at}: A is a constant and B an activation; octet takes A = activation [N, features], B = constant [features, outputs]`);
    const b = this.float(node.input?.[1], at, "B");
    if (b.dims.length !== 2) fail("SHAPE_MISMATCH", `${at}: B has shape [${b.dims.join(", ")}], expected 2-D [in, out]`);
    const w = transpose(b);
    const [O, I] = w.dims as [number, number];
    const x = this.act(node, i, 0, true);
    this.needRank(node, i, x, 2);
    const features = volume(this.shapes.get(x.tensor)!);
    if (features !== I) fail("SHAPE_MISMATCH", `${at}: B gives ${I} inputs per output, the input has ${features} features`);
    const name = this.layerName(node, i);
    this.modelWeights(at, node.input?.[1], 1, undefined, x, name);
    return this.push(node, i, { name, type: "fully_connected", inputs: [x.tensor], output: this.out(node, i), numOutput: O, bias: false }, [O, 1, 1], 2, { weight: w });
  }

  private binary(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const op = node.opType as "Add" | "Sub" | "Mul";
    const [a, b] = [node.input?.[0], node.input?.[1]];
    if (!a || !b) fail("MODEL_FORMAT", `${at}: needs two inputs`);
    const ca = this.isConst(a), cb = this.isConst(b);
    if (ca && cb) fail("MODEL_FORMAT", `${at}: both inputs are constants; octet does not fold constants`);
    if (ca || cb) {
      const x = this.act(node, i, ca ? 1 : 0);
      const c = this.float(ca ? a : b, at, "constant operand");
      const v = this.perChannel(at, "constant operand", c, x);
      const shape = this.shapes.get(x.tensor)!;
      const channels = x.rank === 4 ? shape[0] : volume(shape);
      const values = v ?? new Float32Array(channels).fill(c.data[0]!);
      if (values.length !== channels) fail("SHAPE_MISMATCH", `${at}: constant operand has ${values.length} values, expected ${channels}`);
      let scale: Float32Array, shift: Float32Array;
      if (op === "Mul") [scale, shift] = [Float32Array.from(values), new Float32Array(channels)];
      else if (op === "Add") [scale, shift] = [new Float32Array(channels).fill(1), Float32Array.from(values)];
      else if (!ca) [scale, shift] = [new Float32Array(channels).fill(1), values.map((t) => -t)];
      else [scale, shift] = [new Float32Array(channels).fill(-1), Float32Array.from(values)];
      return this.push(node, i, { name: this.layerName(node, i), type: "scale", inputs: [x.tensor], output: this.out(node, i) }, shape, x.rank,
        { scale: { dims: [channels], data: scale }, shift: { dims: [channels], data: shift } }, op === "Mul" ? "mul" : "shift");
    }
    let x = this.act(node, i, 0), y = this.act(node, i, 1);
    if (x.rank !== y.rank) fail("SHAPE_MISMATCH", `${at}: inputs of rank ${x.rank} and ${y.rank}; octet's ${op} takes two images [N, C, H, W] or two [N, features]`);
    const fits = (p: Value, q: Value) => {
      const [c, h, w] = this.shapes.get(p.tensor)!, [qc, qh, qw] = this.shapes.get(q.tensor)!;
      return (qh === h && qw === w && qc === c) || (qh === 1 && qw === 1 && (qc === c || qc === 1));
    };
    if (!fits(x, y)) {
      const text = (v: Value) => `[${[this.batchText, ...(v.rank === 4 ? this.shapes.get(v.tensor)! : [volume(this.shapes.get(v.tensor)!)])].join(", ")}]`;
      if (!fits(y, x)) fail("SHAPE_MISMATCH", `${at}: ${op} of ${text(x)} and ${text(y)}: octet broadcasts only the second input, from [N, C, 1, 1] or [N, 1, 1, 1]`);
      if (op === "Sub") fail("MODEL_FORMAT", `${at}: Sub of ${text(x)} and ${text(y)} broadcasts its first input; octet broadcasts only the second (Sub is not commutative)`);
      [x, y] = [y, x];
    }
    return this.push(node, i, {
      name: this.layerName(node, i), type: "eltwise", op: op === "Add" ? "add" : op === "Sub" ? "sub" : "mul", inputs: [x.tensor, y.tensor], output: this.out(node, i),
    }, this.shapes.get(x.tensor)!, x.rank);
  }

  private concat(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const axis = intAttr(node, "axis");
    if (axis === undefined) this.refuse(node, i, "axis", "(missing)", "1: octet concatenates channels");
    if (axis !== 1 && axis !== -3 && axis !== -1) this.refuse(node, i, "axis", axis, "1 (or -3 for an image): octet concatenates channels");
    const names = node.input ?? [];
    if (names.length === 0) fail("MODEL_FORMAT", `${at}: has no inputs`);
    const xs = names.map((_, k) => this.act(node, i, k));
    const rank = xs[0]!.rank;
    if (xs.some((x) => x.rank !== rank)) fail("SHAPE_MISMATCH", `${at}: inputs of different ranks`);
    const normalized = axis! < 0 ? axis! + rank : axis;
    if (normalized !== 1) this.refuse(node, i, "axis", axis, `1: octet concatenates channels; this is axis ${normalized} of a rank-${rank} input`);
    const [, h, w] = this.shapes.get(xs[0]!.tensor)!;
    let channels = 0;
    for (const [k, x] of xs.entries()) {
      const s = this.shapes.get(x.tensor)!;
      if (s[1] !== h || s[2] !== w) fail("SHAPE_MISMATCH", `${at}: input ${k} is [${s.join(", ")}] per image, input 0 has H x W ${h} x ${w}`);
      channels += s[0];
    }
    return this.push(node, i, { name: this.layerName(node, i), type: "concat", inputs: xs.map((x) => x.tensor), output: this.out(node, i) }, [channels, h, w], rank);
  }

  private activation(node: NodeProto, i: number, fn: "clip" | "leaky_relu" | "sigmoid" | "tanh" | "hard_sigmoid" | "hard_swish", p: { alpha?: number; beta?: number; min?: number; max?: number }): Outcome {
    const x = this.act(node, i);
    return this.push(node, i, {
      name: this.layerName(node, i), type: "activation", fn, inputs: [x.tensor], output: this.out(node, i),
      alpha: p.alpha ?? 0, beta: p.beta ?? 0, min: p.min ?? 0, max: p.max ?? 0,
    }, this.shapes.get(x.tensor)!, x.rank);
  }

  private softmax(node: NodeProto, i: number): Outcome {
    const x = this.act(node, i);
    const axis = intAttr(node, "axis") ?? (this.opset >= 13 ? -1 : 1);
    const [c, h, w] = this.shapes.get(x.tensor)!;
    // Over the classes of [N, classes], or the channels of [N, C, 1, 1] (before opset 13 axis 1
    // means all of C*H*W: the same there). layers.ts defines octet's softmax on an image with
    // H*W > 1 as per pixel over the channels, but the FP32 kernel runs over all of C*H*W yet:
    // such a softmax is refused rather than imported to a different answer.
    const ok = x.rank === 2 ? axis === 1 || axis === -1 : (axis === 1 || axis === -3) && h * w === 1;
    if (!ok) {
      this.refuse(node, i, "axis", axis, x.rank === 2 ? "1 or -1: the classes of [N, classes]"
        : h * w === 1 ? "1: the channels of [N, C, 1, 1]"
          : `1 on [N, C, 1, 1] or [N, classes]; a softmax over the channels of each pixel of [N, ${c}, ${h}, ${w}] is not supported yet`);
    }
    return this.push(node, i, { name: this.layerName(node, i), type: "softmax", inputs: [x.tensor], output: this.out(node, i) }, this.shapes.get(x.tensor)!, x.rank);
  }

  /** Axes of a rank-4 value, each once, negative ones counted from the end. */
  private axes4(at: string, what: string, axes: number[]): number[] {
    const norm = axes.map((a) => (a < 0 ? a + 4 : a));
    if (norm.some((a) => !Number.isInteger(a) || a < 0 || a > 3) || new Set(norm).size !== norm.length) {
      fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(axes)} are not distinct axes of an image [N, C, H, W]`);
    }
    return norm;
  }

  private pad(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const mode = stringAttr(node, "mode") || "constant";
    if (mode !== "constant") this.refuse(node, i, "mode", mode, "constant: octet pads with a constant value; reflect, edge and wrap padding are not supported");
    const x = this.act(node, i);
    this.needRank(node, i, x, 4);
    let pads: number[], value: number, axes = [0, 1, 2, 3];
    if (node.input?.[1]) {
      pads = this.ints(node.input[1], at, "pads");
      value = 0;
      if (node.input[2]) {
        const c = this.float(node.input[2], at, "constant_value");
        if (c.data.length !== 1) fail("MODEL_FORMAT", `${at}: constant_value has shape [${c.dims.join(", ")}], expected a scalar`);
        value = c.data[0]!;
      }
      if (node.input[3]) axes = this.axes4(at, "axes", this.ints(node.input[3], at, "axes"));
    } else {
      // The form before opset 11: pads and value as attributes.
      const p = intsAttr(node, "pads");
      if (p === undefined) fail("MODEL_FORMAT", `${at}: has no pads (input 1, or before opset 11 the attribute)`);
      pads = p;
      value = Math.fround(floatAttr(node, "value") ?? 0);
    }
    if (!Number.isFinite(value)) fail("MODEL_FORMAT", `${at}: constant value ${value} is not supported (a finite number)`);
    if (pads.length !== 2 * axes.length) fail("MODEL_FORMAT", `${at}: pads ${describeValue(pads)} has ${pads.length} values, expected ${2 * axes.length} (begin and end of each of ${axes.length} axes)`);
    if (pads.some((p) => !Number.isSafeInteger(p) || p > MAX_GRAPH_INT)) fail("MODEL_FORMAT", `${at}: pads ${describeValue(pads)} are not integers up to ${MAX_GRAPH_INT}`);
    if (pads.some((p) => p < 0)) fail("MODEL_FORMAT", `${at}: pads ${describeValue(pads)} are not supported: a negative pad crops, octet's pad only adds (pads >= 0)`);
    const begin = [0, 0, 0, 0], end = [0, 0, 0, 0];
    axes.forEach((a, k) => { begin[a] = pads[k]!; end[a] = pads[k + axes.length]!; });
    const other = [0, 1].find((a) => begin[a] !== 0 || end[a] !== 0);
    if (other !== undefined) fail("MODEL_FORMAT", `${at}: pads ${describeValue(pads)} pad the ${other === 0 ? "batch" : "channel"} axis; octet pads only H and W`);
    const [c, h, w] = this.shapes.get(x.tensor)!;
    const [t, l, b, r] = [begin[2]!, begin[3]!, end[2]!, end[3]!];
    return this.push(node, i, {
      name: this.layerName(node, i), type: "pad", inputs: [x.tensor], output: this.out(node, i), pads: [t, l, b, r], value,
    }, [c, h + t + b, w + l + r], 4);
  }

  /**
   * Resize (opsets 11 to 21) or Upsample (the op before opset 10: nearest is
   * asymmetric with floor) in nearest mode by integer factors on H and W,
   * from scales or sizes. octet's resize replicates each pixel f times; the
   * node's coordinate transformation and rounding are evaluated at every
   * output row and column of this input's size, and taken only where they
   * give that replication.
   */
  private resize(node: NodeProto, i: number, upsample: boolean): Outcome {
    const at = this.where(node, i);
    const mode = stringAttr(node, "mode") || "nearest";
    if (mode !== "nearest") this.refuse(node, i, "mode", mode, "nearest: octet's resize replicates pixels; linear and cubic interpolation are not supported");
    const transform = (upsample ? "asymmetric" : stringAttr(node, "coordinate_transformation_mode") || "half_pixel") as ResizeTransform;
    if (!RESIZE_TRANSFORMS.includes(transform)) this.refuse(node, i, "coordinate_transformation_mode", transform, `one of ${RESIZE_TRANSFORMS.join(", ")}`);
    if (transform === "tf_crop_and_resize") this.refuse(node, i, "coordinate_transformation_mode", transform, "it crops to the roi input; octet resizes whole images");
    const rounding = (upsample ? "floor" : stringAttr(node, "nearest_mode") || "round_prefer_floor") as NearestMode;
    if (!NEAREST_MODES.includes(rounding)) this.refuse(node, i, "nearest_mode", rounding, `one of ${NEAREST_MODES.join(", ")}`);
    const x = this.act(node, i);
    this.needRank(node, i, x, 4);
    const [c, h, w] = this.shapes.get(x.tensor)!;
    const axesAttr = intsAttr(node, "axes");
    const axes = axesAttr ? this.axes4(at, "axes", axesAttr) : [0, 1, 2, 3];
    const scales = [1, 1, 1, 1];
    const given = (what: string, n: number) => {
      if (n !== axes.length) fail("MODEL_FORMAT", `${at}: ${what} has ${n} values, expected ${axes.length} (one per ${axesAttr ? "axis in axes" : "axis of [N, C, H, W]"})`);
    };
    const scalesValue = upsample ? node.input?.[1] : node.input?.[2];
    const sizesValue = upsample ? undefined : node.input?.[3];
    const scaleData = scalesValue ? this.float(scalesValue, at, "scales").data : upsample ? floatsAttr(node, "scales") : undefined;
    if (scaleData && scaleData.length > 0) {
      if (sizesValue) fail("MODEL_FORMAT", `${at}: has both scales and sizes; ONNX takes one of them`);
      given("scales", scaleData.length);
      axes.forEach((a, k) => { scales[a] = scaleData[k]!; });
      if (scales[0] !== 1 || scales[1] !== 1) fail("MODEL_FORMAT", `${at}: scales ${describeValue(Array.from(scaleData))} resize the ${scales[0] !== 1 ? "batch" : "channel"} axis; octet resizes only H and W`);
      for (const k of [2, 3]) {
        const f = scales[k]!;
        if (!(Number.isInteger(f) && f >= 1 && f <= MAX_GRAPH_INT)) {
          fail("MODEL_FORMAT", `${at}: scale ${f} on ${k === 2 ? "H" : "W"} is not supported; octet's resize takes integer factors >= 1 (nearest upsampling by whole pixels)`);
        }
      }
    } else if (sizesValue) {
      const policy = stringAttr(node, "keep_aspect_ratio_policy") || "stretch";
      if (policy !== "stretch") this.refuse(node, i, "keep_aspect_ratio_policy", policy, "stretch: octet takes each axis's size as given");
      const sizes = this.ints(sizesValue, at, "sizes");
      given("sizes", sizes.length);
      const dims = [this.batch, c, h, w];
      axes.forEach((a, k) => {
        const size = sizes[k]!;
        if (a === 0) {
          if (this.batch === null || size !== this.batch) fail("MODEL_FORMAT", `${at}: sizes ${describeValue(sizes)} give the batch ${size}: the input's batch is ${this.batch ?? "dynamic"}; octet resizes only H and W`);
          return;
        }
        if (a === 1) {
          if (size !== c) fail("MODEL_FORMAT", `${at}: sizes ${describeValue(sizes)} give ${size} channels, the input has ${c}; octet resizes only H and W`);
          return;
        }
        const d = dims[a]!;
        if (!(Number.isSafeInteger(size) && size >= d && size % d === 0 && size / d <= MAX_GRAPH_INT)) {
          fail("MODEL_FORMAT", `${at}: size ${size} on ${a === 2 ? "H" : "W"} is not a multiple of the input's ${d}; octet's resize takes integer factors >= 1`);
        }
        scales[a] = size / d;
      });
    } else {
      fail("MODEL_FORMAT", `${at}: has neither scales nor sizes (${upsample ? "input 1 or the scales attribute" : "inputs 2 and 3"})`);
    }
    const [fh, fw] = [scales[2]!, scales[3]!];
    const output: Chw = [c, h * fh, w * fw];
    if (volume(output) > MAX_TENSOR_ELEMENTS) fail("SHAPE_MISMATCH", `${at}: output [${output.join(", ")}] per image is larger than octet takes (${MAX_TENSOR_ELEMENTS} values)`);
    for (const [axis, size, f] of [["row", h, fh], ["column", w, fw]] as const) {
      const bad = firstNonReplicated(transform, rounding, size, f);
      if (bad !== null) {
        fail("MODEL_FORMAT", `${at}: coordinate_transformation_mode ${transform} with nearest_mode ${rounding} is not supported here: by ${f} on ${size} it maps output ${axis} ${bad.out} to input ${axis} ${bad.source}, not ${Math.floor(bad.out / f)}; ` +
          "octet's resize replicates each pixel (as asymmetric with floor does, and half_pixel or pytorch_half_pixel with round_prefer_floor or round_prefer_ceil)");
      }
    }
    return this.push(node, i, { name: this.layerName(node, i), type: "resize", inputs: [x.tensor], output: this.out(node, i), factors: [fh, fw] }, output, 4);
  }

  /** PRelu with a constant slope, one per channel ([C, 1, 1], [1, C, 1, 1]; [C] on [N, C]) or a scalar. */
  private prelu(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const slope = this.float(node.input?.[1], at, "slope");
    const x = this.act(node, i);
    const v = this.perChannel(at, "slope", slope, x);
    const shape = this.shapes.get(x.tensor)!;
    const channels = x.rank === 4 ? shape[0] : volume(shape);
    if (slope.data.length === 0) fail("SHAPE_MISMATCH", `${at}: slope has no values`);
    const values = v ? Float32Array.from(v) : new Float32Array(channels).fill(slope.data[0]!);
    if (values.length !== channels) fail("SHAPE_MISMATCH", `${at}: slope has ${values.length} values, expected ${channels}`);
    return this.push(node, i, { name: this.layerName(node, i), type: "prelu", inputs: [x.tensor], output: this.out(node, i) }, shape, x.rank,
      { slope: { dims: [channels], data: values } });
  }

  /** The activation seen with another per-image shape: an image [C, H, W] or a vector [features] of the same tensor. */
  private view(node: NodeProto, i: number, x: Value, dims: number[], what: string): Outcome {
    const s = this.shapes.get(x.tensor)!;
    const out = this.out(node, i);
    this.views.add(out);
    if (dims.length === 1 && dims[0] === volume(s)) return this.alias(out, { tensor: x.tensor, rank: 2 }, `${what}: [N, ${dims[0]}] view of ${shortText(x.tensor)}`);
    if (dims.length === 3 && dims.every((d, k) => d === s[k])) return this.alias(out, { tensor: x.tensor, rank: 4 }, `${what}: [N, ${dims.join(", ")}] view of ${shortText(x.tensor)}`);
    return fail("MODEL_FORMAT", `${this.where(node, i)}: a view of [N, ${(x.rank === 4 ? s : [volume(s)]).join(", ")}] as [N, ${dims.join(", ")}] is not supported; octet keeps images [N, C, H, W] and vectors [N, features]`);
  }

  private flatten(node: NodeProto, i: number): Outcome {
    const axis = intAttr(node, "axis") ?? 1;
    const x = this.act(node, i, 0, true);
    const normalized = axis < 0 ? axis + x.rank : axis;
    if (normalized !== 1) this.refuse(node, i, "axis", axis, "1: keep the batch, flatten the rest");
    return this.view(node, i, x, [volume(this.shapes.get(x.tensor)!)], "Flatten");
  }

  private reshape(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const shape = this.ints(node.input?.[1], at, "shape");
    const allowZero = (intAttr(node, "allowzero") ?? 0) !== 0;
    const x = this.act(node, i, 0, true);
    const s = this.shapes.get(x.tensor)!;
    const inDims = x.rank === 4 ? s : [volume(s)];
    const total = volume(s);
    const bad = (why: string): never => fail("MODEL_FORMAT", `${at}: shape ${describeValue(shape)} is not supported (${why}); octet reshapes an image [N, C, H, W] only to [N, C*H*W] and back, e.g. [0, -1] or [-1, features]`);
    if (shape.length < 2) bad("it drops the batch axis");
    const first = shape[0]!;
    const rest = shape.slice(1).map((d, k) => (d === 0 && !allowZero ? inDims[k] ?? bad("0 copies an axis the input does not have") : d));
    if (rest.some((d) => d < -1 || (d === 0))) bad("an empty or negative dimension");
    if (rest.filter((d) => d === -1).length > (first === -1 ? 0 : 1)) bad("more than one -1");
    if (first === 0 && allowZero) bad("allowzero with a 0 batch");
    if (first !== -1 && first !== 0 && (this.batch === null || first !== this.batch)) bad(`the batch ${first}: the input's batch is ${this.batch ?? "dynamic"}`);
    const known = rest.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const dims = rest.map((d) => (d === -1 ? (total % known === 0 ? total / known : bad(`${total} values per image do not split`)) : d));
    if (volume(dims) !== total) bad(`[${dims.join(", ")}] per image holds ${volume(dims)} values, the input ${total}`);
    return this.view(node, i, x, dims, "Reshape");
  }

  private squeeze(node: NodeProto, i: number, unsqueeze: boolean): Outcome {
    const at = this.where(node, i);
    const axes = node.input?.[1] ? this.ints(node.input[1], at, "axes") : intsAttr(node, "axes");
    if (!axes || axes.length === 0) fail("MODEL_FORMAT", `${at}: needs explicit axes (without them the batch axis could be squeezed too)`);
    const x = this.act(node, i, 0, true);
    const s = this.shapes.get(x.tensor)!;
    const dims: number[] = [-1, ...(x.rank === 4 ? s : [volume(s)])];
    const rank = unsqueeze ? dims.length + axes.length : dims.length;
    const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    if (set.size !== axes.length || [...set].some((a) => a < 1 || a >= rank)) fail("MODEL_FORMAT", `${at}: axes ${describeValue(axes)} are not supported (each once, not the batch axis 0)`);
    let outDims: number[];
    if (unsqueeze) {
      outDims = [];
      let k = 0;
      for (let a = 0; a < rank; a++) outDims.push(set.has(a) ? 1 : dims[k++]!);
    } else {
      if ([...set].some((a) => dims[a] !== 1)) fail("MODEL_FORMAT", `${at}: axes ${describeValue(axes)} include an axis whose size is not 1`);
      outDims = dims.filter((_, a) => !set.has(a));
    }
    return this.view(node, i, x, outDims.slice(1), node.opType!);
  }

  // ---------------------------------------------------------------- Q/DQ

  /**
   * The zero point of a Q or DQ node: its values as given and its type. No
   * input means uint8 zero point 0 (ONNX's default). A value outside its type
   * is refused.
   */
  private zeroPoint(node: NodeProto, i: number, allowInt32 = false): { type: number; values: number[] } {
    const at = this.where(node, i);
    const zp = node.input?.[2];
    if (!zp) return { type: allowInt32 ? DataType.INT32 : DataType.UINT8, values: [0] };
    const c = this.constant(zp, at, "zero point");
    const range: Record<number, [number, number]> = { [DataType.INT8]: [-128, 127], [DataType.UINT8]: [0, 255] };
    if (allowInt32) range[DataType.INT32] = [0, 0];
    const r = range[c.type];
    if (!r) fail("MODEL_FORMAT", `${at}: zero point is ${typeName(c.type)}; octet takes int8 or uint8 quantization${allowInt32 ? " (int32 with zero point 0 for a bias)" : ""}`);
    const values = Array.from(c.values as ArrayLike<number>);
    if (values.length === 0) fail("MODEL_FORMAT", `${at}: zero point has no values`);
    values.forEach((v, k) => {
      if (!Number.isInteger(v) || v < r[0] || v > r[1]) fail("MODEL_FORMAT", `${at}: zero point ${values.length > 1 ? `${k} ` : ""}${v} is outside ${typeName(c.type)}'s range ${r[0]}..${r[1]}`);
    });
    return { type: c.type, values };
  }

  /** An activation's zero point, int8-stored (uint8 z as z - 128); per-tensor only. */
  private activationZero(node: NodeProto, i: number): { stored: number; type: number } {
    const at = this.where(node, i);
    const z = this.zeroPoint(node, i);
    if (z.values.length !== 1) fail("MODEL_FORMAT", `${at}: activation zero point has ${z.values.length} values; octet takes per-tensor activation quantization`);
    return { stored: z.type === DataType.UINT8 ? z.values[0]! - 128 : z.values[0]!, type: z.type };
  }

  private scale(node: NodeProto, at: string): { dims: number[]; data: Float32Array } {
    const scale = this.float(node.input?.[1], at, "scale");
    if (scale.data.length === 0) fail("MODEL_FORMAT", `${at}: scale has no values`);
    scale.data.forEach((s, k) => {
      const problem = scaleProblem(s);
      if (problem) fail("MODEL_FORMAT", `${at}: scale ${scale.data.length > 1 ? `${k} ` : ""}${s} ${problem}; expected a positive normal float up to 2^64`);
    });
    return scale;
  }

  private quantizeLinear(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const x = node.input?.[0];
    const scale = this.scale(node, at);
    const out = this.out(node, i);
    if (this.isConst(x)) {
      // Q of a float weight (NVIDIA's form): its int8 values now; the DequantizeLinear after it gives them their scales.
      const z = this.zeroPoint(node, i);
      if (z.type !== DataType.INT8) fail("MODEL_FORMAT", `${at}: a weight quantized to ${typeName(z.type)}; octet's weights are symmetric int8`);
      const w = this.float(x, at, "x");
      const axis = intAttr(node, "axis") ?? 1;
      const q = fakeQuantize(w, scale.data, z.values, axis, at);
      return this.setConst(out, { dims: w.dims, values: q, type: DataType.INT8, zero: z.values });
    }
    if (scale.data.length !== 1) fail("MODEL_FORMAT", `${at}: activation scale has ${scale.data.length} values; octet takes per-tensor activation scales`);
    const z = this.activationZero(node, i);
    const v = this.act(node, i, 0, true);
    if (x && this.views.has(x)) this.viewed.set(out, x);
    this.quantized.set(out, { value: v, scale: scale.data[0]!, zero: z.stored });
    return { kind: "absorbed", how: `scale ${scale.data[0]}${z.stored ? `, zero point ${z.type === DataType.UINT8 ? z.stored + 128 : z.stored}` : ""} of ${shortText(v.tensor)} (with its DequantizeLinear)` };
  }

  private dequantizeLinear(node: NodeProto, i: number): Outcome {
    const at = this.where(node, i);
    const q = node.input?.[0];
    this.isConst(q); // a value of a node that was not imported: skip this one
    const pending = q ? this.quantized.get(q) : undefined;
    const scale = this.scale(node, at);
    const out = this.out(node, i);
    if (pending) {
      const { value: v, scale: s, zero } = pending;
      const z = this.activationZero(node, i);
      if (scale.data.length !== 1 || scale.data[0] !== s) fail("MODEL_FORMAT", `${at}: scale differs from its QuantizeLinear's (${s})`);
      if (z.stored !== zero) fail("MODEL_FORMAT", `${at}: zero point differs from its QuantizeLinear's`);
      const known = this.scales.get(v.tensor);
      const knownZero = this.zeroPoints.get(v.tensor) ?? 0;
      if (known !== undefined && (known !== s || knownZero !== zero)) {
        fail("MODEL_FORMAT", `${at}: tensor ${shortText(v.tensor)} is quantized twice, on two grids (scale ${known}, zero point ${knownZero} and scale ${s}, zero point ${zero}); octet keeps one grid per tensor`);
      }
      if (known !== undefined && this.viewed.has(q!)) {
        this.notes.push(`QuantizeLinear/DequantizeLinear on ${shortText(this.viewed.get(q!)!)} (a view of ${shortText(v.tensor)}) requantize on its grid: elided`);
      }
      const relu = zero === -128 ? this.zeroPointRelu(v) : null;
      const target = relu ?? v;
      this.scales.set(target.tensor, s);
      if (zero !== 0) this.zeroPoints.set(target.tensor, zero);
      return this.alias(out, target, `scale ${s}${zero ? `, zero point ${zero} (int8-stored)` : ""} of ${shortText(v.tensor)}${relu ? `; its grid starts at 0, a ReLU: layer ${shortText(relu.tensor)}` : ""}`);
    }
    const c = this.constant(q, at, "x");
    const int32 = c.type === DataType.INT32;
    // Without a zero point input, x's own type with zero point 0.
    const z = node.input?.[2] ? this.zeroPoint(node, i, int32) : { type: c.type, values: [0] };
    if (c.type !== DataType.INT8 && c.type !== DataType.UINT8 && !int32) fail("MODEL_FORMAT", `${at}: x is ${typeName(c.type)}; octet dequantizes int8, uint8 and int32 constants`);
    if (z.type !== c.type) fail("MODEL_FORMAT", `${at}: zero point is ${typeName(z.type)}, x is ${typeName(c.type)}`);
    const axis = intAttr(node, "axis") ?? 1;
    const values = dequantizeConst(c, scale.data, z.values, axis, at);
    const quantized = c.type === DataType.UINT8 ? undefined : { values: Int32Array.from(c.values as ArrayLike<number>), scales: scale.data, zero: z.values, axis, dims: c.dims, type: c.type };
    return this.setConst(out, { dims: c.dims, values, type: DataType.FLOAT, quantized });
  }

  /**
   * A grid that starts at 0 (uint8 zero point 0, int8 -128) clamps its
   * tensor at 0: ONNX Runtime's quantizer removes the Relu after a Conv or
   * Gemm for that reason. The ReLU is restored as a layer after such a
   * producer, so that the FP32 path computes what the QDQ graph does and the
   * INT8 path fuses it (the same clamp).
   */
  private zeroPointRelu(v: Value): Value | null {
    const known = this.restoredRelu.get(v.tensor);
    if (known) return known;
    const producer = this.layers.find((l) => l.output === v.tensor);
    const clamps = producer && (producer.type === "convolution" || producer.type === "fully_connected" || producer.type === "scale" || (producer.type === "eltwise" && producer.op !== "mul"));
    if (!clamps) return null;
    const name = this.uniqueName(`${producer.name}/zero_point_relu`);
    const relu: Layer = { name, type: "relu", inputs: [v.tensor], output: name };
    this.layers.push(relu);
    const row = this.layerRow.get(producer.name);
    if (row !== undefined) this.layerRow.set(name, row);
    const value = { tensor: name, rank: v.rank };
    this.values.set(name, value);
    this.shapes.set(name, this.shapes.get(v.tensor)!);
    this.restoredRelu.set(v.tensor, value);
    this.notes.push(`${shortText(producer.name)}: its QuantizeLinear grid starts at 0 (the quantizer removed a Relu): ReLU restored as layer ${shortText(name)}`);
    return value;
  }

  /**
   * The model's int8 weights of a layer whose weight constant came from a
   * DequantizeLinear: values [K][per] in octet's order (transposed for a
   * Gemm / MatMul B [in, out]) and one scale per output channel; its int32
   * bias when the bias also came from one on the grid of input scale x
   * weight scale. Weights with a zero point other than 0 are refused.
   */
  private modelWeights(at: string, weightValue: string | undefined, outAxis: 0 | 1, biasValue: string | undefined, input: Value, layer: string): void {
    const c = weightValue ? this.consts.get(weightValue) : undefined;
    const qd = c?.quantized;
    if (!qd) return;
    if (qd.type !== DataType.INT8) fail("MODEL_FORMAT", `${at}: weight is quantized to ${typeName(qd.type)}; octet's weights are symmetric int8`);
    const z = qd.zero.find((v) => v !== 0);
    if (z !== undefined) fail("MODEL_FORMAT", `${at}: weight zero point ${z} is not 0; octet's weights are symmetric int8`);
    const dims = qd.dims;
    const K = dims[outAxis]!;
    const axis = qd.axis < 0 ? qd.axis + dims.length : qd.axis;
    if (qd.scales.length !== 1 && axis !== outAxis) fail("MODEL_FORMAT", `${at}: weight scales on axis ${qd.axis}, not the output-channel axis ${outAxis}; octet scales weights per output channel`);
    const scales = qd.scales.length === 1 ? new Float32Array(K).fill(qd.scales[0]!) : Float32Array.from(qd.scales);
    let q: Int8Array;
    if (outAxis === 0) q = Int8Array.from(qd.values);
    else {
      const [r, cc] = dims as [number, number];
      q = new Int8Array(r * cc);
      for (let a = 0; a < r; a++) for (let b = 0; b < cc; b++) q[b * r + a] = qd.values[a * cc + b]!;
    }
    const given: QuantizedWeights = { q, scales };
    const b = biasValue ? this.consts.get(biasValue)?.quantized : undefined;
    const sIn = this.scales.get(input.tensor);
    if (b && b.type === DataType.INT32 && sIn !== undefined) {
      const grid = scales.every((sw, k) => Math.fround(sIn * sw) === (b.scales.length === 1 ? b.scales[0] : b.scales[k]));
      if (grid && b.values.length === K) given.bias = Int32Array.from(b.values);
      else this.notes.push(`${shortText(layer)}: its int32 bias is not on the grid input scale x weight scale; quantized again from its float values`);
    }
    this.modelQuantized.set(layer, given);
  }
}

/**
 * The first output index where ONNX's nearest Resize of an axis of `size` by
 * the integer factor `f` reads another input index than replication
 * (floor(out / f)), or null when they agree everywhere. ONNX Runtime's
 * arithmetic, in float32: the coordinate transformation, then the rounding,
 * then the clamp into [0, size - 1].
 */
export function firstNonReplicated(transform: ResizeTransform, rounding: NearestMode, size: number, f: number): { out: number; source: number } | null {
  const F = Math.fround;
  const length = size * f;
  for (let o = 0; o < length; o++) {
    let x: number;
    switch (transform) {
      case "asymmetric": x = F(o / f); break;
      case "half_pixel":
      // An integer factor on the whole size: no offset, as half_pixel.
      case "half_pixel_symmetric": x = F(F(F(o + 0.5) / f) - 0.5); break;
      case "pytorch_half_pixel": x = length > 1 ? F(F(F(o + 0.5) / f) - 0.5) : 0; break;
      case "align_corners": x = length === 1 ? 0 : F(F(o * (size - 1)) / (length - 1)); break;
      case "tf_half_pixel_for_nn": x = F(F(o + 0.5) / f); break;
      default: return { out: o, source: -1 };
    }
    // std::round rounds halves away from zero; round_prefer_floor takes the floor of x.5.
    const away = Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
    let k: number;
    switch (rounding) {
      case "floor": k = Math.floor(x); break;
      case "ceil": k = Math.ceil(x); break;
      case "round_prefer_ceil": k = away; break;
      case "round_prefer_floor": k = x === Math.trunc(x) + 0.5 ? Math.floor(x) : away; break;
    }
    const source = Math.min(Math.max(k, 0), size - 1);
    if (source !== Math.floor(o / f)) return { out: o, source };
  }
  return null;
}

/**
 * TensorRT's Q/DQ propagation: a tensor the model leaves without a grid
 * whose only reader is a layer that keeps its input's grid (max pooling, a
 * ReLU, a pad, a nearest resize) takes that layer's output grid, as if the
 * Q/DQ pair sat before it (NVIDIA's form quantizes only layer inputs, after
 * the pooling). Backward along chains of such layers.
 */
function propagateGrids(layers: readonly Layer[], scales: Map<string, number>, zeros: Map<string, number>, notes: string[]): void {
  const readers = new Map<string, Layer[]>();
  for (const l of layers) for (const t of l.inputs) readers.set(t, [...(readers.get(t) ?? []), l]);
  const keeps = (l: Layer) => (l.type === "pooling" && l.method === "max") || l.type === "relu" || l.type === "pad" || l.type === "resize" || (l.type === "global_pooling" && l.method === "max");
  for (let i = layers.length - 1; i >= 0; i--) {
    const t = layers[i]!.output;
    const r = readers.get(t) ?? [];
    if (scales.has(t) || r.length !== 1 || !keeps(r[0]!) || !scales.has(r[0]!.output)) continue;
    scales.set(t, scales.get(r[0]!.output)!);
    const z = zeros.get(r[0]!.output);
    if (z !== undefined) zeros.set(t, z);
    notes.push(`${shortText(t)} has no QuantizeLinear; it takes the grid of ${shortText(r[0]!.output)} through ${r[0]!.type} ${shortText(r[0]!.name)} (TensorRT's Q/DQ propagation)`);
  }
}

/** [before, after] pads of auto_pad SAME_UPPER / SAME_LOWER: output ceil(size / stride), the odd pad after (UPPER) or before (LOWER). */
export function samePads(size: number, kernel: number, stride: number, dilation: number, upper: boolean): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size);
  const small = Math.floor(total / 2);
  return upper ? [small, total - small] : [total - small, small];
}

function transpose(m: { dims: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [r, c] = m.dims as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = m.data[i * c + j]!;
  return { dims: [c, r], data: out };
}

function scaleIndex(dims: number[], scales: Float32Array, axis: number, at: string): (i: number) => number {
  if (scales.length === 1) return () => 0;
  const a = axis < 0 ? axis + dims.length : axis;
  if (dims[a] !== scales.length) fail("SHAPE_MISMATCH", `${at}: ${scales.length} scales on axis ${axis} of a [${dims.join(", ")}] tensor`);
  const inner = dims.slice(a + 1).reduce((x, y) => x * y, 1);
  return (i) => Math.floor(i / inner) % scales.length;
}

/** ONNX's DequantizeLinear of a constant: (q - z) * s, per tensor or per axis (zero points as the scales). */
function dequantizeConst(c: Constant, scales: Float32Array, zeros: number[], axis: number, at: string): Float32Array {
  const idx = scaleIndex(c.dims, scales, axis, at);
  if (zeros.length !== 1 && zeros.length !== scales.length) fail("SHAPE_MISMATCH", `${at}: ${zeros.length} zero points for ${scales.length} scales`);
  const z = (i: number) => (zeros.length === 1 ? zeros[0]! : zeros[idx(i)]!);
  return Float32Array.from(c.values as ArrayLike<number>, (v, i) => Math.fround((v - z(i)) * scales[idx(i)]!));
}

/** ONNX's QuantizeLinear of a float weight to int8: clamp(round(v / s) + z, -128, 127). */
function fakeQuantize(w: { dims: number[]; data: Float32Array }, scales: Float32Array, zeros: number[], axis: number, at: string): Int32Array {
  const idx = scaleIndex(w.dims, scales, axis, at);
  if (zeros.length !== 1 && zeros.length !== scales.length) fail("SHAPE_MISMATCH", `${at}: ${zeros.length} zero points for ${scales.length} scales`);
  return Int32Array.from(w.data, (v, i) => {
    const q = roundHalfEven(Math.fround(v / scales[idx(i)]!)) + (zeros.length === 1 ? zeros[0]! : zeros[idx(i)]!);
    return Math.max(-128, Math.min(127, q));
  });
}
