// Test scales: the FP32 network's largest |value| per tensor over an input
// (minmax calibration on the test images themselves), f32(amax / 127).
import { Fp32Network } from "../../src/exec/fp32-network.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import type { Model } from "../../src/model/model.js";

export function minmaxScalesOn(model: Model, input: Float32Array, N: number): Map<string, number> {
  const net = new Fp32Network(loadKernels("release"), model, N);
  net.input(N).set(input);
  net.run(N);
  const out = new Map<string, number>();
  for (const name of [model.graph.input.name, ...model.graph.layers.map((l) => l.output)]) {
    let m = 0;
    for (const v of net.tensor(name, N)) m = Math.max(m, Math.abs(v));
    out.set(name, m > 0 ? Math.fround(m / 127) : 1);
  }
  return out;
}
