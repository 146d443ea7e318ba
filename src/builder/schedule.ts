// Reformat pass: turns fused steps into the schedule the engine runs, adding
// a reformatter wherever a producer's format differs from what its consumer
// takes, and a copy wherever a tensor crosses devices (each device has its own
// memory). A compute node reads and writes one or more values, a reformatter
// or copy one each; a value is a tensor in a given format on a given device. Reformatters run on the GPU, as TensorRT's
// do, and are named as TensorRT names them.
import { F32_NCHW, S8_NC32HW32, S8_NCHW4, sameFormat, type Format } from "../core/format.js";
import type { Device } from "./capabilities.js";
import type { Step } from "./fuse.js";

export interface Value {
  tensor: string;
  device: Device;
  format: Format;
}

/** The graph edge a reformatter or copy serves: producer and consumer step names. */
export interface Edge {
  tensor: string;
  producer: string;
  consumer: string;
}

export const NETWORK_INPUT = "(network input)";
export const NETWORK_OUTPUT = "(network output)";

export type Node =
  | { kind: "compute"; name: string; device: Device; step: Step; from: Value[]; to: Value[] }
  | { kind: "reformat"; name: string; device: "gpu"; from: Value; to: Value; edge: Edge }
  | { kind: "copy"; name: string; device: Device; from: Value; to: Value; edge: Edge };

export function stepFormat(step: Step): Format {
  if (step.device === "dla") return S8_NC32HW32;
  return step.precision === "int8" ? S8_NCHW4 : F32_NCHW;
}

export interface ScheduleIo {
  input: string;
  inputFormat: Format;
  output: string;
}

export function schedule(steps: Step[], io: ScheduleIo): Node[] {
  const nodes: Node[] = [];
  const names = new Set<string>();
  const unique = (name: string) => {
    let n = name, i = 1;
    while (names.has(n)) n = `${name} (${++i})`;
    names.add(n);
    return n;
  };
  // The latest value of each tensor, and every converted copy made of it.
  const produced = new Map<string, { value: Value; producer: string; versions: Value[] }>();
  produced.set(io.input, { value: { tensor: io.input, device: "gpu", format: io.inputFormat }, producer: NETWORK_INPUT, versions: [] });

  const deliver = (tensor: string, device: Device, format: Format, consumer: string): Value => {
    const source = produced.get(tensor)!;
    const all = [source.value, ...source.versions];
    const ready = all.find((v) => v.device === device && sameFormat(v.format, format));
    if (ready) return ready;
    const edge: Edge = { tensor, producer: source.producer, consumer };
    const producerIsDla = source.value.device === "dla";
    const reformatName = producerIsDla || consumer === NETWORK_OUTPUT ? `${source.producer} output reformatter 0` : `${consumer} input reformatter 0`;
    let current = source.value;
    const add = (v: Value) => {
      source.versions.push(v);
      current = v;
    };
    if (current.device === "dla" && device === "gpu") {
      const to = { tensor, device: "gpu" as const, format: current.format };
      nodes.push({ kind: "copy", name: unique(`copy ${tensor} dla->gpu`), device: "gpu", from: current, to, edge });
      add(to);
    }
    if (!sameFormat(current.format, format)) {
      const to = { tensor, device: "gpu" as const, format };
      nodes.push({ kind: "reformat", name: unique(reformatName), device: "gpu", from: current, to, edge });
      add(to);
    }
    if (current.device !== device) {
      const to = { tensor, device, format: current.format };
      nodes.push({ kind: "copy", name: unique(`copy ${tensor} ${current.device}->${device}`), device, from: current, to, edge });
      add(to);
    }
    return current;
  };

  for (const step of steps) {
    const format = stepFormat(step);
    const from = step.inputs.map((t) => deliver(t, step.device, format, step.name));
    const to: Value[] = step.outputs.map((tensor) => ({ tensor, device: step.device, format }));
    nodes.push({ kind: "compute", name: unique(step.name), device: step.device, step, from, to });
    for (const v of to) produced.set(v.tensor, { value: v, producer: step.name, versions: [] });
  }
  deliver(io.output, "gpu", F32_NCHW, NETWORK_OUTPUT);
  return nodes;
}
