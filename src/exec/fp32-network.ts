// The FP32 reference network: the model run layer by layer in FP32 on one
// kernel instance, independent of the builder and its plans. Calibration
// reads every tensor from it, and INT8 results are judged against it.
// Weights are copied into wasm memory once, activations are preallocated for
// `maxBatch` images, and `run` allocates nothing.
import type { Kernels } from "../runtime/kernels.js";
import type { Model } from "../model/model.js";
import { paramName } from "../model/model.js";
import { volume } from "../model/shapes.js";
import { fail } from "../errors.js";

interface Step {
  run(n: number): void;
}

export class Fp32Network {
  readonly maxBatch: number;
  readonly inputPtr: number;
  readonly outputPtr: number;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly kernels: Kernels;
  private readonly steps: Step[];
  private readonly tensorPtrs = new Map<string, number>();
  private readonly tensorSizes = new Map<string, number>();

  constructor(kernels: Kernels, model: Model, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) fail("BAD_ARGUMENT", `batch size must be a positive integer, got ${maxBatch}`);
    this.kernels = kernels;
    this.maxBatch = maxBatch;
    const { graph, shapes } = model;
    const arena = kernels.arena;
    const tensorPtr = (name: string) => {
      let p = this.tensorPtrs.get(name);
      if (p === undefined) {
        const size = volume(shapes.tensors.get(name)!);
        p = arena.allocF32(size * maxBatch);
        this.tensorPtrs.set(name, p);
        this.tensorSizes.set(name, size);
      }
      return p;
    };
    const weightPtr = (layer: string, kind: string) => {
      const t = model.weights.get(paramName(layer, kind))!;
      const p = arena.allocF32(t.data.length);
      arena.f32(p, t.data.length).set(t.data);
      return p;
    };
    this.inputPtr = tensorPtr(graph.input.name);
    this.inputSize = volume(graph.input.shape);
    const k = kernels.exports;
    this.steps = graph.layers.map((layer): Step => {
      const [c, h, w] = shapes.layers.get(layer.name)!.input;
      const x = tensorPtr(layer.input);
      const y = layer.output === layer.input ? x : tensorPtr(layer.output);
      switch (layer.type) {
        case "convolution": {
          const [, ho, wo] = shapes.layers.get(layer.name)!.output;
          const wPtr = weightPtr(layer.name, "weight"), bPtr = weightPtr(layer.name, "bias");
          const scratch = arena.allocF32(c * layer.kernel * layer.kernel * ho * wo);
          const { numOutput, kernel, stride, pad } = layer;
          return { run: (n) => k.conv_nchw_f32(x, n, c, h, w, wPtr, bPtr, numOutput, kernel, kernel, stride, pad, y, 0, scratch) };
        }
        case "pooling": {
          const { window, stride } = layer;
          if (layer.method === "max") return { run: (n) => k.maxpool_nchw_f32(x, n, c, h, w, window, stride, y, 0) };
          return { run: (n) => k.avgpool_nchw_f32(x, n, c, h, w, window, stride, y) };
        }
        case "fully_connected": {
          const wPtr = weightPtr(layer.name, "weight"), bPtr = weightPtr(layer.name, "bias");
          const inFeatures = c * h * w;
          return { run: (n) => k.fc_f32(x, n, inFeatures, wPtr, bPtr, layer.numOutput, y, 0) };
        }
        case "relu": {
          const size = c * h * w;
          if (y !== x) return { run: (n) => { this.copy(x, y, n * size); k.relu_f32(y, n * size); } };
          return { run: (n) => k.relu_f32(y, n * size) };
        }
        case "softmax":
          return { run: (n) => k.softmax_f32(x, n, c * h * w, y) };
      }
    });
    this.outputPtr = tensorPtr(graph.output);
    this.outputSize = volume(shapes.tensors.get(graph.output)!);
  }

  /** Input buffer for up to maxBatch images, NCHW. Re-fetch after any arena growth. */
  input(n = this.maxBatch): Float32Array {
    return this.kernels.arena.f32(this.inputPtr, n * this.inputSize);
  }

  output(n = this.maxBatch): Float32Array {
    return this.kernels.arena.f32(this.outputPtr, n * this.outputSize);
  }

  /** Any tensor's FP32 values for the last run (for calibration and debugging). */
  tensor(name: string, n: number): Float32Array {
    const p = this.tensorPtrs.get(name);
    if (p === undefined) return fail("BAD_ARGUMENT", `no tensor named "${name}"`);
    return this.kernels.arena.f32(p, n * this.tensorSizes.get(name)!);
  }

  run(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.maxBatch) {
      fail("BAD_ARGUMENT", `batch of ${n} images: expected 1..${this.maxBatch}`);
    }
    for (const step of this.steps) step.run(n);
  }

  private copy(from: number, to: number, count: number): void {
    const mem = this.kernels.arena;
    mem.f32(to, count).set(mem.f32(from, count));
  }
}
