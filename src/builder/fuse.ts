// Fusion pass: groups placed layers into the steps the engine runs.
//  - gpu: a convolution or fully connected layer and the ReLU that is the
//    only reader of its output become one step named like TensorRT's
//    "ip1 + relu1"; a convolution that only a residual Add reads, the Add and
//    its lone ReLU become one step "conv + add + relu" (TensorRT's fusion; the
//    ReLU runs in the Add's epilogue, in INT8);
//  - dla: DLA layers joined along the graph's edges into maximal convex
//    subgraphs (no path leaves a subgraph and comes back into it), each one
//    step named "{conv1,pool1,...}", run as one call into the DLA engine.
// Steps come out in a topological order of the step graph.
import type { PlacedLayer } from "./placement.js";
import type { Device, Precision } from "./capabilities.js";
import type { DagLinks } from "../model/dag.js";
import type { Layer } from "../model/graph.js";
import { fail } from "../errors.js";

export interface Step {
  name: string;
  device: Device;
  precision: Precision;
  layers: PlacedLayer[];
  /** Tensors the step reads from outside it, in order of first use. */
  inputs: string[];
  /** Tensors the step writes that are read outside it (or are the network output). */
  outputs: string[];
  /** ReLU (or INT8 Clip(0, max)) layers of this step that run fused into the layer they alone read. */
  fusedRelus: string[];
  /** Why a DLA step begins where it does, when a DLA layer it reads could not take it in (TensorRT's "Splitting DLA subgraph at"). */
  split?: string;
}

/** A step's layers as the engine runs them: each conv / fc with the ReLU fused into it, if any. */
export interface FusedOp {
  /** e.g. "ip1 + relu1". */
  name: string;
  layer: Layer;
  relu: Layer | null;
  /** Tensor the op writes: the ReLU's output when one is fused. */
  output: string;
}

export function fusedOps(step: Step): FusedOp[] {
  const layers = step.layers.map((p) => p.layer);
  const fused = new Set(step.fusedRelus);
  const ops: FusedOp[] = [];
  for (const layer of layers) {
    if (fused.has(layer.name)) continue;
    const relu = layers.find((l) => fused.has(l.name) && l.inputs[0] === layer.output) ?? null;
    ops.push({ name: relu ? `${layer.name} + ${relu.name}` : layer.name, layer, relu, output: relu ? relu.output : layer.output });
  }
  return ops;
}

/**
 * The fusion rule, in one place: a convolution, fully connected or
 * elementwise Add / Sub absorbs the ReLU that alone reads its output (its
 * epilogue clamps at zero); in INT8 a convolution or fully connected layer
 * also absorbs a lone Clip(0, max), TensorRT's conv + clipped ReLU. The
 * elementwise and Clip fusions are INT8 only.
 */
export function reluFuses(layer: Layer, reader: Layer | undefined, readers: number, precision: Precision = "int8"): boolean {
  if (readers !== 1 || !reader) return false;
  const weighted = layer.type === "convolution" || layer.type === "fully_connected";
  if (reader.type === "activation") return weighted && precision === "int8" && reader.fn === "clip" && reader.min === 0 && reader.max > 0;
  const absorbs = weighted || (layer.type === "eltwise" && layer.op !== "mul" && precision === "int8");
  return absorbs && reader.type === "relu";
}

/** TensorRT's residual fusion: a convolution whose output only an Add reads, and that Add's lone ReLU. */
function residualGroup(placed: PlacedLayer[], links: DagLinks, i: number): number[] | null {
  const p = placed[i]!;
  const readers = links.consumers[i]!;
  if (p.layer.type !== "convolution" || readers.length !== 1 || i === links.output) return null;
  const a = readers[0]!;
  const add = placed[a]!;
  if (add.layer.type !== "eltwise" || add.layer.op !== "add" || add.device !== "gpu" || add.precision !== p.precision) return null;
  const [sb] = links.consumers[a]!.length === 1 ? links.consumers[a]! : [];
  const relu = sb !== undefined && a !== links.output && reluFuses(add.layer, placed[sb]!.layer, 1, p.precision) && placed[sb]!.device === "gpu" && placed[sb]!.precision === p.precision ? sb : null;
  return relu === null ? [i, a] : [i, a, relu];
}

export function fuseLayers(placed: PlacedLayer[], links: DagLinks): Step[] {
  const group = new Array<number>(placed.length).fill(-1);
  const groups: number[][] = [];
  // Subgraphs each layer depends on (transitively), for the convexity test.
  const dependsOn: Set<number>[] = [];
  const splits = new Map<number, string>();
  placed.forEach((p, i) => {
    const producers = links.producers[i]!.filter((q) => q >= 0);
    const deps = new Set<number>();
    for (const q of producers) {
      for (const g of dependsOn[q]!) deps.add(g);
      if (group[q]! >= 0) deps.add(group[q]!);
    }
    dependsOn.push(deps);
    if (group[i]! >= 0) return;
    if (p.device === "dla") {
      const candidates = [...new Set(producers.filter((q) => placed[q]!.device === "dla").map((q) => group[q]!))];
      const joinable = candidates.find((g) => producers.every((q) => group[q] === g || !dependsOn[q]!.has(g)));
      if (joinable !== undefined) {
        group[i] = joinable;
        groups[joinable]!.push(i);
        return;
      }
      if (candidates.length > 0) {
        const through = producers.find((q) => group[q] !== candidates[0] && dependsOn[q]!.has(candidates[0]!))!;
        splits.set(groups.length, `Splitting DLA subgraph at: ${p.layer.name} because it also reads ${placed[through]!.layer.name}, which depends on that subgraph through GPU layers (a loadable cannot wait for its own output)`);
      }
    } else {
      const residual = residualGroup(placed, links, i);
      if (residual && residual.every((m) => group[m]! < 0)) {
        for (const m of residual) group[m] = groups.length;
        groups.push(residual);
        return;
      }
      const readers = links.consumers[i]!;
      const r = readers[0];
      if (i !== links.output && r !== undefined && reluFuses(p.layer, placed[r]!.layer, readers.length, p.precision) && placed[r]!.device === "gpu" && placed[r]!.precision === p.precision) {
        group[i] = group[r] = groups.length;
        groups.push([i, r]);
        return;
      }
    }
    group[i] = groups.length;
    groups.push([i]);
  });
  const steps = groups.map((members, g) => {
    const step = makeStep(placed, links, members);
    const split = splits.get(g);
    return split ? { ...step, split } : step;
  });
  return topologicalSteps(steps, groups, group, links);
}

function makeStep(placed: PlacedLayer[], links: DagLinks, members: number[]): Step {
  const inside = new Set(members);
  const first = placed[members[0]!]!;
  const fusedRelus: string[] = [];
  for (const i of members) {
    const readers = links.consumers[i]!;
    const r = readers[0];
    if (i !== links.output && r !== undefined && inside.has(r) && reluFuses(placed[i]!.layer, placed[r]!.layer, readers.length, first.precision)) fusedRelus.push(placed[r]!.layer.name);
  }
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const i of members) {
    const layer = placed[i]!.layer;
    layer.inputs.forEach((t, j) => {
      if (!inside.has(links.producers[i]![j]!) && !inputs.includes(t)) inputs.push(t);
    });
    const readOutside = links.consumers[i]!.some((c) => !inside.has(c)) || i === links.output;
    if (readOutside && !outputs.includes(layer.output)) outputs.push(layer.output);
  }
  const names = members.map((i) => placed[i]!.layer.name);
  return {
    name: first.device === "dla" ? `{${names.join(",")}}` : names.join(" + "),
    device: first.device,
    precision: first.precision,
    layers: members.map((i) => placed[i]!),
    inputs,
    outputs,
    fusedRelus,
  };
}

/** Kahn's order over steps (ties by first layer), which convex subgraphs make acyclic. */
function topologicalSteps(steps: Step[], groups: number[][], group: number[], links: DagLinks): Step[] {
  const needs = groups.map((members) => {
    const s = new Set<number>();
    for (const i of members) for (const q of links.producers[i]!) if (q >= 0 && group[q] !== group[i]) s.add(group[q]!);
    return s;
  });
  const done = new Set<number>();
  const order: Step[] = [];
  while (order.length < steps.length) {
    const next = steps.findIndex((_s, g) => !done.has(g) && [...needs[g]!].every((d) => done.has(d)));
    if (next < 0) fail("BAD_ARGUMENT", "internal: the fused steps form a cycle (a DLA subgraph that is not convex)");
    done.add(next);
    order.push(steps[next]!);
  }
  return order;
}
