// A plan's output values on the first `images` images of a set, through one
// execution context on this thread, in batches (on the release build the
// start-up choice picked, or on `kernels`).
import { ExecutionContext, type KernelFactory } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat, type ImageSet } from "../../src/data/dataset.js";
import type { Plan } from "../../src/engine/plan.js";

export function planOutputs(p: Plan, set: ImageSet, images: number, batch: number, kernels: KernelFactory = () => loadKernels("release")): Float32Array {
  const ctx = new ExecutionContext(p, kernels, batch);
  const out = new Float32Array(images * ctx.outputSize);
  for (let s = 0; s < images; s += batch) {
    const n = Math.min(batch, images - s);
    imagesToFloat(set, s, n, ctx.input(n) as Float32Array);
    ctx.enqueue(n);
    out.set(ctx.output(n), s * ctx.outputSize);
  }
  return out;
}
