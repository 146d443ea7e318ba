// Lowering: each schedule node becomes a prepared call with every pointer
// and size resolved, so running it is one or a few wasm calls. Arguments are
// validated here, once, with the kernels' own rules (src/int8/validate.ts).
import { fusedOps } from "../builder/fuse.js";
import type { Plan } from "./plan.js";
import type { Node, Value } from "../builder/schedule.js";
import { stepFormat } from "../builder/schedule.js";
import type { Device } from "../builder/capabilities.js";
import type { Kernels } from "../runtime/kernels.js";
import { hasWeights, type Layer } from "../model/graph.js";
import { fp32Layer } from "../exec/fp32-ops.js";
import type { GraphShapes } from "../model/shapes.js";
import { imageBytes, S8_NC32HW32, S8_NCHW4 } from "../core/format.js";
import type { LayerParams } from "./layer-params.js";
import { checkInt, checkScale, checkTensor, MAX_CHANNELS } from "../int8/validate.js";
import { packedInt8Channels, packedInt8WeightBytes } from "../int8/pack-check.js";
import { int8Kernel } from "./kernel-table.js";
import { int8LayerCalls } from "./lower-int8.js";
import { encodeDlaCommand, dlaLayerEnd, runCalls, perImageCalls, DLA_COMMAND_WORDS, type KernelCall } from "./kernel-call.js";
import type { ConcatSlice } from "./concat-slices.js";
import type { Layout as BlockedLayout } from "../int8/layout.js";
import { fail } from "../errors.js";

/** Runs the node on a batch of n images; `profile` asks the DLA engine to report each layer. */
export type Runner = (n: number, profile: boolean) => void;

export interface LowerEnv {
  plan: Plan;
  shapes: GraphShapes;
  maxBatch: number;
  buffer(v: Value): number;
  kernels(d: Device): Kernels;
  /** The concat slice a value is written into, if any (concat-slices.ts). */
  slice(v: Value): ConcatSlice | undefined;
}

type ComputeNode = Extract<Node, { kind: "compute" }>;

export function lowerCompute(env: LowerEnv, node: ComputeNode): { run: Runner; innerNames?: string[] } {
  const step = node.step;
  if (step.device === "dla") return lowerDla(env, node);
  const k = env.kernels("gpu");
  const format = stepFormat(step);
  const calls: ((n: number) => void)[] = [];
  for (const op of fusedOps(step)) {
    const layer = op.layer;
    const xs = layer.inputs.map((tensor) => env.buffer({ tensor, device: "gpu", format }));
    // A fused ReLU writes the ReLU's output (the same tensor when in place).
    const y = env.buffer({ tensor: op.output, device: "gpu", format });
    const relu = op.relu !== null;
    calls.push(step.precision === "int8"
      ? runCalls(k.exports, int8Calls(env, k, layer, "nchw4", xs, y, op.output, relu, clipMaxOf(op.relu)))
      : gpuFp32(env, k, layer, xs, y, relu));
  }
  if (calls.length === 1) {
    const only = calls[0]!;
    return { run: (n) => only(n) };
  }
  return { run: (n) => { for (let i = 0; i < calls.length; i++) calls[i]!(n); } };
}

function layerShape(env: LowerEnv, layer: Layer) {
  return env.shapes.layers.get(layer.name)!;
}

function params(env: LowerEnv, layer: Layer, kind: LayerParams["kind"]): LayerParams {
  const p = env.plan.params[layer.name];
  if (!p || p.kind !== kind) fail("BAD_ARGUMENT", `plan: layer ${layer.name} has no ${kind} parameters`);
  return p;
}

/**
 * The kernels trust their arguments: check this layer against their own
 * argument rules, and its packed parameters' sizes against this octet's
 * packing (plan-verify.ts has already proved the plan's contents; this keeps
 * lowering safe on its own).
 */
function checkInt8Layer(env: LowerEnv, layer: Layer, layout: BlockedLayout): void {
  const op = `plan: layer ${layer.name}`;
  const shapes = layerShape(env, layer);
  const { input: [C, H, W], output: [K] } = shapes;
  checkTensor(op, 1, C, H, W);
  checkInt(op, "output channels", K, 1, MAX_CHANNELS);
  // The geometry of each kernel call is checked where the call is made (lower-int8.ts).
  const zero = (t: string) => env.plan.zeroPoints[t] ?? 0;
  const kernel = int8Kernel(layer, shapes, (t) => env.plan.scales[t], zero);
  if (typeof kernel === "string") fail("BAD_ARGUMENT", `${op}: ${kernel}`);
  if (layer.type !== "convolution" && layer.type !== "fully_connected") return;
  const p = params(env, layer, "int8") as Extract<LayerParams, { kind: "int8" }>;
  const symmetric = zero(layer.inputs[0]!) === 0 && zero(layer.output) === 0;
  const bytes = packedInt8WeightBytes(layer, shapes, layout, symmetric);
  const padded = packedInt8Channels(layer, shapes, symmetric);
  if (p.layout !== layout || p.weights.length !== bytes || p.bias.length !== padded || p.mult.length !== padded) {
    fail("BAD_ARGUMENT", `${op}: packed parameters (${p.layout}, ${p.weights.length} weight bytes) do not match this octet's packing ` +
      `(${layout}, ${bytes} bytes); rebuild the plan`);
  }
}

/** The max of a fused Clip(0, max), if the fused activation is one. */
function clipMaxOf(activation: Layer | null): number | undefined {
  return activation?.type === "activation" && activation.fn === "clip" ? activation.max : undefined;
}

/**
 * A layer's INT8 kernel calls, checked: a layer writing a concat slice runs
 * them per image; a concat runs none for the inputs written in place.
 */
function int8Calls(
  env: LowerEnv, k: Kernels, layer: Layer, layout: BlockedLayout, xs: number[], y: number, output: string, relu: boolean, clipMax?: number,
): KernelCall[] {
  checkInt8Layer(env, layer, layout);
  const device: Device = layout === "nchw4" ? "gpu" : "dla";
  const format = layout === "nchw4" ? S8_NCHW4 : S8_NC32HW32;
  const sliceInputs = new Set(layer.type !== "concat" ? [] : layer.inputs.flatMap((tensor, j) => {
    const s = env.slice({ tensor, device, format });
    return s && s.concatLayer === layer.name ? [j] : [];
  }));
  const calls = int8LayerCalls({
    k, layout, layer, shapes: layerShape(env, layer), xs, y, relu, clipMax, sliceInputs,
    scale: (t) => env.plan.scales[t] ?? fail("BAD_ARGUMENT", `plan: no scale for tensor "${t}"`),
    zero: (t) => env.plan.zeroPoints[t] ?? 0,
    int8Params: () => params(env, layer, "int8") as Extract<LayerParams, { kind: "int8" }>,
    affineParams: () => params(env, layer, "fp32") as Extract<LayerParams, { kind: "fp32" }>,
  });
  const slice = env.slice({ tensor: output, device, format });
  if (!slice) return calls;
  return perImageCalls(calls, xs[0]!, imageBytes(format, layerShape(env, layer).input), y, slice.imageStride);
}

function gpuFp32(env: LowerEnv, k: Kernels, layer: Layer, xs: number[], y: number, relu: boolean): (n: number) => void {
  const p = hasWeights(layer) ? params(env, layer, "fp32") as Extract<LayerParams, { kind: "fp32" }> : null;
  return fp32Layer(k, layer, layerShape(env, layer), xs, y, relu, p);
}

function lowerDla(env: LowerEnv, node: ComputeNode): { run: Runner; innerNames: string[] } {
  const k = env.kernels("dla");
  const format = stepFormat(node.step);
  const ops = fusedOps(node.step);
  const commands: Int32Array[] = [];
  ops.forEach((op, i) => {
    const layer = op.layer;
    const xs = layer.inputs.map((tensor) => env.buffer({ tensor, device: "dla", format }));
    const y = env.buffer({ tensor: op.output, device: "dla", format });
    const calls = int8Calls(env, k, layer, "nc32hw32", xs, y, op.output, op.relu !== null, clipMaxOf(op.relu));
    calls.forEach((c, j) => commands.push(encodeDlaCommand(c, j === calls.length - 1 ? i + 1 : 0)));
    if (calls.length === 0) commands.push(dlaLayerEnd(i + 1));
  });
  // One spare command slot after the program: the engine runs per-image commands from a copy there.
  const program = k.arena.alloc((commands.length + 1) * DLA_COMMAND_WORDS * 4);
  commands.forEach((words, i) => k.arena.i32(program + i * DLA_COMMAND_WORDS * 4, DLA_COMMAND_WORDS).set(words));
  const e = k.exports;
  const count = commands.length;
  return {
    run: (n, profile) => {
      const ran = e.dla_execute(program, count, n, profile ? 1 : 0);
      if (ran !== count) fail("BAD_ARGUMENT", `DLA engine stopped at command ${ran} of ${count}: unknown kernel`);
    },
    innerNames: ops.map((o) => o.name),
  };
}

type ReformatNode = Extract<Node, { kind: "reformat" }>;

export function lowerReformat(env: LowerEnv, node: ReformatNode): Runner {
  const k = env.kernels("gpu");
  const e = k.exports;
  const [C, H, W] = env.shapes.tensors.get(node.from.tensor)!;
  const x = env.buffer(node.from), y = env.buffer(node.to);
  const from = node.from.format, to = node.to.format;
  const scale = env.plan.scales[node.from.tensor]!;
  const zero = env.plan.zeroPoints[node.from.tensor] ?? 0;
  if (from.dtype === "f32" && to.dtype === "s8") {
    checkScale(node.name, "scale", scale);
    checkInt(node.name, "zero point", zero, -128, 127);
    const f = to.layout === "nchw4" ? e.reformat_nchw_f32_to_nchw4_s8 : e.reformat_nchw_f32_to_nc32hw32_s8;
    return (n) => f(x, n, C, H, W, scale, zero, y);
  }
  if (from.dtype === "s8" && to.dtype === "f32") {
    checkScale(node.name, "scale", scale);
    checkInt(node.name, "zero point", zero, -128, 127);
    const f = from.layout === "nchw4" ? e.reformat_nchw4_s8_to_nchw_f32 : e.reformat_nc32hw32_s8_to_nchw_f32;
    return (n) => f(x, n, C, H, W, scale, zero, y);
  }
  if (from.dtype === "s8" && to.dtype === "s8" && from.layout !== to.layout) {
    const f = from.layout === "nchw4" ? e.reformat_nchw4_s8_to_nc32hw32_s8 : e.reformat_nc32hw32_s8_to_nchw4_s8;
    return (n) => f(x, n, C, H, W, y);
  }
  return fail("BAD_ARGUMENT", `plan: ${node.name}: no reformatter from ${from.dtype}:${from.layout} to ${to.dtype}:${to.layout}`);
}

type CopyNode = Extract<Node, { kind: "copy" }>;

export function lowerCopy(env: LowerEnv, node: CopyNode): Runner {
  const src = env.kernels(node.from.device), dst = env.kernels(node.to.device);
  const x = env.buffer(node.from), y = env.buffer(node.to);
  const perImage = imageBytes(node.from.format, env.shapes.tensors.get(node.from.tensor)!);
  // Views for every batch size are made once, so a copy allocates nothing.
  const views: [Uint8Array, Uint8Array][] = [];
  return (n) => {
    let v = views[n];
    if (v === undefined || v[0].buffer !== src.exports.memory.buffer) {
      v = [new Uint8Array(src.exports.memory.buffer, x, n * perImage), new Uint8Array(dst.exports.memory.buffer, y, n * perImage)];
      views[n] = v;
    }
    v[1].set(v[0]);
  };
}
