// Node glue shared by the CLI commands: kernel instances per device, contexts,
// accuracy runs and timing runs over the library.
import { loadKernels } from "../runtime/wasm-source-node.js";
import type { Plan } from "../engine/plan.js";
import { ExecutionContext, type ContextOptions } from "../engine/context.js";
import { ContextRunner } from "../engine/context-runner.js";
import { evaluate, type Evaluation } from "../exec/evaluate.js";
import { measure, profilerOverhead, type Measurement, type MeasureOptions } from "../engine/measure.js";
import type { ImageSet } from "../data/dataset.js";
import { imagesToFloat } from "../data/dataset.js";
import { Progress } from "./progress.js";
import { TopKCounter } from "../metrics/topk.js";

export function createContext(plan: Plan, batch: number, options: ContextOptions = {}): ExecutionContext {
  return new ExecutionContext(plan, () => loadKernels("release"), batch, options);
}

export function accuracy(plan: Plan, test: ImageSet, batch: number, images: number, label: string): Evaluation {
  const runner = new ContextRunner(createContext(plan, batch));
  const progress = new Progress(`[I] ${label}`);
  const result = evaluate(runner, test, images, (done, total) => progress.update(done, total));
  progress.done();
  return result;
}

/** Top-1 (scored as evaluate() does) and every output probability of `plan` on the first `images` test images. */
export function classify(plan: Plan, test: ImageSet, batch: number, images: number, label: string): { top1: number; probs: Float32Array; classes: number } {
  const runner = new ContextRunner(createContext(plan, batch));
  const probs = new Float32Array(images * runner.outputSize);
  const counter = new TopKCounter();
  const progress = new Progress(`[I] ${label}`);
  for (let start = 0; start < images; start += batch) {
    const n = Math.min(batch, images - start);
    imagesToFloat(test, start, n, runner.input(n));
    runner.run(n);
    const out = runner.output(n);
    probs.set(out, start * runner.outputSize);
    counter.add(out, test.labels.subarray(start, start + n), runner.outputSize);
    progress.update(start + n, images);
  }
  progress.done();
  return { top1: counter.top1Rate, probs, classes: runner.outputSize };
}

/** The first `batch` test images in the plan's input format, as enqueue sees them. */
export function fixedInput(ctx: ExecutionContext, test: ImageSet, batch: number): Float32Array | Int8Array {
  const runner = new ContextRunner(ctx);
  imagesToFloat(test, 0, batch, runner.input(batch));
  runner.run(batch);
  return ctx.input(batch).slice();
}

export interface TimedRun {
  plain: Measurement;
  profiled: Measurement | null;
  profiledContext: ExecutionContext | null;
  overhead: { perEnqueueMs: number; percent: number } | null;
}

export function timeRuns(plan: Plan, test: ImageSet, batch: number, m: MeasureOptions, profile: ContextOptions | null): TimedRun {
  const ctx = createContext(plan, batch);
  const plain = measure(ctx, fixedInput(ctx, test, batch), batch, m);
  if (!profile) return { plain, profiled: null, profiledContext: null, overhead: null };
  const pctx = createContext(plan, batch, { ...profile, profile: true, profileSamples: Math.min(Math.max(64, m.iterations), 10000) });
  const input = fixedInput(pctx, test, batch);
  const perEnqueueMs = profilerOverhead(ctx, pctx, input, batch);
  const profiled = measure(pctx, input, batch, m);
  return { plain, profiled, profiledContext: pctx, overhead: { perEnqueueMs, percent: (100 * perEnqueueMs) / plain.enqueue.median } };
}
