// Activation scales as the engine uses them. Calibration (or a cache, or QDQ
// nodes) gives a scale per tensor; max and average pooling (global max too)
// and ReLU keep their input's scale (pooling requantizes with the same scale in and out,
// docs/int8-numerics.md "Pooling"; a ReLU only clamps). A convolution or fully
// connected layer followed by a ReLU is stored once, after the ReLU, so it
// takes the ReLU output's scale when there is one (as TensorRT does).
import type { Model } from "../model/model.js";
import { fail } from "../errors.js";
import { reluFuses } from "../builder/fuse.js";
import { firstInput } from "../model/graph.js";

export function effectiveScales(model: Model, calibrated: ReadonlyMap<string, number>, source: string): Map<string, number> {
  const out = new Map<string, number>();
  const check = (tensor: string, s: number) => {
    if (!(s > 0) || !Number.isFinite(s)) fail("BAD_ARGUMENT", `${source}: tensor "${tensor}" has scale ${s}; expected a finite positive number`);
    return s;
  };
  const need = (tensor: string, layer: string) => {
    const s = calibrated.get(tensor);
    if (s === undefined) fail("BAD_ARGUMENT", `${source}: no scale for tensor "${tensor}" (${layer}), which the INT8 network needs`);
    return check(tensor, s);
  };
  out.set(model.graph.input.name, need(model.graph.input.name, "network input"));
  const { layers } = model.graph;
  const { consumers } = model.shapes.links;
  layers.forEach((layer, i) => {
    switch (layer.type) {
      case "softmax":
        return;
      case "pooling":
      case "relu":
        out.set(layer.output, out.get(firstInput(layer))!);
        return;
      case "global_pooling":
        if (layer.method === "max") {
          out.set(layer.output, out.get(firstInput(layer))!);
          return;
        }
        out.set(layer.output, need(layer.output, `output of ${layer.name}`));
        return;
      default: {
        const readers = consumers[i]!;
        const relu = layers[readers[0]!];
        if (reluFuses(layer, relu, readers.length) && calibrated.has(relu!.output)) out.set(layer.output, need(relu!.output, `output of ${relu!.name}`));
        else out.set(layer.output, need(layer.output, `output of ${layer.name}`));
      }
    }
  });
  return out;
}
