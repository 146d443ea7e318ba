// The FP32 reference network: the model run layer by layer in FP32 on one
// kernel instance, independent of the builder and its plans. Calibration
// reads every tensor from it, and INT8 results are judged against it.
// Weights are copied into wasm memory once, activations are preallocated for
// `maxBatch` images, and `run` allocates nothing.
import type { Kernels } from "../runtime/kernels.js";
import type { Model } from "../model/model.js";
import { hasWeights } from "../model/graph.js";
import { fp32Layer, type Fp32Weights } from "./fp32-ops.js";
import { fp32Params } from "../engine/layer-params.js";
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
    this.inputPtr = tensorPtr(graph.input.name);
    this.inputSize = volume(graph.input.shape);
    this.steps = graph.layers.map((layer): Step => {
      const xs = layer.inputs.map(tensorPtr);
      const y = layer.output === layer.inputs[0] ? xs[0]! : tensorPtr(layer.output);
      const weights = hasWeights(layer) ? fp32Params(model, layer) as Fp32Weights : null;
      return { run: fp32Layer(kernels, layer, shapes.layers.get(layer.name)!, xs, y, false, weights) };
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
}
