// Placement and fusion together, with TensorRT's loadable limit: a DLA core
// holds at most 16 loadables (fused subgraphs); the subgraphs beyond the
// 16th, in execution order, go to the GPU and the build log says so.
import type { Model } from "../model/model.js";
import { placeLayers, type PlacedLayer, type PlacementOptions } from "./placement.js";
import { fuseLayers, type Step } from "./fuse.js";
import { DLA_LOADABLES_PER_CORE } from "./capabilities.js";

export function placeAndFuse(
  model: Model, options: PlacementOptions, scales?: ReadonlyMap<string, number>, zeroPoints?: ReadonlyMap<string, number>,
): { placed: PlacedLayer[]; steps: Step[] } {
  const placed = placeLayers(model, options, scales, zeroPoints);
  const steps = fuseLayers(placed, model.shapes.links);
  const dla = steps.filter((s) => s.device === "dla");
  if (dla.length <= DLA_LOADABLES_PER_CORE) return { placed, steps };
  const moved = new Map<string, string>();
  dla.slice(DLA_LOADABLES_PER_CORE).forEach((s, i) => {
    for (const p of s.layers) moved.set(p.layer.name, `DLA subgraph ${s.name} would be loadable ${DLA_LOADABLES_PER_CORE + i + 1} of a core that holds ${DLA_LOADABLES_PER_CORE}; switching this layer's device type to GPU`);
  });
  const replaced = placed.map((p) => (moved.has(p.layer.name) ? { ...p, device: "gpu" as const, reason: `${p.reason}; ${moved.get(p.layer.name)}` } : p));
  return { placed: replaced, steps: fuseLayers(replaced, model.shapes.links) };
}
