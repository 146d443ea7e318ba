// Per-layer INT8 error against FP32: every stored layer output of a plan,
// read from inside its fused steps and dequantized (no fusion is broken to
// see it), compared with the FP32 reference network on the same images.
import type { Model } from "../model/model.js";
import type { Plan } from "./plan.js";
import type { ImageSet } from "../data/dataset.js";
import { imagesToFloat } from "../data/dataset.js";
import { ExecutionContext, type KernelFactory } from "./context.js";
import { ContextRunner } from "./context-runner.js";
import { Fp32Network } from "../exec/fp32-network.js";

export interface TensorError {
  tensor: string;
  maxAbs: number;
  meanAbs: number;
  snrDb: number;
}

export function compareTensors(tensor: string, ref: Float32Array, got: Float32Array): TensorError {
  let maxAbs = 0, sumAbs = 0, signal = 0, noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = got[i]! - ref[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(e));
    sumAbs += Math.abs(e);
    signal += ref[i]! * ref[i]!;
    noise += e * e;
  }
  return { tensor, maxAbs, meanAbs: sumAbs / ref.length, snrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) };
}

/** Each stored layer output of `plan` against FP32 on the first `n` images of `set`. */
export function layerErrors(model: Model, plan: Plan, set: ImageSet, n: number, kernels: KernelFactory): TensorError[] {
  const ctx = new ExecutionContext(plan, kernels, n, { inspectTensors: true });
  const runner = new ContextRunner(ctx);
  imagesToFloat(set, 0, n, runner.input(n));
  runner.run(n);
  const ref = new Fp32Network(kernels("gpu"), model, n);
  imagesToFloat(set, 0, n, ref.input(n));
  ref.run(n);
  const tensors = [...new Set(plan.graph.layers.map((l) => l.output))].filter((t) => ctx.materialized(t));
  return tensors.map((t) => compareTensors(t, ref.tensor(t, n), ctx.readTensor(t, n)));
}
