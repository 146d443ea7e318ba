// Fusion pass: groups placed layers into the steps the engine runs.
//  - gpu: a convolution or fully connected layer and the in-place ReLU right
//    after it become one step named like TensorRT's "ip1 + relu1";
//  - dla: every maximal run of consecutive DLA layers becomes one subgraph
//    step named "{conv1,pool1,...}", run as one call into the DLA engine.
import { reluFusesInto } from "../model/chain.js";
import type { PlacedLayer } from "./placement.js";
import type { Device, Precision } from "./capabilities.js";

export interface Step {
  name: string;
  device: Device;
  precision: Precision;
  layers: PlacedLayer[];
  /** Tensor the step reads and tensor it writes. */
  input: string;
  output: string;
}

export function fuseLayers(placed: PlacedLayer[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < placed.length; i++) {
    const p = placed[i]!;
    const group = [p];
    if (p.device === "dla") {
      while (i + 1 < placed.length && placed[i + 1]!.device === "dla" && placed[i + 1]!.layer.input === group[group.length - 1]!.layer.output) {
        group.push(placed[++i]!);
      }
    } else if (i + 1 < placed.length) {
      const next = placed[i + 1]!;
      if (reluFusesInto(p.layer, next.layer) && next.device === "gpu" && next.precision === p.precision) {
        group.push(next);
        i++;
      }
    }
    steps.push({
      name: p.device === "dla" ? `{${group.map((g) => g.layer.name).join(",")}}` : group.map((g) => g.layer.name).join(" + "),
      device: p.device,
      precision: p.precision,
      layers: group,
      input: group[0]!.layer.input,
      output: group[group.length - 1]!.layer.output,
    });
  }
  return steps;
}
