// Concat without a copy: where an INT8 concat's input is written by a layer
// of the same device and format that nothing else reads, on the concat's
// scale and starting at a whole channel block, the producer writes straight
// into its slice of the concat buffer (as TensorRT's concat elision does) and
// the concat runs no kernel for it. Blocked layouts keep each image's
// channel blocks together, so a slice is a run of blocks in every image: the
// producer's kernel runs once per image, its output pointer stepping by the
// concat's image bytes (kernel-call.ts IMAGE_POINTERS). Decided here, once,
// for the memory plan (the slice shares the concat's bytes), the lowering
// and the build log.
import type { Plan } from "./plan.js";
import type { Value } from "../builder/schedule.js";
import { stepFormat } from "../builder/schedule.js";
import { fusedOps } from "../builder/fuse.js";
import type { Layer } from "../model/graph.js";
import type { GraphShapes } from "../model/shapes.js";
import { imageBytes, formatName } from "../core/format.js";
import { lanesOf, type Layout } from "../int8/layout.js";
import { int8Kernel, type Int8Kernel } from "./kernel-table.js";

export interface ConcatSlice {
  /** The producer's output, living inside the concat's buffer. */
  value: Value;
  /** The concat's output value. */
  concat: Value;
  concatLayer: string;
  producerLayer: string;
  /** Input index of the concat this slice is. */
  input: number;
  /** First channel of the slice. */
  channel: number;
  /** Bytes from the start of each concat image to the slice. */
  byteOffset: number;
  /** Bytes of one concat image (the producer's output stride per image). */
  imageStride: number;
}

export interface ConcatCopy {
  concatLayer: string;
  input: number;
  tensor: string;
  why: string;
}

export interface ConcatPlan {
  /** By the key of the producer's value (memory-plan.ts valueKey). */
  slices: Map<string, ConcatSlice>;
  /** Concat inputs that are copied, and why. */
  copies: ConcatCopy[];
}

/** The ops whose kernels can write a slice: one input and one output per image, so a per-image call is the same computation. */
const SLICE_WRITERS: readonly Int8Kernel["op"][] = ["conv", "fc", "maxpool", "avgpool", "pool2d", "gap", "global-max", "lut", "scale-shift", "pad", "resize", "prelu"];

const key = (v: Value) => `${v.tensor}@${v.device}:${formatName(v.format)}`;

export function planConcats(plan: Plan, shapes: GraphShapes): ConcatPlan {
  const slices = new Map<string, ConcatSlice>();
  const copies: ConcatCopy[] = [];
  const layers = plan.graph.layers;
  const index = new Map(layers.map((l, i) => [l.name, i]));
  // Who writes each value, and which values non-compute nodes read.
  const writer = new Map<string, { layer: Layer; fusedRelu: boolean }>();
  const movedFrom = new Set<string>();
  for (const node of plan.nodes) {
    if (node.kind !== "compute") {
      movedFrom.add(key(node.from));
      continue;
    }
    if (node.step.precision !== "int8") continue;
    const format = stepFormat(node.step);
    for (const op of fusedOps(node.step)) writer.set(key({ tensor: op.output, device: node.step.device, format }), { layer: op.layer, fusedRelu: op.relu !== null });
  }
  for (const node of plan.nodes) {
    if (node.kind !== "compute" || node.step.precision !== "int8") continue;
    const format = stepFormat(node.step);
    const device = node.step.device;
    const G = lanesOf(format.layout as Layout);
    for (const op of fusedOps(node.step)) {
      const layer = op.layer;
      if (layer.type !== "concat") continue;
      const concat: Value = { tensor: op.output, device, format };
      const [, H, W] = shapes.tensors.get(layer.output)!;
      const imageStride = imageBytes(format, shapes.tensors.get(layer.output)!);
      const copy = (input: number, why: string) => copies.push({ concatLayer: layer.name, input, tensor: layer.inputs[input]!, why });
      let at = 0;
      layer.inputs.forEach((tensor, j) => {
        const ci = shapes.tensors.get(tensor)![0]!;
        const channel = at;
        at += ci;
        const value: Value = { tensor, device, format };
        const w = writer.get(key(value));
        const why = sliceRefusal();
        if (why) return copy(j, why);
        slices.set(key(value), {
          value, concat, concatLayer: layer.name, producerLayer: w!.layer.name, input: j, channel,
          byteOffset: (channel / G) * H * W * G, imageStride,
        });

        function sliceRefusal(): string | null {
          if (op.relu) return "a ReLU is fused into the concat";
          if (channel % G !== 0 || ci % G !== 0) return `channels ${channel}..${channel + ci - 1} do not fill whole ${G}-channel blocks of ${formatName(format)}`;
          if (!w) return `${tensor} is not written by an INT8 layer on ${device.toUpperCase()} in ${formatName(format)}`;
          if (tensor === plan.graph.output || tensor === plan.graph.input.name) return `${tensor} is a network input or output`;
          if (layer.inputs.indexOf(tensor) !== j) return `${tensor} is concatenated more than once`;
          const readers = shapes.links.consumers[index.get(w.layer.name)!]!;
          const reads = w.fusedRelu ? shapes.links.consumers[readers[0]!]! : readers;
          if (reads.length !== 1 || layers[reads[0]!]!.name !== layer.name || movedFrom.has(key(value))) return `${tensor} is also read elsewhere`;
          const zero = (t: string) => plan.zeroPoints[t] ?? 0;
          if (plan.scales[tensor] !== plan.scales[layer.output] || zero(tensor) !== zero(layer.output)) return `${tensor}'s scale or zero point differs from the concat's (it is requantized)`;
          const k = int8Kernel(w.layer, shapes.layers.get(w.layer.name)!, (t) => plan.scales[t], zero);
          if (typeof k === "string" || !SLICE_WRITERS.includes(k.op)) return `${w.layer.name} (${w.layer.type}) has no kernel that writes a slice`;
          return null;
        }
      });
    }
  }
  return { slices, copies };
}
