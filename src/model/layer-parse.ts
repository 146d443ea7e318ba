// Parsing one layer of a graph document. Version 2 layers carry the fields of
// layers.ts as they are; version 1 layers (LeNet's chain format: one `input`,
// square `kernel`, `stride`, `pad`, pooling `window`) are read into the same
// form. Every field is checked; errors name the file, layer and field.
import { fail } from "../errors.js";
import { ACTIVATION_FUNCTIONS, LAYER_TYPES, type ActivationFunction, type Layer, type Pads, type Pair } from "./layers.js";
import { describeValue, shortText } from "./describe.js";

/** Largest value of any integer field (shape, numOutput, kernel, stride, pad, window). */
export const MAX_GRAPH_INT = 1 << 20;
/** Longest name or path a graph may hold. */
export const MAX_NAME_LENGTH = 4096;
/** Most inputs a layer may read (a concat of many branches). */
export const MAX_LAYER_INPUTS = 256;

type Json = Record<string, unknown>;

export class GraphFields {
  constructor(readonly file: string) {}

  object(v: unknown, where: string): Json {
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail("MODEL_FORMAT", `${this.file}: ${where} must be an object, found ${describeValue(v)}`);
    return v as Json;
  }

  str(v: unknown, field: string): string {
    if (typeof v !== "string" || v.length === 0 || v.length > MAX_NAME_LENGTH) {
      fail("MODEL_FORMAT", `${this.file}: field "${field}" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, found ${describeValue(v)}`);
    }
    return v;
  }

  int(v: unknown, at: string, field: string, min: number): number {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > MAX_GRAPH_INT) {
      fail("MODEL_FORMAT", `${this.file}: ${at}: field "${field}" is ${describeValue(v)}, expected an integer >= ${min}${(v as number) > MAX_GRAPH_INT ? ` and <= ${MAX_GRAPH_INT}` : ""}`);
    }
    return v as number;
  }

  ints<N extends number>(v: unknown, at: string, field: string, count: N, min: number): number[] & { length: N } {
    if (!Array.isArray(v) || v.length !== count) fail("MODEL_FORMAT", `${this.file}: ${at}: field "${field}" is ${describeValue(v)}, expected ${count} integers >= ${min}`);
    return v.map((x, i) => this.int(x, at, `${field}[${i}]`, min)) as number[] & { length: N };
  }

  bool(v: unknown, at: string, field: string): boolean {
    if (typeof v !== "boolean") fail("MODEL_FORMAT", `${this.file}: ${at}: field "${field}" is ${describeValue(v)}, expected true or false`);
    return v;
  }

  finite(v: unknown, at: string, field: string): number {
    if (typeof v !== "number" || !Number.isFinite(v)) fail("MODEL_FORMAT", `${this.file}: ${at}: field "${field}" is ${describeValue(v)}, expected a finite number`);
    return v;
  }

  oneOf<T extends string>(v: unknown, at: string, field: string, values: readonly T[]): T {
    if (typeof v !== "string" || !values.includes(v as T)) fail("MODEL_FORMAT", `${this.file}: ${at}: field "${field}" is ${describeValue(v)}, expected one of ${values.join(", ")}`);
    return v as T;
  }
}

/** ONNX's defaults per activation function. */
function activationDefaults(fn: ActivationFunction): { alpha: number; beta: number; min: number; max: number } {
  switch (fn) {
    case "leaky_relu": return { alpha: 0.01, beta: 0, min: 0, max: 0 };
    case "hard_sigmoid": return { alpha: 0.2, beta: 0.5, min: 0, max: 0 };
    case "clip": return { alpha: 0, beta: 0, min: -3.4028234663852886e38, max: 3.4028234663852886e38 };
    default: return { alpha: 0, beta: 0, min: 0, max: 0 };
  }
}

export function parseLayer(raw: unknown, f: GraphFields, index: number, version: number): Layer {
  const o = f.object(raw, `layers[${index}]`);
  const name = f.str(o.name, `layers[${index}].name`);
  const at = `layer ${shortText(name)}`;
  const output = f.str(o.output, `${at}: output`);
  let inputs: string[];
  if (version === 1) inputs = [f.str(o.input, `${at}: input`)];
  else {
    if (!Array.isArray(o.inputs) || o.inputs.length === 0 || o.inputs.length > MAX_LAYER_INPUTS) {
      fail("MODEL_FORMAT", `${f.file}: ${at}: field "inputs" is ${describeValue(o.inputs)}, expected 1..${MAX_LAYER_INPUTS} tensor names`);
    }
    inputs = o.inputs.map((x, i) => f.str(x, `${at}: inputs[${i}]`));
  }
  const base = { name, inputs, output };
  const square = (field: string, fallback: unknown, min: number): Pair => {
    const v = f.int(o[field] ?? fallback, at, field, min);
    return [v, v];
  };
  switch (o.type) {
    case "convolution":
      if (version === 1) {
        const pad = f.int(o.pad ?? 0, at, "pad", 0);
        return {
          ...base, type: "convolution", numOutput: f.int(o.numOutput, at, "numOutput", 1),
          kernelShape: square("kernel", undefined, 1), strides: square("stride", 1, 1), pads: [pad, pad, pad, pad],
          dilations: [1, 1], group: 1, bias: true,
        };
      }
      return {
        ...base, type: "convolution", numOutput: f.int(o.numOutput, at, "numOutput", 1),
        kernelShape: f.ints(o.kernelShape, at, "kernelShape", 2, 1) as Pair,
        strides: f.ints(o.strides ?? [1, 1], at, "strides", 2, 1) as Pair,
        pads: f.ints(o.pads ?? [0, 0, 0, 0], at, "pads", 4, 0) as Pads,
        dilations: f.ints(o.dilations ?? [1, 1], at, "dilations", 2, 1) as Pair,
        group: f.int(o.group ?? 1, at, "group", 1),
        bias: f.bool(o.bias ?? true, at, "bias"),
      };
    case "pooling": {
      const method = f.oneOf(o.method, at, "method", ["max", "average"] as const);
      if (version === 1) {
        const window = square("window", undefined, 1);
        return {
          ...base, type: "pooling", method, kernelShape: window, strides: square("stride", window[0], 1),
          pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
        };
      }
      return {
        ...base, type: "pooling", method,
        kernelShape: f.ints(o.kernelShape, at, "kernelShape", 2, 1) as Pair,
        strides: f.ints(o.strides ?? [1, 1], at, "strides", 2, 1) as Pair,
        pads: f.ints(o.pads ?? [0, 0, 0, 0], at, "pads", 4, 0) as Pads,
        ceilMode: f.bool(o.ceilMode ?? false, at, "ceilMode"),
        countIncludePad: f.bool(o.countIncludePad ?? false, at, "countIncludePad"),
      };
    }
    case "global_pooling":
      return { ...base, type: "global_pooling", method: f.oneOf(o.method, at, "method", ["max", "average"] as const) };
    case "fully_connected":
      return { ...base, type: "fully_connected", numOutput: f.int(o.numOutput, at, "numOutput", 1), bias: version === 1 ? true : f.bool(o.bias ?? true, at, "bias") };
    case "relu":
      return { ...base, type: "relu" };
    case "activation": {
      const fn = f.oneOf(o.fn, at, "fn", ACTIVATION_FUNCTIONS);
      const d = activationDefaults(fn);
      const layer = {
        ...base, type: "activation" as const, fn,
        alpha: f.finite(o.alpha ?? d.alpha, at, "alpha"), beta: f.finite(o.beta ?? d.beta, at, "beta"),
        min: f.finite(o.min ?? d.min, at, "min"), max: f.finite(o.max ?? d.max, at, "max"),
      };
      if (fn === "clip" && !(layer.min <= layer.max)) fail("MODEL_FORMAT", `${f.file}: ${at}: clip min ${layer.min} is above max ${layer.max}`);
      return layer;
    }
    case "eltwise":
      return { ...base, type: "eltwise", op: f.oneOf(o.op, at, "op", ["add", "sub", "mul"] as const) };
    case "concat":
      return { ...base, type: "concat" };
    case "scale":
      return { ...base, type: "scale" };
    case "softmax":
      return { ...base, type: "softmax" };
    case "pad": {
      const value = f.finite(o.value ?? 0, at, "value");
      // The kernels take the value as an f32: one beyond float32's range would become an infinity.
      if (!Number.isFinite(Math.fround(value))) fail("MODEL_FORMAT", `${f.file}: ${at}: field "value" is ${value}, outside float32's range`);
      return { ...base, type: "pad", pads: f.ints(o.pads, at, "pads", 4, 0) as Pads, value };
    }
    case "resize":
      return { ...base, type: "resize", factors: f.ints(o.factors, at, "factors", 2, 1) as Pair };
    case "prelu":
      return { ...base, type: "prelu" };
    default:
      return fail("UNKNOWN_LAYER", `${f.file}: ${at}: unknown layer type ${describeValue(o.type)}; expected one of ${LAYER_TYPES.join(", ")}`);
  }
}
