// Activation scales as the engine uses them. Calibration (or a cache) gives a
// scale per tensor; max and average pooling keep their input's scale and so
// does ReLU, so those outputs inherit it (PRODUCT.md, "INT8 numerics").
import type { Model } from "../model/model.js";
import { fail } from "../errors.js";

export function effectiveScales(model: Model, calibrated: ReadonlyMap<string, number>, source: string): Map<string, number> {
  const out = new Map<string, number>();
  const need = (tensor: string, layer: string) => {
    const s = calibrated.get(tensor);
    if (s === undefined) fail("BAD_ARGUMENT", `${source}: no scale for tensor "${tensor}" (${layer}), which the INT8 network needs`);
    if (!(s > 0) || !Number.isFinite(s)) fail("BAD_ARGUMENT", `${source}: tensor "${tensor}" has scale ${s}; expected a finite positive number`);
    return s;
  };
  out.set(model.graph.input.name, need(model.graph.input.name, "network input"));
  for (const layer of model.graph.layers) {
    if (layer.type === "softmax") continue;
    const inherit = layer.type === "pooling" || layer.type === "relu";
    out.set(layer.output, inherit ? out.get(layer.input)! : need(layer.output, `output of ${layer.name}`));
  }
  return out;
}
