// Activation memory planned by liveness, as TensorRT's memory planner does:
// every value (a tensor in one format on one device) lives from the step
// that writes it to the last step that reads it, in execution order (the
// layers inside a fused step included); values whose lifetimes do not
// overlap share bytes. Placement is greedy first-fit, largest value first.
// The network input and output are pinned (the caller reads and writes them
// between enqueues), and with `reuse` off every value keeps its own bytes
// (for reading intermediate tensors after a run). A concat input written in
// place (concat-slices.ts) has no bytes of its own: it lives in its slice of
// the concat's buffer, which lives from the first slice's write.
import type { Plan } from "./plan.js";
import type { Device } from "../builder/capabilities.js";
import type { Value } from "../builder/schedule.js";
import { stepFormat } from "../builder/schedule.js";
import { fusedOps } from "../builder/fuse.js";
import type { GraphShapes } from "../model/shapes.js";
import { F32_NCHW, formatName, imageBytes, parseFormat } from "../core/format.js";
import { planConcats, type ConcatPlan } from "./concat-slices.js";

export function valueKey(v: Value): string {
  return `${v.tensor}@${v.device}:${formatName(v.format)}`;
}

interface Interval {
  key: string;
  device: Device;
  bytes: number;
  first: number;
  last: number;
}

export interface MemoryPlan {
  /** Byte offset of each value in its device's activation block. */
  offsets: Map<string, { device: Device; offset: number; bytes: number }>;
  /** Activation bytes per device, planned. */
  planned: Map<Device, number>;
  /** Activation bytes per device with one buffer per value (no reuse). */
  separate: Map<Device, number>;
  /** Concat inputs written in place, and those copied (none of either without reuse). */
  concats: ConcatPlan;
}

const ALIGN = 64;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function planMemory(plan: Plan, shapes: GraphShapes, maxBatch: number, reuse = true): MemoryPlan {
  const intervals = new Map<string, Interval>();
  const concats: ConcatPlan = reuse ? planConcats(plan, shapes) : { slices: new Map(), copies: [] };
  let time = 0;
  const touch = (value: Value) => {
    const v = concats.slices.get(valueKey(value))?.concat ?? value;
    const key = valueKey(v);
    const bytes = align(imageBytes(v.format, shapes.tensors.get(v.tensor)!) * maxBatch);
    const it = intervals.get(key);
    if (it) it.last = time;
    else intervals.set(key, { key, device: v.device, bytes, first: time, last: time });
  };
  const input: Value = { tensor: plan.graph.input.name, device: "gpu", format: parseFormat(plan.options.inputFormat, "plan input format") };
  const output: Value = { tensor: plan.graph.output, device: "gpu", format: F32_NCHW };
  touch(input);
  touch(output);
  for (const node of plan.nodes) {
    if (node.kind !== "compute") {
      time++;
      touch(node.from);
      touch(node.to);
      continue;
    }
    const format = stepFormat(node.step);
    for (const op of fusedOps(node.step)) {
      time++;
      for (const t of op.layer.inputs) touch({ tensor: t, device: node.step.device, format });
      touch({ tensor: op.output, device: node.step.device, format });
    }
  }
  const end = time + 1;
  for (const pinned of [input, output]) {
    const it = intervals.get(valueKey(pinned))!;
    it.first = 0;
    it.last = end;
  }
  const offsets: MemoryPlan["offsets"] = new Map();
  const planned = new Map<Device, number>(), separate = new Map<Device, number>();
  const byDevice = new Map<Device, Interval[]>();
  for (const it of intervals.values()) {
    byDevice.set(it.device, [...(byDevice.get(it.device) ?? []), it]);
    separate.set(it.device, (separate.get(it.device) ?? 0) + it.bytes);
  }
  for (const [device, list] of byDevice) {
    const placed: { it: Interval; offset: number }[] = [];
    let top = 0;
    for (const it of [...list].sort((a, b) => b.bytes - a.bytes || a.first - b.first)) {
      let offset = 0;
      if (reuse) {
        const clashes = placed.filter((p) => p.it.first <= it.last && it.first <= p.it.last).sort((a, b) => a.offset - b.offset);
        for (const p of clashes) {
          if (offset + it.bytes <= p.offset) break;
          offset = Math.max(offset, p.offset + p.it.bytes);
        }
      } else {
        offset = top;
      }
      placed.push({ it, offset });
      offsets.set(it.key, { device, offset, bytes: it.bytes });
      top = Math.max(top, offset + it.bytes);
    }
    planned.set(device, top);
  }
  for (const [key, slice] of concats.slices) {
    const at = offsets.get(valueKey(slice.concat))!;
    offsets.set(key, { device: at.device, offset: at.offset + slice.byteOffset, bytes: at.bytes - slice.byteOffset });
  }
  return { offsets, planned, separate, concats };
}
