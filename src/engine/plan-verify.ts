// A plan read from a file is hostile until proven consistent. Every field is
// checked for type and range; the graph goes through the model checks; the
// placement and schedule are re-derived from the graph and options (the
// passes are pure and cheap) and must equal the stored ones; the scales must
// be the ones the effective-scale rules give; every packed parameter must be
// exactly what this octet's packing makes (pack-check.ts). The plan returned
// is built from the checked parts and the re-derived steps, never from the
// stored steps, so no plan can make a kernel read or write outside its buffers.
import { OctetError, fail } from "../errors.js";
import { FieldReader } from "../util/fields.js";
import { firstDifference } from "../util/first-difference.js";
import { GRAPH_FORMAT, GRAPH_VERSION, firstInput, hasWeights, parseGraph, type Graph, type Layer } from "../model/graph.js";
import { inferShapes } from "../model/shapes.js";
import type { Model } from "../model/model.js";
import { DEVICES, DLA_VERSIONS, type Device, type Precision } from "../builder/capabilities.js";
import { placeLayers, type PlacedLayer } from "../builder/placement.js";
import { placeAndFuse } from "../builder/partition.js";
import { schedule } from "../builder/schedule.js";
import { formatName, FORMATS, type Format } from "../core/format.js";
import { effectiveQuant, int8Softmaxes } from "./scales.js";
import { PLAN_VERSION, type Plan, type PlacementRecord, type CalibrationInfo } from "./plan.js";
import { checkFp32Param, keepsFp32Params, type LayerParams } from "./layer-params.js";
import { KERNEL_ABI } from "../runtime/kernel-abi.js";
import { checkPackedInt8, packedChannelIndex, packedInt8WeightBytes } from "../int8/pack-check.js";
import { storedWeightCount, widenWeights } from "../int8/stored-weights.js";
import { requantMultiplier } from "../int8/numerics.js";
import { markVerified } from "./plan-trust.js";

const PRECISIONS: readonly Precision[] = ["int8", "fp32"];
const PLAN_KEYS = ["version", "kernelAbi", "graph", "options", "calibration", "scales", "zeroPoints", "placement", "nodes", "params"] as const;
const OPTION_KEYS = ["device", "gpuFallback", "precision", "layerDevice", "layerPrecision", "inputFormat", "dlaVersion"] as const;

export function verifyPlan(raw: unknown, file: string): Plan {
  try {
    return markVerified(verify(raw, file));
  } catch (e) {
    if (!(e instanceof OctetError) || e.code === "PLAN_FORMAT") throw e;
    const message = e.message.startsWith(`${file}:`) ? e.message : `${file}: ${e.message}`;
    return fail("PLAN_FORMAT", message);
  }
}

function verify(raw: unknown, file: string): Plan {
  const r = new FieldReader("PLAN_FORMAT", file);
  const plan = r.exact(raw, "plan", PLAN_KEYS);
  if (plan.version !== PLAN_VERSION) r.bad("version", `${PLAN_VERSION}`, plan.version);
  if (plan.kernelAbi !== KERNEL_ABI) {
    fail("PLAN_FORMAT", `${file}: packed for kernel ABI ${hex(plan.kernelAbi)}, this octet's kernels implement ${hex(KERNEL_ABI)}; rebuild the plan`);
  }
  const graph = readGraph(r, plan.graph);
  const shapes = inferShapes(graph, `${file}: graph`);
  const options = readOptions(r, plan.options);
  const calibration = readCalibration(r, plan.calibration);
  const model: Model = { graph, shapes, weights: new Map() };
  const placement0 = {
    ...options,
    layerDevice: new Map(Object.entries(options.layerDevice)),
    layerPrecision: new Map(Object.entries(options.layerPrecision)),
  };
  const placed0 = placeLayers(model, placement0);
  const int8 = options.format.dtype === "s8" || placed0.some((p) => p.precision === "int8");
  const softmaxes = int8 ? int8Softmaxes(placed0) : new Set<string>();
  const { scales, zeroPoints } = readQuant(r, plan.scales, plan.zeroPoints, model, int8, softmaxes, new Set(calibration?.modelTensors ?? []));
  const zeros = new Map(Object.entries(zeroPoints));
  const { placed, steps } = placeAndFuse(model, placement0, int8 ? new Map(Object.entries(scales)) : undefined, zeros);
  const placement: PlacementRecord[] = placed.map((p) => ({ layer: p.layer.name, type: p.layer.type, device: p.device, precision: p.precision, reason: p.reason }));
  same(file, plan.placement, placement, "placement");
  const nodes = schedule(steps, { input: graph.input.name, inputFormat: options.format, output: graph.output });
  same(file, plan.nodes, JSON.parse(JSON.stringify(nodes)), "nodes");
  const params = readParams(r, plan.params, placed, model, scales, zeroPoints);
  const { format: _format, ...stored } = options;
  return { version: PLAN_VERSION, kernelAbi: KERNEL_ABI, graph, options: stored, calibration, scales, zeroPoints, placement, nodes, params };
}

function hex(v: unknown): string {
  return typeof v === "number" && Number.isInteger(v) ? `0x${(v >>> 0).toString(16)}` : JSON.stringify(v) ?? String(v);
}

function same(file: string, found: unknown, derived: unknown, what: string): void {
  const d = firstDifference(found, derived, what);
  if (d) fail("PLAN_FORMAT", `${file}: stored ${what} differ from what the graph and options give: ${d}`);
}

function readGraph(r: FieldReader, raw: unknown): Graph {
  const g = r.object(raw, "graph");
  if (Object.hasOwn(g, "format") || Object.hasOwn(g, "version")) r.bad("graph", "a graph without format or version fields", "format/version");
  const graph = parseGraph(JSON.stringify({ format: GRAPH_FORMAT, version: GRAPH_VERSION, ...g }), `${r.file}: graph`);
  same(r.file, g, JSON.parse(JSON.stringify(graph)), "graph");
  return graph;
}

type CheckedOptions = Plan["options"] & { format: Format };

function readOptions(r: FieldReader, raw: unknown): CheckedOptions {
  const o = r.exact(raw, "options", OPTION_KEYS);
  const record = <T extends string>(v: unknown, where: string, values: readonly T[]): Record<string, T> => {
    const m = r.object(v, where);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(m)) Object.defineProperty(out, k, { value: r.oneOf(x, `${where}.${k}`, values), enumerable: true, writable: true });
    return out;
  };
  const inputFormat = r.oneOf(o.inputFormat, "options.inputFormat", FORMATS.map(formatName));
  return {
    device: r.oneOf(o.device, "options.device", DEVICES),
    gpuFallback: r.boolean(o.gpuFallback, "options.gpuFallback"),
    precision: r.oneOf(o.precision, "options.precision", PRECISIONS),
    layerDevice: record<Device>(o.layerDevice, "options.layerDevice", DEVICES),
    layerPrecision: record<Precision>(o.layerPrecision, "options.layerPrecision", PRECISIONS),
    inputFormat,
    dlaVersion: r.oneOf(o.dlaVersion, "options.dlaVersion", DLA_VERSIONS),
    format: FORMATS.find((f) => formatName(f) === inputFormat)!,
  };
}

function readCalibration(r: FieldReader, raw: unknown): CalibrationInfo | null {
  if (raw === null) return null;
  const c = r.object(raw, "calibration");
  const info = r.exact(raw, "calibration", Object.hasOwn(c, "modelTensors") ? ["algorithm", "source", "modelTensors"] : ["algorithm", "source"]);
  const out: CalibrationInfo = { algorithm: r.string(info.algorithm, "calibration.algorithm"), source: r.string(info.source, "calibration.source") };
  if (Object.hasOwn(c, "modelTensors")) {
    if (!Array.isArray(c.modelTensors)) r.bad("calibration.modelTensors", "an array of tensor names", c.modelTensors);
    out.modelTensors = (c.modelTensors as unknown[]).map((t, i) => r.string(t, `calibration.modelTensors[${i}]`));
  }
  return out;
}

function readQuant(
  r: FieldReader, rawScales: unknown, rawZeros: unknown, model: Model, int8: boolean, softmaxes: ReadonlySet<string>, explicit: ReadonlySet<string>,
): { scales: Record<string, number>; zeroPoints: Record<string, number> } {
  const storedScales = r.object(rawScales, "scales"), storedZeros = r.object(rawZeros, "zeroPoints");
  const scales = new Map<string, number>(), zeros = new Map<string, number>();
  for (const [tensor, s] of Object.entries(storedScales)) scales.set(tensor, r.scale(s, `scales.${tensor}`));
  for (const [tensor, z] of Object.entries(storedZeros)) zeros.set(tensor, r.int(z, `zeroPoints.${tensor}`, -128, 127));
  const expected = int8 ? effectiveQuant(model, scales, zeros, `${r.file}: scales`, softmaxes, undefined, explicit) : { scales: new Map<string, number>(), zeroPoints: new Map<string, number>() };
  same(r.file, Object.fromEntries(scales), Object.fromEntries(expected.scales), "scales");
  same(r.file, Object.fromEntries(zeros), Object.fromEntries(expected.zeroPoints), "zeroPoints");
  return { scales: Object.fromEntries(expected.scales), zeroPoints: Object.fromEntries(expected.zeroPoints) };
}

function readParams(
  r: FieldReader, raw: unknown, placed: PlacedLayer[], model: Model, scales: Record<string, number>, zeroPoints: Record<string, number>,
): Record<string, LayerParams> {
  const stored = r.object(raw, "params");
  const weighted = placed.filter((p) => hasWeights(p.layer));
  r.exact(stored, "params", weighted.map((p) => p.layer.name));
  const out: Record<string, LayerParams> = {};
  for (const p of weighted) {
    const where = `params.${p.layer.name}`;
    out[p.layer.name] = p.precision === "fp32" || keepsFp32Params(p.layer)
      ? fp32Params(r, stored[p.layer.name], where, p.layer, model)
      : int8Params(r, stored[p.layer.name], where, p, model, scales, zeroPoints);
  }
  return out;
}

function weightCount(layer: Layer, model: Model): { K: number; perOutput: number } {
  const [C, H, W] = model.shapes.layers.get(layer.name)!.input;
  if (layer.type === "convolution") return { K: layer.numOutput, perOutput: (C / layer.group) * layer.kernelShape[0] * layer.kernelShape[1] };
  if (layer.type === "fully_connected") return { K: layer.numOutput, perOutput: C * H * W };
  if (layer.type === "scale" || layer.type === "prelu") return { K: C, perOutput: 1 };
  return fail("PLAN_FORMAT", `layer ${layer.name} has no weights`);
}

/** FP32 parameters, finite and within +-MAX_FP32_PARAM: weight and bias, a scale layer's scale and shift, a prelu's slopes (weight [C], bias empty). */
function fp32Params(r: FieldReader, raw: unknown, where: string, layer: Layer, model: Model): LayerParams {
  const o = r.exact(raw, where, ["kind", "weight", "bias"]);
  if (o.kind !== "fp32") r.bad(`${where}.kind`, keepsFp32Params(layer) ? `"fp32" (a ${layer.type} layer keeps FP32 parameters)` : '"fp32" (the layer runs in FP32)', o.kind);
  const { K, perOutput } = weightCount(layer, model);
  return {
    kind: "fp32",
    weight: checkFp32Param(r.typed(o.weight, `${where}.weight`, Float32Array, K * perOutput), `${where}.weight`),
    bias: checkFp32Param(r.typed(o.bias, `${where}.bias`, Float32Array, layer.type === "prelu" ? 0 : K), `${where}.bias`),
  };
}

function int8Params(
  r: FieldReader, raw: unknown, where: string, p: PlacedLayer, model: Model, scales: Record<string, number>, zeroPoints: Record<string, number>,
): LayerParams {
  const o = r.exact(raw, where, ["kind", "layout", "weights", "bias", "mult", "weightScales"]);
  if (o.kind !== "int8") r.bad(`${where}.kind`, '"int8" (the layer runs in INT8)', o.kind);
  const layout = p.device === "dla" ? "nc32hw32" : "nchw4";
  if (o.layout !== layout) r.bad(`${where}.layout`, `"${layout}" (the layer runs on ${p.device.toUpperCase()})`, o.layout);
  const layer = p.layer;
  const { K } = weightCount(layer, model);
  const weightScales = r.typed(o.weightScales, `${where}.weightScales`, Float32Array, K);
  for (let k = 0; k < K; k++) {
    const s = weightScales[k]!;
    if (!(s === 0 || (s >= 2 ** -126 && s <= 2 ** 64))) r.bad(`${where}.weightScales[${k}]`, "0 or a normal float in 2^-126..2^64", s);
  }
  const shapes = model.shapes.layers.get(layer.name)!;
  const symmetric = (zeroPoints[firstInput(layer)] ?? 0) === 0 && (zeroPoints[layer.output] ?? 0) === 0;
  const weights = r.typed(o.weights, `${where}.weights`, Int8Array);
  // A plan file stores the int8 values of the packing, one byte each (stored-weights.ts); a plan object the packing itself.
  const stored = storedWeightCount(layer, shapes, layout, symmetric), full = packedInt8WeightBytes(layer, shapes, layout, symmetric);
  if (weights.length !== stored && weights.length !== full) r.bad(`${where}.weights`, `${stored} bytes (the int8 values of the packing) or ${full} (the packing)`, `${weights.length} bytes`);
  const packed = {
    weights: weights.length === full ? weights : widenWeights(weights, layer, shapes, layout, symmetric),
    bias: r.typed(o.bias, `${where}.bias`, Int32Array),
    mult: r.typed(o.mult, `${where}.mult`, Float32Array),
  };
  const op = `${r.file}: ${where}`;
  const widened = weights.length !== full;
  packed.weights = checkPackedInt8(op, packed, layer, shapes, layout, symmetric, widened ? 2 * stored : full, widened);
  const sIn = scales[firstInput(layer)]!, sOut = scales[layer.output]!;
  for (let k = 0; k < K; k++) {
    const m = requantMultiplier(sIn, weightScales[k]!, sOut);
    const at = packedChannelIndex(layer, shapes, k, symmetric);
    if (!Object.is(packed.mult[at], m)) r.bad(`${where}.mult[${at}]`, `${m} (input scale x weight scale / output scale)`, packed.mult[at]);
  }
  return { kind: "int8", layout, ...packed, weightScales };
}
