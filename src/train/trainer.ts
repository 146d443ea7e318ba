// Trains a chain graph (convolution, max pooling, fully connected, ReLU,
// softmax last) in FP32 with Caffe's solver: SGD with momentum, L2 weight
// decay, the "inv" learning-rate policy, biases at twice the learning rate,
// Xavier initialisation. Forward and backward run in wasm.
import type { Kernels } from "../runtime/kernels.js";
import { isPlainConvolution, isPlainPooling, type Graph, type Layer } from "../model/graph.js";
import { inferShapes, volume, type GraphShapes } from "../model/shapes.js";
import { paramName } from "../model/model.js";
import type { WeightMap } from "../model/weights-file.js";
import type { ImageSet } from "../data/dataset.js";
import { Rng } from "../util/rng.js";
import { fail } from "../errors.js";

export interface SolverConfig {
  seed: number;
  epochs: number;
  batch: number;
  baseLr: number;
  momentum: number;
  weightDecay: number;
  /** lr = baseLr * (1 + gamma * iter) ^ -power (Caffe's "inv" policy). */
  gamma: number;
  power: number;
}

/** Caffe's examples/mnist/lenet_solver.prototxt, with epochs instead of max_iter. */
export const CAFFE_LENET_SOLVER: SolverConfig = {
  seed: 1, epochs: 10, batch: 64, baseLr: 0.01, momentum: 0.9, weightDecay: 0.0005, gamma: 0.0001, power: 0.75,
};

interface Param {
  name: string;
  dims: number[];
  w: number;
  g: number;
  v: number;
  size: number;
  lrMult: number;
}

interface TrainStep {
  forward(n: number): void;
  backward(n: number): void;
}

export interface EpochReport {
  epoch: number;
  iterations: number;
  meanLoss: number;
  seconds: number;
}

export class Trainer {
  private readonly k: Kernels;
  private readonly graph: Graph;
  private readonly shapes: GraphShapes;
  private readonly config: SolverConfig;
  private readonly params: Param[] = [];
  private readonly steps: TrainStep[] = [];
  private readonly act = new Map<string, number>();
  private readonly grad = new Map<string, number>();
  private readonly input: number;
  private readonly labels: number;
  private readonly logits: string;
  private readonly lossGrad: number;
  private iteration = 0;

  constructor(kernels: Kernels, graph: Graph, config: SolverConfig) {
    this.k = kernels;
    this.graph = graph;
    this.config = config;
    this.shapes = inferShapes(graph);
    const last = graph.layers[graph.layers.length - 1]!;
    if (last.type !== "softmax") fail("BAD_ARGUMENT", `training needs a softmax as the last layer, ${graph.name} ends with ${last.type} ${last.name}`);
    checkTrainable(graph);
    const rng = new Rng(config.seed);
    const B = config.batch;
    const arena = kernels.arena;
    const buffer = (map: Map<string, number>, name: string) => {
      let p = map.get(name);
      if (p === undefined) {
        p = arena.allocF32(volume(this.shapes.tensors.get(name)!) * B);
        map.set(name, p);
      }
      return p;
    };
    this.input = buffer(this.act, graph.input.name);
    this.labels = arena.allocI32(B);
    for (const layer of graph.layers.slice(0, -1)) {
      buffer(this.act, layer.output);
      buffer(this.grad, layer.output);
      this.steps.push(this.makeStep(layer, rng, B));
    }
    this.logits = last.inputs[0]!;
    this.lossGrad = this.grad.get(this.logits)!;
  }

  private addParam(layer: string, kind: string, dims: number[], fanIn: number, rng: Rng, lrMult: number): Param {
    const arena = this.k.arena;
    const size = volume(dims);
    const p: Param = { name: paramName(layer, kind), dims, size, lrMult, w: arena.allocF32(size), g: arena.allocF32(size), v: arena.allocF32(size) };
    if (kind === "weight") {
      const a = Math.sqrt(3 / fanIn);
      const w = arena.f32(p.w, size);
      for (let i = 0; i < size; i++) w[i] = rng.uniform(-a, a);
    }
    this.params.push(p);
    return p;
  }

  private makeStep(layer: Layer, rng: Rng, B: number): TrainStep {
    const k = this.k.exports;
    const { input: [c, h, w], output: [oc, oh, ow], params } = this.shapes.layers.get(layer.name)!;
    const input = layer.inputs[0]!;
    const x = this.act.get(input)!;
    const y = this.act.get(layer.output)!;
    const dx = input === this.graph.input.name ? 0 : this.grad.get(input)!;
    const dy = this.grad.get(layer.output)!;
    const arena = this.k.arena;
    switch (layer.type) {
      case "convolution": {
        const { kernelShape: [kk], strides: [stride], pads: [pad] } = layer;
        const depth = c * kk * kk;
        const P = oh * ow;
        const W = this.addParam(layer.name, "weight", params.weight!, depth, rng, 1);
        const b = this.addParam(layer.name, "bias", params.bias!, depth, rng, 2);
        const col = arena.allocF32(depth * P);
        const dcol = arena.allocF32(depth * P);
        return {
          forward: (n) => k.conv_nchw_f32(x, n, c, h, w, W.w, b.w, oc, kk, kk, stride, pad, y, 0, col),
          backward: (n) => {
            k.bias_grad_f32(dy, n, oc, P, b.g);
            for (let i = 0; i < n; i++) {
              const xi = x + i * c * h * w * 4, dyi = dy + i * oc * P * 4;
              k.im2col_f32(xi, c, h, w, kk, kk, stride, pad, oh, ow, col);
              k.gemm_nt_f32(oc, depth, P, dyi, P, col, P, W.g, depth, i > 0 ? 1 : 0);
              if (dx !== 0) {
                k.gemm_nn_f32(depth, P, oc, W.w, 1, depth, dyi, P, dcol, P, 0);
                const dxi = dx + i * c * h * w * 4;
                arena.f32(dxi, c * h * w).fill(0);
                k.col2im_f32(dcol, c, h, w, kk, kk, stride, pad, oh, ow, dxi);
              }
            }
          },
        };
      }
      case "pooling": {
        if (layer.method !== "max") fail("BAD_ARGUMENT", `training supports max pooling only; layer ${layer.name} is ${layer.method}`);
        const argmax = arena.allocI32(oc * oh * ow * B);
        const { kernelShape: [window], strides: [stride] } = layer;
        return {
          forward: (n) => k.maxpool_nchw_f32(x, n, c, h, w, window, stride, y, argmax),
          backward: (n) => { if (dx !== 0) k.maxpool_backward_f32(dy, argmax, n * c, oh * ow, h * w, dx); },
        };
      }
      case "fully_connected": {
        const I = c * h * w, O = layer.numOutput;
        const W = this.addParam(layer.name, "weight", params.weight!, I, rng, 1);
        const b = this.addParam(layer.name, "bias", params.bias!, I, rng, 2);
        return {
          forward: (n) => k.fc_f32(x, n, I, W.w, b.w, O, y, 0),
          backward: (n) => {
            k.gemm_nn_f32(O, I, n, dy, 1, O, x, I, W.g, I, 0);
            k.bias_grad_f32(dy, n, O, 1, b.g);
            if (dx !== 0) k.gemm_nn_f32(n, I, O, dy, O, 1, W.w, I, dx, I, 0);
          },
        };
      }
      case "relu": {
        const size = c * h * w;
        if (input !== layer.output) fail("BAD_ARGUMENT", `training supports in-place ReLU only; layer ${layer.name} writes ${layer.output}`);
        return {
          forward: (n) => k.relu_f32(y, n * size),
          backward: (n) => k.relu_backward_f32(y, dy, n * size),
        };
      }
      case "softmax":
        return fail("BAD_ARGUMENT", `softmax ${layer.name} must be the last layer for training`);
      default:
        return fail("BAD_ARGUMENT", `training supports convolution, max pooling, fully connected, ReLU and softmax; layer ${layer.name} is ${layer.type}`);
    }
  }

  /** One SGD iteration on images `indices` of `set`; returns the batch loss. */
  step(set: ImageSet, indices: Uint32Array): number {
    const n = indices.length;
    const size = set.rows * set.cols;
    const arena = this.k.arena;
    const x = arena.f32(this.input, n * size);
    const labels = arena.i32(this.labels, n);
    for (let i = 0; i < n; i++) {
      const idx = indices[i]!;
      for (let p = 0; p < size; p++) x[i * size + p] = set.pixels[idx * size + p]! / 255;
      labels[i] = set.labels[idx]!;
    }
    for (const s of this.steps) s.forward(n);
    const classes = volume(this.shapes.tensors.get(this.logits)!);
    const loss = this.k.exports.softmax_xent_f32(this.act.get(this.logits)!, this.labels, n, classes, this.lossGrad);
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!.backward(n);
    const { baseLr, gamma, power, momentum, weightDecay } = this.config;
    const lr = baseLr * Math.pow(1 + gamma * this.iteration, -power);
    for (const p of this.params) this.k.exports.sgd_momentum_f32(p.w, p.g, p.v, p.size, lr * p.lrMult, momentum, weightDecay);
    this.iteration++;
    return loss;
  }

  /** One pass over `set` in a seeded random order. */
  epoch(set: ImageSet, epoch: number, rng: Rng, onProgress?: (done: number, total: number, loss: number) => void): EpochReport {
    const start = performance.now();
    const order = new Uint32Array(set.count);
    for (let i = 0; i < set.count; i++) order[i] = i;
    rng.shuffle(order);
    const B = this.config.batch;
    let lossSum = 0, batches = 0;
    for (let at = 0; at + B <= set.count; at += B) {
      lossSum += this.step(set, order.subarray(at, at + B));
      batches++;
      if (onProgress && batches % 20 === 0) onProgress(at + B, set.count, lossSum / batches);
    }
    return { epoch, iterations: this.iteration, meanLoss: lossSum / batches, seconds: (performance.now() - start) / 1000 };
  }

  /** Replaces the current weights (e.g. to fine-tune from a saved model). */
  setWeights(weights: WeightMap): void {
    for (const p of this.params) {
      const t = weights.get(p.name);
      if (!t || t.data.length !== p.size) fail("SHAPE_MISMATCH", `setWeights: tensor "${p.name}" needs ${p.size} values, found ${t ? t.data.length : "none"}`);
      this.k.arena.f32(p.w, p.size).set(t.data);
    }
  }

  /** Gradients of the last step's mean loss (before weight decay). */
  gradients(): WeightMap {
    const out: WeightMap = new Map();
    for (const p of this.params) out.set(p.name, { dims: p.dims, data: this.k.arena.f32(p.g, p.size).slice() });
    return out;
  }

  /** The current weights, copied out of wasm memory. */
  weights(): WeightMap {
    const out: WeightMap = new Map();
    for (const p of this.params) out.set(p.name, { dims: p.dims, data: this.k.arena.f32(p.w, p.size).slice() });
    return out;
  }
}

/** octet trains chains of LeNet's layer kinds: each layer reads the one before, with square windows, no groups or dilation. */
function checkTrainable(graph: Graph): void {
  let previous = graph.input.name;
  for (const layer of graph.layers) {
    if (layer.inputs.length !== 1 || layer.inputs[0] !== previous) fail("BAD_ARGUMENT", `training runs chains: layer ${layer.name} must read "${previous}"`);
    if (layer.type === "convolution" && (!isPlainConvolution(layer) || !layer.bias)) fail("BAD_ARGUMENT", `training supports square, evenly padded convolutions with bias and no groups or dilation; layer ${layer.name} is not one`);
    if (layer.type === "pooling" && !isPlainPooling(layer)) fail("BAD_ARGUMENT", `training supports unpadded floor-mode square pooling; layer ${layer.name} is not one`);
    if (layer.type === "fully_connected" && !layer.bias) fail("BAD_ARGUMENT", `training needs a bias on fully connected layer ${layer.name}`);
    previous = layer.output;
  }
}
