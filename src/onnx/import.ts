// ONNX import: a model built from Conv, MaxPool, AveragePool, Gemm,
// MatMul + Add, Relu, Flatten / Reshape and Softmax (opset 11 to 21) becomes
// octet's graph, named after the ONNX nodes and values; initializers become
// weights. QuantizeLinear / DequantizeLinear pairs (explicit quantization)
// give activation scales instead of calibration, as in TensorRT. Anything
// else is refused with the node, op and attribute at fault: a model is never
// partly imported.
import { parseGraph, describeValue, shortText, GRAPH_FORMAT, GRAPH_VERSION, type Graph, type Layer } from "../model/graph.js";
import { assembleModel, paramName, type Model } from "../model/model.js";
import { checkFinite, type WeightMap } from "../model/weights-file.js";
import { scaleProblem } from "../calib/cache.js";
import { fail } from "../errors.js";
import { roundHalfEven } from "../int8/numerics.js";
import {
  decodeModel, num, intsAttr, intAttr, floatAttr, stringAttr, tensorValues, typeName, DataType,
  type NodeProto, type TensorProto,
} from "./proto.js";

export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

interface Constant {
  dims: number[];
  values: Float32Array | Int32Array | number[];
  type: number;
}

export function importOnnx(bytes: Uint8Array, file: string): Model {
  const proto = decodeModel(bytes, file);
  const g = proto.graph!;
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  const version = num(opset?.version as number | undefined);
  if (version < MIN_OPSET || version > MAX_OPSET) {
    fail("MODEL_FORMAT", `${file}: ONNX opset ${version || "(none)"} is not supported; octet imports opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  }
  const consts = new Map<string, Constant>();
  for (const t of g.initializer ?? []) consts.set(t.name ?? "", tensorValues(t, file));
  const inputs = (g.input ?? []).filter((i) => !consts.has(i.name ?? ""));
  if (inputs.length !== 1) fail("MODEL_FORMAT", `${file}: expected one graph input (besides initializers), found ${inputs.length}: ${inputs.map((i) => i.name).join(", ")}`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensorType;
  if (tensorType?.elemType !== DataType.FLOAT) fail("MODEL_FORMAT", `${file}: input ${input.name}: element type ${typeName(tensorType?.elemType ?? 0)}, expected float`);
  const dims = (tensorType.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue as number) > 0 ? num(d.dimValue as number) : -1));
  if (dims.length !== 4 || dims.slice(1).some((d) => d < 1)) {
    fail("SHAPE_MISMATCH", `${file}: input ${input.name}: shape [${dims.map((d) => (d < 0 ? "?" : d)).join(", ")}], expected [N, C, H, W] with fixed C, H, W`);
  }
  const state = new ImportState(file, version, consts);
  state.alias.set(input.name!, input.name!);
  state.rank.set(input.name!, 4);
  (g.node ?? []).forEach((node, i) => state.node(node, i));
  const outputs = g.output ?? [];
  if (outputs.length !== 1) fail("MODEL_FORMAT", `${file}: expected one graph output, found ${outputs.length}`);
  const output = state.resolve(outputs[0]!.name!, "graph output");
  const graph: Graph = {
    name: g.name || file.replace(/^.*[\\/]/, "").replace(/\.onnx$/, ""),
    input: { name: input.name!, shape: dims.slice(1) as [number, number, number] },
    layers: state.layers,
    output,
    weights: `${file} (initializers)`,
  };
  // The same field checks as octet's own JSON graphs (strides, windows, kernels >= 1, ...).
  const checked = parseGraph(JSON.stringify({ format: GRAPH_FORMAT, version: GRAPH_VERSION, ...graph }), file);
  const model = assembleModel(checked, state.weights, file);
  if (state.scales.size > 0) model.quantization = { scales: state.scales, source: `QDQ nodes in ${file}` };
  return model;
}

class ImportState {
  readonly layers: Layer[] = [];
  readonly weights: WeightMap = new Map();
  readonly scales = new Map<string, number>();
  /** ONNX value name -> octet tensor name (Flatten, Reshape, Q/DQ, Identity pass through). */
  readonly alias = new Map<string, string>();
  /** Outputs of QuantizeLinear on activations: value -> [octet tensor, scale]. */
  private readonly quantized = new Map<string, [string, number]>();
  private readonly names = new Set<string>();
  /** Next suffix to try per base name, so that de-duplicating n equal names stays linear. */
  private readonly nextSuffix = new Map<string, number>();
  /** Values that are flattened views: only a fully connected layer may consume them. */
  private readonly flattened = new Set<string>();
  /** ONNX rank of each octet tensor: 4 for images, 2 after a flatten or a fully connected layer. */
  readonly rank = new Map<string, number>();

  constructor(readonly file: string, readonly opset: number, readonly consts: Map<string, Constant>) {}

  private where(node: NodeProto, i: number): string {
    return `${this.file}: node ${node.name ? shortText(node.name) : `#${i}`} (${shortText(node.opType ?? "")})`;
  }

  resolve(value: string, where: string): string {
    const t = this.alias.get(value);
    if (t === undefined) fail("MODEL_FORMAT", `${this.file}: ${where}: value ${describeValue(value)} is not produced by a supported node (or is a weight where an activation belongs)`);
    return t;
  }

  private constant(value: string | undefined, at: string, what: string): Constant {
    const c = value ? this.consts.get(value) : undefined;
    if (!c) fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(value ?? "")} must be an initializer (constant)`);
    return c;
  }

  private float(value: string | undefined, at: string, what: string): { dims: number[]; data: Float32Array } {
    const c = this.constant(value, at, what);
    if (!(c.values instanceof Float32Array)) fail("MODEL_FORMAT", `${at}: ${what} ${describeValue(value)} is ${typeName(c.type)}, expected float`);
    return { dims: c.dims, data: c.values };
  }

  private layerName(node: NodeProto, i: number): string {
    const base = node.name || `${node.opType}_${i}`;
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

  private activation(node: NodeProto, i: number, k = 0): string {
    const value = node.input?.[k];
    if (!value) fail("MODEL_FORMAT", `${this.where(node, i)}: input ${k} is missing`);
    if (this.flattened.has(value) && node.opType !== "Gemm" && node.opType !== "MatMul") {
      fail("MODEL_FORMAT", `${this.where(node, i)}: reads the flattened value ${describeValue(value)}; octet flattens only into a fully connected layer (Gemm or MatMul)`);
    }
    return this.resolve(value, this.where(node, i));
  }

  private out(node: NodeProto, i: number): string {
    const value = node.output?.[0];
    if (!value) fail("MODEL_FORMAT", `${this.where(node, i)}: has no output`);
    return value;
  }

  private refuse(node: NodeProto, i: number, attribute: string, found: unknown, expected: string): never {
    return fail("MODEL_FORMAT", `${this.where(node, i)}: attribute ${attribute} = ${describeValue(found)} is not supported (${expected})`);
  }

  private square(node: NodeProto, i: number, name: string, values: number[] | undefined, fallback: number): number {
    const v = values ?? [fallback, fallback];
    if (v.length !== 2 || v[0] !== v[1]) this.refuse(node, i, name, v, "octet supports square 2-D windows and equal strides");
    return v[0]!;
  }

  private pads(node: NodeProto, i: number): number {
    const autoPad = stringAttr(node, "auto_pad");
    if (autoPad && autoPad !== "NOTSET" && autoPad !== "VALID") this.refuse(node, i, "auto_pad", autoPad, "NOTSET or VALID");
    const p = intsAttr(node, "pads") ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((x) => x !== p[0])) this.refuse(node, i, "pads", p, "the same padding on every side");
    return p[0]!;
  }

  private noDilation(node: NodeProto, i: number): void {
    const d = intsAttr(node, "dilations");
    if (d && d.some((x) => x !== 1)) this.refuse(node, i, "dilations", d, "1");
  }

  node(node: NodeProto, i: number): void {
    const at = this.where(node, i);
    switch (node.opType) {
      case "Constant": {
        const t = node.attribute?.find((a) => a.name === "value")?.t;
        if (!t) this.refuse(node, i, "value", "(missing or not a tensor)", "a tensor value");
        this.consts.set(this.out(node, i), tensorValues(t as TensorProto, at));
        return;
      }
      case "Identity":
      case "Dropout":
        if (this.consts.has(node.input![0]!)) this.consts.set(this.out(node, i), this.consts.get(node.input![0]!)!);
        else this.alias.set(this.out(node, i), this.activation(node, i));
        return;
      case "QuantizeLinear":
        return this.quantizeLinear(node, i);
      case "DequantizeLinear":
        return this.dequantizeLinear(node, i);
      case "Conv": {
        this.noDilation(node, i);
        const group = intAttr(node, "group") ?? 1;
        if (group !== 1) this.refuse(node, i, "group", group, "1");
        const w = this.float(node.input?.[1], at, "weight");
        if (w.dims.length !== 4) fail("SHAPE_MISMATCH", `${at}: weight has shape [${w.dims.join(", ")}], expected [K, C, kH, kW]`);
        const kernel = this.square(node, i, "kernel_shape", intsAttr(node, "kernel_shape"), w.dims[2]!);
        if (w.dims[2] !== kernel || w.dims[3] !== kernel) fail("SHAPE_MISMATCH", `${at}: weight has shape [${w.dims.join(", ")}], expected a square ${kernel}x${kernel} kernel`);
        const stride = this.square(node, i, "strides", intsAttr(node, "strides"), 1);
        const K = w.dims[0]!;
        const name = this.layerName(node, i);
        const bias = node.input?.[2] ? this.float(node.input[2], at, "bias").data : new Float32Array(K);
        const pad = this.pads(node, i);
        this.push({
          name, type: "convolution", inputs: [this.activation(node, i)], output: this.out(node, i), numOutput: K,
          kernelShape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group: 1, bias: true,
        }, w, bias);
        return;
      }
      case "MaxPool":
      case "AveragePool": {
        this.noDilation(node, i);
        if ((intAttr(node, "ceil_mode") ?? 0) !== 0) this.refuse(node, i, "ceil_mode", 1, "0 (floor)");
        if ((intAttr(node, "storage_order") ?? 0) !== 0) this.refuse(node, i, "storage_order", 1, "0");
        if (this.pads(node, i) !== 0) this.refuse(node, i, "pads", intsAttr(node, "pads"), "no padding when pooling");
        if (node.output && node.output.length > 1 && node.output[1]) this.refuse(node, i, "Indices output", node.output[1], "no indices output");
        const window = this.square(node, i, "kernel_shape", intsAttr(node, "kernel_shape"), 0);
        const stride = this.square(node, i, "strides", intsAttr(node, "strides"), 1);
        this.push({
          name: this.layerName(node, i), type: "pooling", method: node.opType === "MaxPool" ? "max" : "average", inputs: [this.activation(node, i)], output: this.out(node, i),
          kernelShape: [window, window], strides: [stride, stride], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
        });
        return;
      }
      case "Gemm": {
        if ((intAttr(node, "transA") ?? 0) !== 0) this.refuse(node, i, "transA", 1, "0");
        const transB = intAttr(node, "transB") ?? 0;
        const alpha = floatAttr(node, "alpha") ?? 1, beta = floatAttr(node, "beta") ?? 1;
        const b = this.float(node.input?.[1], at, "B");
        if (b.dims.length !== 2) fail("SHAPE_MISMATCH", `${at}: B has shape [${b.dims.join(", ")}], expected 2-D`);
        const w = transB ? b : transpose(b);
        const O = w.dims[0]!;
        const bias = node.input?.[2] ? this.float(node.input[2], at, "C") : { dims: [O], data: new Float32Array(O) };
        if (bias.data.length !== O) fail("SHAPE_MISMATCH", `${at}: C has ${bias.data.length} values, expected ${O} (broadcast bias per output)`);
        this.push(
          { name: this.layerName(node, i), type: "fully_connected", inputs: [this.activation(node, i)], output: this.out(node, i), numOutput: O, bias: true },
          { dims: w.dims, data: w.data.map((v) => Math.fround(v * alpha)) }, bias.data.map((v) => Math.fround(v * beta)),
        );
        return;
      }
      case "MatMul": {
        const b = this.float(node.input?.[1], at, "B");
        if (b.dims.length !== 2) fail("SHAPE_MISMATCH", `${at}: B has shape [${b.dims.join(", ")}], expected 2-D [in, out]`);
        const w = transpose(b);
        this.push({ name: this.layerName(node, i), type: "fully_connected", inputs: [this.activation(node, i)], output: this.out(node, i), numOutput: w.dims[0]!, bias: true }, w, new Float32Array(w.dims[0]!));
        return;
      }
      case "Add": {
        const last = this.layers[this.layers.length - 1];
        const x = node.input?.[0] && this.alias.get(node.input[0]);
        const biasName = last ? paramName(last.name, "bias") : "";
        if (!last || last.type !== "fully_connected" || x !== last.output || this.weights.get(biasName)!.data.some((v) => v !== 0)) {
          fail("MODEL_FORMAT", `${at}: Add is supported only as the bias of a MatMul (MatMul + Add)`);
        }
        const b = this.float(node.input?.[1], at, "bias");
        if (b.data.length !== last.numOutput) fail("SHAPE_MISMATCH", `${at}: bias has ${b.data.length} values, expected ${last.numOutput}`);
        checkFinite(b.data, `${at}: bias`, "MODEL_FORMAT");
        this.weights.set(biasName, { dims: [last.numOutput], data: b.data });
        this.alias.set(this.out(node, i), last.output);
        return;
      }
      case "Relu":
        this.push({ name: this.layerName(node, i), type: "relu", inputs: [this.activation(node, i)], output: this.out(node, i) });
        return;
      case "Softmax": {
        const axis = intAttr(node, "axis") ?? (this.opset >= 13 ? -1 : 1);
        const rank = this.rank.get(this.activation(node, i)) ?? 4;
        // octet's softmax runs over all of C*H*W: ONNX means the same for a
        // [N, classes] input (axis 1 or -1), or for opset < 13 with axis 1.
        const same = rank === 2 ? axis === 1 || axis === -1 : this.opset < 13 && axis === 1;
        if (!same) this.refuse(node, i, "axis", axis, `a softmax over all non-batch values: axis 1 or -1 of a [N, classes] input${this.opset < 13 ? ", or axis 1" : ""}; this input has rank ${rank}`);
        this.push({ name: this.layerName(node, i), type: "softmax", inputs: [this.activation(node, i)], output: this.out(node, i) });
        return;
      }
      case "Flatten": {
        const axis = intAttr(node, "axis") ?? 1;
        if (axis !== 1) this.refuse(node, i, "axis", axis, "1: keep the batch, flatten the rest");
        this.flatten(node, i);
        return;
      }
      case "Reshape": {
        const shape = this.constant(node.input?.[1], at, "shape").values as number[];
        if (shape.length !== 2 || (shape[0] !== -1 && shape[0] !== 0 && shape[0]! < 1)) {
          fail("MODEL_FORMAT", `${at}: shape ${describeValue(Array.from(shape))} is not supported; octet reshapes only to [N, features] before a fully connected layer`);
        }
        this.flatten(node, i);
        return;
      }
      default:
        fail("MODEL_FORMAT", `${at}: op ${shortText(node.opType ?? "(none)")} is not supported; octet imports Conv, MaxPool, AveragePool, Gemm, MatMul + Add, Relu, Flatten, Reshape, Softmax, QuantizeLinear and DequantizeLinear`);
    }
  }

  private flatten(node: NodeProto, i: number): void {
    const out = this.out(node, i);
    this.alias.set(out, this.activation(node, i));
    this.flattened.add(out);
  }

  private push(layer: Layer, weight?: { dims: number[]; data: Float32Array }, bias?: Float32Array): void {
    this.layers.push(layer);
    this.alias.set(layer.output, layer.output);
    this.rank.set(layer.output, layer.type === "fully_connected" ? 2 : this.rank.get(layer.inputs[0]!) ?? 4);
    if (weight && bias) {
      checkFinite(weight.data, `${this.file}: layer ${shortText(layer.name)}: weight`, "MODEL_FORMAT");
      checkFinite(bias, `${this.file}: layer ${shortText(layer.name)}: bias`, "MODEL_FORMAT");
      this.weights.set(paramName(layer.name, "weight"), { dims: weight.dims, data: weight.data });
      this.weights.set(paramName(layer.name, "bias"), { dims: [bias.length], data: bias });
    }
  }

  private zeroPoint(node: NodeProto, i: number): void {
    const at = this.where(node, i);
    const zp = node.input?.[2];
    if (!zp) fail("MODEL_FORMAT", `${at}: no zero point means uint8 quantization; octet supports symmetric int8 only (zero point 0, type int8)`);
    const c = this.constant(zp, at, "zero point");
    if (c.type !== DataType.INT8) fail("MODEL_FORMAT", `${at}: zero point is ${typeName(c.type)}; octet supports symmetric int8 only (zero point 0, type int8)`);
    if (Array.from(c.values).some((v) => v !== 0)) fail("MODEL_FORMAT", `${at}: zero point ${Array.from(c.values).find((v) => v !== 0)} is not 0; octet supports symmetric int8 only`);
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

  private quantizeLinear(node: NodeProto, i: number): void {
    const at = this.where(node, i);
    this.zeroPoint(node, i);
    const x = node.input![0]!;
    const scale = this.scale(node, at);
    if (this.consts.has(x)) {
      // Q of a float weight: fold to int8 now; the DequantizeLinear after it dequantizes.
      const w = this.float(x, at, "x");
      const axis = intAttr(node, "axis") ?? 1;
      const q = fakeQuantize(w, scale.data, axis, at);
      this.consts.set(this.out(node, i), { dims: w.dims, values: q, type: DataType.INT8 });
      return;
    }
    if (scale.data.length !== 1) fail("MODEL_FORMAT", `${at}: activation scale has ${scale.data.length} values; octet takes per-tensor activation scales`);
    this.quantized.set(this.out(node, i), [this.activation(node, i), scale.data[0]!]);
  }

  private dequantizeLinear(node: NodeProto, i: number): void {
    const at = this.where(node, i);
    this.zeroPoint(node, i);
    const q = node.input![0]!;
    const scale = this.scale(node, at);
    const out = this.out(node, i);
    const pending = this.quantized.get(q);
    if (pending) {
      const [tensor, s] = pending;
      if (scale.data.length !== 1 || scale.data[0] !== s) fail("MODEL_FORMAT", `${at}: scale differs from its QuantizeLinear's (${s})`);
      const known = this.scales.get(tensor);
      if (known !== undefined && known !== s) fail("MODEL_FORMAT", `${at}: tensor ${tensor} is quantized with two scales (${known} and ${s})`);
      this.scales.set(tensor, s);
      this.alias.set(out, tensor);
      return;
    }
    const c = this.constant(q, at, "x");
    if (c.type !== DataType.INT8) fail("MODEL_FORMAT", `${at}: x is ${typeName(c.type)}; octet supports symmetric int8 only`);
    const axis = intAttr(node, "axis") ?? 1;
    this.consts.set(out, { dims: c.dims, values: dequantizeConst(c, scale.data, axis, at), type: DataType.FLOAT });
  }
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

function dequantizeConst(c: Constant, scales: Float32Array, axis: number, at: string): Float32Array {
  const idx = scaleIndex(c.dims, scales, axis, at);
  return Float32Array.from(c.values as ArrayLike<number>, (v, i) => Math.fround(v * scales[idx(i)]!));
}

function fakeQuantize(w: { dims: number[]; data: Float32Array }, scales: Float32Array, axis: number, at: string): Int32Array {
  const idx = scaleIndex(w.dims, scales, axis, at);
  return Int32Array.from(w.data, (v, i) => {
    const q = roundHalfEven(v / scales[idx(i)]!);
    return Math.max(-128, Math.min(127, q));
  });
}
