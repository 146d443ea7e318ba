// Execution context: instantiates each device the plan uses (one wasm
// instance, i.e. one memory, per device), uploads the packed weights,
// reserves every activation buffer for `maxBatch` images, and lowers each
// schedule node to a prepared call. enqueue(n) then runs the batch
// synchronously, allocating nothing.
import { fusedOps } from "../builder/fuse.js";
import type { Plan } from "./plan.js";
import type { Value } from "../builder/schedule.js";
import { stepFormat } from "../builder/schedule.js";
import type { Device } from "../builder/capabilities.js";
import type { Kernels } from "../runtime/kernels.js";
import { inferShapes, volume, type Chw, type GraphShapes } from "../model/shapes.js";
import { F32_NCHW, imageBytes, parseFormat, type Format } from "../core/format.js";
import { lowerCompute, lowerReformat, lowerCopy, type Runner } from "./lower.js";
import { Profiler, ENQUEUE_RANGE, type RangeInfo } from "../profiler/profiler.js";
import { fail, OctetError } from "../errors.js";
import { unpackBlocked, type Layout as BlockedLayout } from "../int8/layout.js";
import { dequantizeZp } from "../int8/numerics.js";
import { isVerified } from "./plan-trust.js";
import { planMemory, valueKey, type MemoryPlan } from "./memory-plan.js";
import { verifyPlan } from "./plan-verify.js";

export type KernelFactory = (device: Device) => Kernels;

export interface ContextOptions {
  /** Time every range of every enqueue. */
  profile?: boolean;
  /** Also time each layer inside fused DLA subgraphs. */
  profileDlaLayers?: boolean;
  /** Enqueues whose every range is kept for medians and the timeline (default 64). */
  profileSamples?: number;
  /**
   * Give every intermediate tensor its own memory so that readTensor can read
   * it after a run (as marking a tensor an output does in TensorRT). Off by
   * default: activations share memory by liveness (memory-plan.ts).
   */
  inspectTensors?: boolean;
}

/** The devices a context of the plan instantiates, in the order it makes them (the GPU holds the network's input and output). */
export function planDevices(plan: Plan): Device[] {
  const devices = new Set<Device>();
  for (const node of plan.nodes) {
    const values = node.kind === "compute" ? [...node.from, ...node.to] : [node.from, node.to];
    for (const device of [node.device, ...values.map((v) => v.device)]) devices.add(device);
  }
  devices.add("gpu");
  return [...devices];
}

export class ExecutionContext {
  readonly plan: Plan;
  readonly maxBatch: number;
  readonly devices = new Map<Device, Kernels>();
  readonly shapes: GraphShapes;
  readonly inputFormat: Format;
  readonly inputShape: Chw;
  readonly outputShape: Chw;
  readonly profiler: Profiler | null;
  private readonly runners: Runner[] = [];
  private readonly memory: MemoryPlan;
  private readonly bases = new Map<Device, number>();
  private readonly inspectable: boolean;
  private inputView: Float32Array | Int8Array;
  private outputView: Float32Array;
  /** Where the network input and output live in the GPU device's memory (threads on a shared memory read them there). */
  readonly inputPtr: number;
  readonly outputPtr: number;
  private readonly inputPerImage: number;
  private readonly outputPerImage: number;
  private readonly profileDla: boolean;

  constructor(plan: Plan, makeKernels: KernelFactory, maxBatch: number, options: ContextOptions = {}) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) fail("BAD_ARGUMENT", `batch size must be a positive integer, got ${maxBatch}`);
    this.plan = plan = isVerified(plan) ? plan : verifyPlan(plan, "plan");
    this.maxBatch = maxBatch;
    this.shapes = inferShapes(plan.graph);
    this.inputFormat = parseFormat(plan.options.inputFormat, "plan input format");
    const input = plan.graph.input.name, output = plan.graph.output;
    this.inputShape = this.shapes.tensors.get(input)!;
    this.outputShape = this.shapes.tensors.get(output)!;
    for (const device of planDevices(plan)) this.devices.set(device, makeKernels(device));
    this.inspectable = Boolean(options.inspectTensors);
    this.memory = planMemory(plan, this.shapes, maxBatch, !this.inspectable);
    for (const [device, bytes] of this.memory.planned) this.bases.set(device, this.devices.get(device)!.arena.alloc(bytes));
    const inputValue: Value = { tensor: input, device: "gpu", format: this.inputFormat };
    const outputValue: Value = { tensor: output, device: "gpu", format: F32_NCHW };
    const inputPtr = this.buffer(inputValue);
    const outputPtr = this.buffer(outputValue);
    this.inputPtr = inputPtr;
    this.outputPtr = outputPtr;
    const env = { plan, shapes: this.shapes, maxBatch, buffer: (v: Value) => this.buffer(v), kernels: (d: Device) => this.devices.get(d)!,
      slice: (v: Value) => this.memory.concats.slices.get(valueKey(v)) };
    const ranges: RangeInfo[] = [{ name: ENQUEUE_RANGE, kind: "enqueue", device: "host", parent: -1 }];
    const dlaInner: { node: number; names: string[] }[] = [];
    plan.nodes.forEach((node, i) => {
      ranges.push({ name: node.name, kind: node.kind, device: node.device, parent: 0 });
      if (node.kind === "compute") {
        const lowered = lowerCompute(env, node);
        this.runners.push(lowered.run);
        if (lowered.innerNames) dlaInner.push({ node: i, names: lowered.innerNames });
      } else if (node.kind === "reformat") {
        this.runners.push(lowerReformat(env, node));
      } else {
        this.runners.push(lowerCopy(env, node));
      }
    });
    const profileDla = Boolean(options.profile && options.profileDlaLayers);
    this.profileDla = profileDla;
    const innerRange = new Map<number, number>();
    if (profileDla) {
      for (const { node, names } of dlaInner) {
        innerRange.set(node, ranges.length);
        for (const name of names) ranges.push({ name: `${plan.nodes[node]!.name} > ${name}`, kind: "dla-layer", device: "dla", parent: node + 1 });
      }
    }
    const samples = options.profileSamples ?? 64;
    if (!Number.isInteger(samples) || samples < 1 || samples > 1_000_000) fail("BAD_ARGUMENT", `profileSamples: expected an integer in 1..1000000, found ${samples}`);
    this.profiler = options.profile ? new Profiler(ranges, samples) : null;
    if (this.profiler && profileDla && dlaInner.length > 0) this.wireDlaProfiling(innerRange, dlaInner);
    const gpu = this.devices.get("gpu")!;
    this.inputPerImage = imageBytes(this.inputFormat, this.inputShape) / (this.inputFormat.dtype === "f32" ? 4 : 1);
    this.outputPerImage = volume(this.outputShape);
    this.inputView = this.inputFormat.dtype === "f32"
      ? new Float32Array(gpu.exports.memory.buffer, inputPtr, this.inputPerImage * maxBatch)
      : new Int8Array(gpu.exports.memory.buffer, inputPtr, this.inputPerImage * maxBatch);
    this.outputView = new Float32Array(gpu.exports.memory.buffer, outputPtr, this.outputPerImage * maxBatch);
  }

  private wireDlaProfiling(innerRange: Map<number, number>, dlaInner: { node: number; names: string[] }[]): void {
    const profiler = this.profiler!;
    const dla = this.devices.get("dla")!;
    let base = -1;
    dla.onDlaLayerDone = (command: number) => profiler.endAfter(base + command, command === 0 ? -1 : base + command - 1);
    for (const { node } of dlaInner) {
      const run = this.runners[node]!;
      const first = innerRange.get(node)!;
      this.runners[node] = (n: number, profile: boolean) => {
        base = first;
        run(n, profile);
      };
    }
  }

  private buffer(v: Value): number {
    const at = this.memory.offsets.get(valueKey(v));
    if (!at) return fail("BAD_ARGUMENT", `plan refers to tensor "${v.tensor}" on ${v.device.toUpperCase()} that no step writes or reads`);
    return this.bases.get(at.device)! + at.offset;
  }

  /** Activation bytes per device: as planned by liveness, and with a buffer per value. */
  activationBytes(): { device: Device; planned: number; separate: number }[] {
    return [...this.memory.planned].map(([device, planned]) => ({ device, planned, separate: this.memory.separate.get(device)! }));
  }

  /** The network input buffer (format: plan's input format) for n images. */
  input(n = this.maxBatch): Float32Array | Int8Array {
    this.refreshViews();
    return n === this.maxBatch ? this.inputView : this.inputView.subarray(0, n * this.inputPerImage);
  }

  /** Class probabilities (FP32 nchw) of the last enqueue. */
  output(n = this.maxBatch): Float32Array {
    this.refreshViews();
    return n === this.maxBatch ? this.outputView : this.outputView.subarray(0, n * this.outputPerImage);
  }

  /** Another context on the same device instance (an Engine's) may have grown its memory, which detaches old views. */
  private refreshViews(): void {
    const buffer = this.devices.get("gpu")!.exports.memory.buffer;
    if (this.outputView.buffer === buffer) return;
    const f32 = this.inputFormat.dtype === "f32";
    const inputs = this.inputPerImage * this.maxBatch;
    this.inputView = f32 ? new Float32Array(buffer, this.inputPtr, inputs) : new Int8Array(buffer, this.inputPtr, inputs);
    this.outputView = new Float32Array(buffer, this.outputPtr, this.outputPerImage * this.maxBatch);
  }

  get outputSize(): number {
    return this.outputPerImage;
  }

  /** Runs a batch of n images (1..maxBatch) through the plan. */
  enqueue(n: number): void {
    if (!(n >= 1 && n <= this.maxBatch && Number.isInteger(n))) fail("BAD_ARGUMENT", `enqueue: batch of ${n} images, expected 1..${this.maxBatch}`);
    const runners = this.runners;
    const p = this.profiler;
    let i = 0;
    try {
      if (p === null) {
        for (; i < runners.length; i++) runners[i]!(n, false);
        return;
      }
      p.batch = n;
      p.begin(0);
      for (; i < runners.length; i++) {
        p.begin(i + 1);
        runners[i]!(n, this.profileDla);
        p.end(i + 1);
      }
      p.end(0);
      p.finishEnqueue();
    } catch (e) {
      this.fault(i, e);
    }
  }

  /** Re-throws what a step threw as a typed error naming the device and the step. */
  private fault(i: number, e: unknown): never {
    if (e instanceof OctetError && e.code !== "OUT_OF_BOUNDS") throw e;
    const node = this.plan.nodes[i];
    const where = node ? `${node.device.toUpperCase()} step ${node.name}` : "enqueue";
    return fail(e instanceof OctetError ? e.code : "DEVICE_FAULT", `${where}: ${(e as Error).message}`);
  }

  /**
   * Runs step i alone on n images (a device thread of a split context runs
   * its device's steps, ordered against the others' by stepRegions).
   */
  runStep(i: number, n: number): void {
    if (!(n >= 1 && n <= this.maxBatch && Number.isInteger(n))) fail("BAD_ARGUMENT", `enqueue: batch of ${n} images, expected 1..${this.maxBatch}`);
    const run = this.runners[i] ?? fail("BAD_ARGUMENT", `no step ${i} in this plan (${this.runners.length} steps)`);
    try {
      run(n, false);
    } catch (e) {
      this.fault(i, e);
    }
  }

  /**
   * The activation bytes each step reads or writes, as [start, end) ranges of
   * its devices' memories (a copy touches two), the values inside fused steps
   * included: two steps whose ranges overlap in one memory must run in plan
   * order.
   */
  stepRegions(): { device: Device; start: number; end: number }[][] {
    const region = (v: Value) => {
      const at = this.memory.offsets.get(valueKey(v));
      return at ? [{ device: at.device, start: this.bases.get(at.device)! + at.offset, end: this.bases.get(at.device)! + at.offset + at.bytes }] : [];
    };
    return this.plan.nodes.map((node) => {
      if (node.kind !== "compute") return [...region(node.from), ...region(node.to)];
      const device = node.step.device, format = stepFormat(node.step);
      return fusedOps(node.step).flatMap((op) => [...op.layer.inputs, op.output].flatMap((tensor) => region({ tensor, device, format })));
    });
  }

  /**
   * A tensor's values from the last enqueue, dequantized to FP32 nchw, read
   * from wherever the plan keeps it (inside fused steps too): the view
   * Polygraphy's "mark all outputs" gives, without changing the plan.
   */
  readTensor(name: string, n: number): Float32Array {
    let value: Value | undefined;
    for (const node of this.plan.nodes) {
      if (node.kind !== "compute") continue;
      for (const p of node.step.layers) {
        if (p.layer.output === name) value = { tensor: name, device: node.step.device, format: stepFormat(node.step) };
      }
    }
    if (value && !this.materialized(name)) fail("BAD_ARGUMENT", `tensor "${name}" is fused away (its ReLU writes another tensor) and never stored`);
    if (value && !this.inspectable && name !== this.plan.graph.output) fail("BAD_ARGUMENT", `tensor "${name}" shares memory with later tensors; create the context with { inspectTensors: true } to read it`);
    if (name === this.plan.graph.input.name) value = { tensor: name, device: "gpu", format: this.inputFormat };
    if (!value) return fail("BAD_ARGUMENT", `no tensor named "${name}" in this plan`);
    const [C, H, W] = this.shapes.tensors.get(name)!;
    const ptr = this.buffer(value);
    const mem = this.devices.get(value.device)!.exports.memory.buffer;
    if (value.format.dtype === "f32") return new Float32Array(mem, ptr, n * C * H * W).slice();
    const layout = value.format.layout as BlockedLayout;
    const q = unpackBlocked(new Int8Array(mem, ptr, imageBytes(value.format, [C, H, W]) * n), n, C, H, W, layout);
    const scale = this.plan.scales[name]!, zero = this.plan.zeroPoints[name] ?? 0;
    return Float32Array.from(q, (v) => dequantizeZp(v, scale, zero));
  }

  /** Whether a layer output is stored: false for a conv / fc output whose ReLU, fused into it, writes another tensor. */
  materialized(name: string): boolean {
    for (const node of this.plan.nodes) {
      if (node.kind !== "compute") continue;
      for (const op of fusedOps(node.step)) {
        if (op.layer.output === name && op.output !== name) return false;
      }
    }
    return true;
  }
}
