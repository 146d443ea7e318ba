// Placement pass: decides each layer's device and precision, and says why.
// TensorRT's rules: a default device; with the DLA, GPU fallback (on by
// default) moves every layer the DLA cannot run to the GPU; without it the
// build fails naming every such layer. Per-layer overrides split subgraphs.
import type { Layer } from "../model/graph.js";
import type { Model } from "../model/model.js";
import { dlaRefusal, int8Refusal, type Device, type DlaVersion, type Precision } from "./capabilities.js";
import { fail } from "../errors.js";

export interface PlacementOptions {
  device: Device;
  gpuFallback: boolean;
  precision: Precision;
  layerDevice: ReadonlyMap<string, Device>;
  layerPrecision: ReadonlyMap<string, Precision>;
  /** The DLA generation whose rules apply (trtexec targets one per build). */
  dlaVersion: DlaVersion;
}

export const DEFAULT_PLACEMENT: PlacementOptions = {
  device: "gpu", gpuFallback: true, precision: "int8", layerDevice: new Map(), layerPrecision: new Map(), dlaVersion: "xavier",
};

export interface PlacedLayer {
  layer: Layer;
  device: Device;
  precision: Precision;
  /** One line for the build log: why this layer runs where it runs. */
  reason: string;
}

/**
 * `scales`, when known (effective activation scales), lets the DLA rules that
 * compare INT8 ranges (ElementWise, Concatenation) decide; before
 * calibration they cannot refuse a layer.
 */
export function placeLayers(
  model: Model, options: PlacementOptions, scales?: ReadonlyMap<string, number>, zeroPoints?: ReadonlyMap<string, number>,
): PlacedLayer[] {
  const zero = (t: string) => zeroPoints?.get(t) ?? 0;
  const ctx = { version: options.dlaVersion, scale: scales ? (t: string) => scales.get(t) : undefined, zero };
  const names = model.graph.layers.map((l) => l.name);
  for (const [option, map] of [["--layer-device", options.layerDevice], ["--layer-precision", options.layerPrecision]] as const) {
    for (const name of map.keys()) {
      if (!names.includes(name)) fail("BAD_OPTION", `${option}: no layer named "${name}"; the layers are ${names.join(", ")}`);
    }
  }
  const refused: string[] = [];
  const placed = model.graph.layers.map((layer): PlacedLayer => {
    const override = options.layerDevice.get(layer.name);
    const requested = override ?? options.device;
    const why = override ? `--layer-device ${layer.name}=${override}` : `default device ${requested.toUpperCase()}`;
    const shapes = model.shapes.layers.get(layer.name)!;
    // Softmax runs in FP32 on dequantized logits, as TensorRT runs it, unless INT8 is asked for by name.
    const wanted = options.layerPrecision.get(layer.name) ?? (layer.type === "softmax" ? "fp32" : options.precision);
    const onGpu = (reason: string): PlacedLayer => {
      const int8 = wanted === "int8" ? softmaxRefusal(model, layer) ?? int8Refusal(layer, shapes, ctx.scale, zero) : null;
      const asymmetric = wanted === "int8" && [...layer.inputs, layer.output].some((t) => zero(t) !== 0);
      return int8 === null
        ? { layer, device: "gpu", precision: wanted, reason: asymmetric ? `${reason}; asymmetric INT8 (zero points) on octet's kernels, octet's extension (TensorRT's INT8 is symmetric)` : reason }
        : { layer, device: "gpu", precision: "fp32", reason: `${reason}; ${int8}: running this layer in FP32` };
    };
    if (requested === "gpu") return onGpu(why);
    const refusal = dlaRefusal(layer, shapes, wanted, ctx);
    if (refusal === null) return { layer, device: "dla", precision: wanted, reason: why };
    if (!options.gpuFallback) refused.push(`${layer.name}: ${refusal}`);
    return onGpu(`${refusal}; switching this layer's device type to GPU`);
  });
  if (refused.length > 0) {
    fail("BAD_OPTION", `the DLA cannot run ${refused.length} layer(s) and GPU fallback is off (--no-gpu-fallback):\n  ${refused.join("\n  ")}`);
  }
  return placed;
}

/** octet's INT8 softmax writes uint8 (zero point -128), which only the output reformatter reads. */
function softmaxRefusal(model: Model, layer: Layer): string | null {
  if (layer.type !== "softmax") return null;
  const i = model.graph.layers.indexOf(layer);
  return model.shapes.links.consumers[i]!.length === 0 ? null
    : "the INT8 softmax's uint8 output (zero point -128) can feed only the network output, and other layers read it";
}
