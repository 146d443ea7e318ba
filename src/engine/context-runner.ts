// Adapts an execution context to FP32 NCHW images in, probabilities out
// (what evaluation and demos have). When the plan's input format is int8,
// the images are quantized and packed on the host first, as a user's
// preprocessing would; that work is outside enqueue.
import type { ExecutionContext } from "./context.js";
import type { BatchRunner } from "../exec/evaluate.js";
import { quantize } from "../int8/numerics.js";
import { channelBlock } from "../core/format.js";
import { blockedIndex } from "../int8/layout.js";

export class ContextRunner implements BatchRunner {
  readonly maxBatch: number;
  readonly outputSize: number;
  private readonly staging: Float32Array | null;

  constructor(readonly ctx: ExecutionContext) {
    this.maxBatch = ctx.maxBatch;
    this.outputSize = ctx.outputSize;
    const [c, h, w] = ctx.inputShape;
    this.staging = ctx.inputFormat.dtype === "f32" ? null : new Float32Array(ctx.maxBatch * c * h * w);
  }

  input(n: number): Float32Array {
    if (this.staging) return this.staging.subarray(0, n * this.imageSize);
    return this.ctx.input(n) as Float32Array;
  }

  output(n: number): Float32Array {
    return this.ctx.output(n);
  }

  run(n: number): void {
    if (this.staging) this.packInput(n);
    this.ctx.enqueue(n);
  }

  private get imageSize(): number {
    const [c, h, w] = this.ctx.inputShape;
    return c * h * w;
  }

  private packInput(n: number): void {
    const [C, H, W] = this.ctx.inputShape;
    const G = channelBlock(this.ctx.inputFormat.layout);
    const scale = this.ctx.plan.scales[this.ctx.plan.graph.input.name]!;
    const dst = this.ctx.input(n) as Int8Array;
    const src = this.staging!;
    dst.fill(0);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < C; c++)
        for (let h = 0; h < H; h++)
          for (let w = 0; w < W; w++) dst[blockedIndex(i, c, h, w, C, H, W, G)] = quantize(src[((i * C + c) * H + h) * W + w]!, scale);
  }
}
