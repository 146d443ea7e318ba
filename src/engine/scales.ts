// Activation scales as the engine uses them. Calibration (or a cache, or QDQ
// nodes) gives a scale per tensor; max and average pooling keep their
// input's scale (PRODUCT.md, "INT8 numerics"). A ReLU keeps its input's
// scale unless its output has one of its own; a convolution or fully
// connected layer whose only consumer is a ReLU may take the ReLU output's
// scale, since fused they store only that.
import type { Model } from "../model/model.js";
import { fail } from "../errors.js";

export function effectiveScales(model: Model, calibrated: ReadonlyMap<string, number>, source: string): Map<string, number> {
  const out = new Map<string, number>();
  const check = (tensor: string, s: number) => {
    if (!(s > 0) || !Number.isFinite(s)) fail("BAD_ARGUMENT", `${source}: tensor "${tensor}" has scale ${s}; expected a finite positive number`);
    return s;
  };
  const need = (tensor: string, layer: string, fallback?: string) => {
    const s = calibrated.get(tensor) ?? (fallback !== undefined ? calibrated.get(fallback) : undefined);
    if (s === undefined) fail("BAD_ARGUMENT", `${source}: no scale for tensor "${tensor}" (${layer}), which the INT8 network needs`);
    return check(tensor, s);
  };
  out.set(model.graph.input.name, need(model.graph.input.name, "network input"));
  const layers = model.graph.layers;
  layers.forEach((layer, i) => {
    switch (layer.type) {
      case "softmax":
        return;
      case "pooling":
        out.set(layer.output, out.get(layer.input)!);
        return;
      case "relu": {
        const own = layer.output !== layer.input ? calibrated.get(layer.output) : undefined;
        out.set(layer.output, own !== undefined ? check(layer.output, own) : out.get(layer.input)!);
        return;
      }
      default: {
        const next = layers[i + 1];
        const reluOutput = next?.type === "relu" && next.input === layer.output ? next.output : undefined;
        out.set(layer.output, need(layer.output, `output of ${layer.name}`, reluOutput));
      }
    }
  });
  return out;
}
