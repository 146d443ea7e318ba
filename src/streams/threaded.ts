// A context whose batches are split over several threads: each thread is a
// stream (stream.ts) of the same plan, taking a contiguous share of the
// images (batch parallelism: every kernel runs as it does on one thread, on
// fewer images). enqueueAsync(n) hands each share to its thread and resolves
// when all are done; the outputs are the same bits as one context's (for INT8
// plans: an FP32 plan's sums depend on how images are grouped). The threads
// share one engine (shared-engine.ts): each device's memory is one shared
// WebAssembly memory holding the weights once and every thread's
// activations; the debug build (bounds-checked, no shared memory) gives each
// thread its own memory instead.
import type { Plan } from "../engine/plan.js";
import { fail } from "../errors.js";
import { inferShapes, volume } from "../model/shapes.js";
import type { Spawn, Stream } from "./stream.js";
import { availableParallelism } from "node:os";
import { createStream, nodeSpawn } from "./spawn-node.js";
import { startSharedEngine } from "./shared-engine.js";

/** The default thread count: the machine's cores, up to 4 (ONNX Runtime Web's default). */
export function defaultThreadCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class ThreadedContext {
  readonly maxBatch: number;
  readonly threads: number;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly inputBuffer: Float32Array;
  private readonly outputBuffer: Float32Array;

  private constructor(private readonly streams: Stream[], maxBatch: number) {
    this.maxBatch = maxBatch;
    this.threads = streams.length;
    this.inputSize = streams[0]!.inputSize;
    this.outputSize = streams[0]!.outputSize;
    this.inputBuffer = new Float32Array(maxBatch * this.inputSize);
    this.outputBuffer = new Float32Array(maxBatch * this.outputSize);
  }

  /**
   * `threads` workers of `plan` (default: defaultThreadCount()), for batches
   * up to maxBatch (FP32 input plans), sharing one engine; in a browser, give `spawn` (browserSpawn) and
   * the compiled threads build.
   */
  static async create(plan: Plan, maxBatch: number, threads = defaultThreadCount(), flavor: "release" | "debug" = "release", browser?: { spawn: Spawn; module: WebAssembly.Module }): Promise<ThreadedContext> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) fail("BAD_OPTION", `--threads ${threads}: expected an integer in 1..64`);
    if (!plan.options.inputFormat.startsWith("fp32")) fail("BAD_OPTION", `--threads: the plan's input is ${plan.options.inputFormat}; threaded contexts take fp32:nchw input`);
    const share = Math.ceil(maxBatch / threads);
    const streams = flavor === "debug"
      ? await Promise.all(Array.from({ length: threads }, (_, k) => createStream(plan, share, { label: `thread ${k}`, flavor })))
      : await startSharedEngine(browser?.spawn ?? nodeSpawn, plan, share, threads, { module: browser?.module });
    const ctx = new ThreadedContext(streams, maxBatch);
    const expected = volume(inferShapes(plan.graph).tensors.get(plan.graph.input.name)!);
    if (ctx.inputSize !== expected) fail("BAD_ARGUMENT", `threaded context: ${ctx.inputSize} input values per image, the graph has ${expected}`);
    return ctx;
  }

  input(n = this.maxBatch): Float32Array {
    return this.inputBuffer.subarray(0, n * this.inputSize);
  }

  output(n = this.maxBatch): Float32Array {
    return this.outputBuffer.subarray(0, n * this.outputSize);
  }

  /** Runs n images: thread k takes images [start_k, start_k + n_k), the shares as equal as they can be. */
  async enqueueAsync(n: number): Promise<void> {
    if (!(Number.isInteger(n) && n >= 1 && n <= this.maxBatch)) fail("BAD_ARGUMENT", `enqueue: batch of ${n} images, expected 1..${this.maxBatch}`);
    const parts = Math.min(this.threads, n);
    const base = Math.floor(n / parts), extra = n % parts;
    const shares: [Stream, number, number][] = [];
    let start = 0;
    for (let k = 0; k < parts; k++) {
      const count = base + (k < extra ? 1 : 0);
      shares.push([this.streams[k]!, start, count]);
      start += count;
    }
    await Promise.all(shares.map(async ([s, from, count]) => {
      (s.input(count) as Float32Array).set(this.inputBuffer.subarray(from * this.inputSize, (from + count) * this.inputSize));
      await s.enqueueAsync(count);
      this.outputBuffer.set(s.output(count), from * this.outputSize);
    }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.dispose()));
  }
}
