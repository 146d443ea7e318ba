// The builder: model -> placed, fused, scheduled and packed plan. A list of
// pure passes (placement.ts, fuse.ts, schedule.ts, layer-params.ts); the plan
// is plain data, so it serializes (plan-file.ts) and loads without rebuilding.
import type { Model } from "../model/model.js";
import { firstInput, hasWeights, type Graph } from "../model/graph.js";
import { placeLayers, type PlacementOptions, type PlacedLayer } from "../builder/placement.js";
import { placeAndFuse } from "../builder/partition.js";
import { schedule, type Node } from "../builder/schedule.js";
import type { Device, DlaVersion, Precision } from "../builder/capabilities.js";
import { F32_NCHW, formatName, type Format } from "../core/format.js";
import { effectiveQuant, int8Softmaxes } from "./scales.js";
import { fp32Params, int8Params, keepsFp32Params, type LayerParams } from "./layer-params.js";
import { fail } from "../errors.js";
import { KERNEL_ABI } from "../runtime/kernel-abi.js";
import { markVerified } from "./plan-trust.js";

/** 4: zero points per tensor (3: the kernel ABI hash recorded and checked; 2: int16-widened convolution weights). */
export const PLAN_VERSION = 5;

export interface BuildOptions extends PlacementOptions {
  inputFormat: Format;
}

export interface CalibrationInfo {
  algorithm: string;
  /** Where the scales came from, e.g. "calibrated on 500 training images" or "cache lenet.cache". */
  source: string;
  /**
   * Tensors whose scale (and zero point) the model gave (QDQ): kept as
   * given, where a calibrated build follows TensorRT's rules (a Concat's
   * inputs take its scale); the rest came from `source`.
   */
  modelTensors?: string[];
}

export interface PlacementRecord {
  layer: string;
  type: string;
  device: Device;
  precision: Precision;
  reason: string;
}

export interface Plan {
  version: number;
  /** Hash of the kernel ABI the parameters were packed for (src/runtime/kernel-abi.ts). */
  kernelAbi: number;
  graph: Graph;
  options: {
    device: Device;
    gpuFallback: boolean;
    precision: Precision;
    layerDevice: Record<string, Device>;
    layerPrecision: Record<string, Precision>;
    inputFormat: string;
    dlaVersion: DlaVersion;
  };
  calibration: CalibrationInfo | null;
  /** Effective activation scales (pooling and ReLU outputs inherit their input's). */
  scales: Record<string, number>;
  /** Nonzero zero points, int8-stored (a uint8 zero point z is z - 128), of the tensors that have one. */
  zeroPoints: Record<string, number>;
  placement: PlacementRecord[];
  nodes: Node[];
  params: Record<string, LayerParams>;
}

function usesInt8(placed: PlacedLayer[], options: BuildOptions): boolean {
  return placed.some((p) => p.precision === "int8") || options.inputFormat.dtype === "s8";
}

/** Whether building `model` with `options` needs activation scales (calibration, a cache or QDQ). */
export function needsActivationScales(model: Model, options: BuildOptions): boolean {
  return usesInt8(placeLayers(model, options), options);
}

export function buildPlan(model: Model, options: BuildOptions, scales: ReadonlyMap<string, number> | null, calibration: CalibrationInfo | null): Plan {
  const placed0 = placeLayers(model, options);
  const needsInt8 = usesInt8(placed0, options);
  if (needsInt8 && !scales) fail("BAD_ARGUMENT", "an INT8 build needs activation scales: calibrate or give a calibration cache");
  const softmaxes = int8Softmaxes(placed0);
  const given = model.quantization;
  const modelTensors = given && scales ? [...given.scales.keys()].filter((t) => scales.get(t) === given.scales.get(t)).sort() : [];
  if (calibration && modelTensors.length > 0) calibration = { ...calibration, modelTensors };
  const quant = needsInt8
    ? effectiveQuant(model, scales!, given?.zeroPoints ?? new Map(), calibration?.source ?? "scales", softmaxes, undefined, new Set(modelTensors))
    : { scales: new Map<string, number>(), zeroPoints: new Map<string, number>() };
  const effective = quant.scales;
  const { placed, steps } = placeAndFuse(model, options, needsInt8 ? quant.scales : undefined, quant.zeroPoints);
  const nodes = schedule(steps, { input: model.graph.input.name, inputFormat: options.inputFormat, output: model.graph.output });
  const params: Record<string, LayerParams> = {};
  for (const p of placed) {
    const layer = p.layer;
    if (!hasWeights(layer)) continue;
    params[layer.name] = p.precision === "fp32" || keepsFp32Params(layer)
      ? fp32Params(model, layer)
      : int8Params(model, layer, p.device === "dla" ? "nc32hw32" : "nchw4", effective.get(firstInput(layer))!, effective.get(layer.output)!,
        quant.zeroPoints.get(firstInput(layer)) ?? 0, quant.zeroPoints.get(layer.output) ?? 0);
  }
  return markVerified({
    version: PLAN_VERSION,
    kernelAbi: KERNEL_ABI,
    graph: model.graph,
    options: {
      device: options.device,
      gpuFallback: options.gpuFallback,
      precision: options.precision,
      layerDevice: Object.fromEntries(options.layerDevice),
      layerPrecision: Object.fromEntries(options.layerPrecision),
      inputFormat: formatName(options.inputFormat),
      dlaVersion: options.dlaVersion,
    },
    calibration,
    scales: Object.fromEntries(effective),
    zeroPoints: Object.fromEntries(quant.zeroPoints),
    placement: placed.map((p) => ({ layer: p.layer.name, type: p.layer.type, device: p.device, precision: p.precision, reason: p.reason })),
    nodes,
    params,
  });
}

export const DEFAULT_BUILD: BuildOptions = {
  device: "gpu", gpuFallback: true, precision: "int8", layerDevice: new Map(), layerPrecision: new Map(), inputFormat: F32_NCHW, dlaVersion: "xavier",
};
