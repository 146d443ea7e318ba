// A plan's output values on the first `images` images of a set, through one
// execution context on this thread, in batches.
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat, type ImageSet } from "../../src/data/dataset.js";
import type { Plan } from "../../src/engine/plan.js";

export function planOutputs(p: Plan, set: ImageSet, images: number, batch: number): Float32Array {
  const ctx = new ExecutionContext(p, () => loadKernels("release"), batch);
  const out = new Float32Array(images * ctx.outputSize);
  for (let s = 0; s < images; s += batch) {
    const n = Math.min(batch, images - s);
    imagesToFloat(set, s, n, ctx.input(n) as Float32Array);
    ctx.enqueue(n);
    out.set(ctx.output(n), s * ctx.outputSize);
  }
  return out;
}
