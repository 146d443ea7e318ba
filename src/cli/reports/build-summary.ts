// The build summary: how the plan was made, where each layer runs and why,
// the fused subgraphs, and every reformatter and copy with the edge that
// caused it (the TensorRT build log, made explicit).
import type { Plan } from "../../engine/plan.js";
import type { Value } from "../../builder/schedule.js";
import { formatName } from "../../core/format.js";
import { table } from "./table.js";
import { planMemory } from "../../engine/memory-plan.js";
import type { ConcatPlan } from "../../engine/concat-slices.js";
import { inferShapes } from "../../model/shapes.js";

export function buildSummary(plan: Plan, batch = 1): string[] {
  const o = plan.options;
  const lines = [
    `[I] Build: ${o.precision.toUpperCase()}, default device ${o.device.toUpperCase()}${o.device === "dla" || Object.values(o.layerDevice).includes("dla") ? ` (${o.dlaVersion === "orin" ? "Orin" : "Xavier"} rules)` : ""}, GPU fallback ${o.gpuFallback ? "on" : "off"}, input ${o.inputFormat}` +
      (plan.calibration ? `; scales: ${plan.calibration.source} (${plan.calibration.algorithm})` : ""),
    "[I] Layer placement:",
    ...table(["Layer", "Type", "Device", "Precision", "Why"],
      plan.placement.map((p) => [p.layer, p.type, p.device.toUpperCase(), p.precision.toUpperCase(), p.reason])).map((l) => `[I]   ${l}`),
  ];
  lines.push(...scaleOrigins(plan));
  for (const n of plan.nodes) if (n.kind === "compute" && n.step.split) lines.push(`[W] ${n.step.split}`);
  for (const device of ["dla", "gpu"] as const) {
    const steps = plan.nodes.filter((n) => n.kind === "compute" && n.device === device).map((n) => n.name);
    if (steps.length) lines.push(`[I] --------------- Layers running on ${device.toUpperCase()}:`, `[I] ${steps.join(", ")}`);
  }
  const moves = plan.nodes.flatMap((n) => (n.kind === "compute" ? [] : [n]));
  if (moves.length === 0) {
    lines.push("[I] Reformatters and copies: none");
  } else {
    lines.push(`[I] Reformatters and copies (${moves.length}):`);
    const rows = moves.map((n) => {
      const edge = `${n.edge.producer} -> ${n.edge.consumer}`;
      const what = n.kind === "copy"
        ? `${formatName(n.from.format)}, ${n.from.device.toUpperCase()} -> ${n.to.device.toUpperCase()}`
        : `${formatName(n.from.format)} -> ${formatName(n.to.format)} on ${n.device.toUpperCase()}`;
      return [n.name, n.from.tensor, what, `edge ${edge}`];
    });
    lines.push(...table(["Name", "Tensor", "Conversion", "Caused by"], rows).map((l) => `[I]   ${l}`));
  }
  const memory = planMemory(plan, inferShapes(plan.graph), batch);
  lines.push(...concatLines(memory.concats));
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  lines.push(`[I] Activation memory at batch ${batch}, shared by liveness: ` +
    [...memory.planned].map(([d, b]) => `${d.toUpperCase()} ${kb(b)} (${kb(memory.separate.get(d)!)} with a buffer per tensor)`).join(", "));
  return lines;
}

/** --dump-layer-info: every step with its layers, device, precision, formats and scales. */
export function layerInfo(plan: Plan): string[] {
  const scale = (t: string) => (plan.scales[t] !== undefined ? plan.scales[t]!.toPrecision(6) : "-");
  const values = (v: Value | Value[]) => (Array.isArray(v) ? v : [v]).map((x) => `${x.tensor} ${formatName(x.format)} @${scale(x.tensor)}`).join(", ");
  const rows = plan.nodes.map((n) => [
    n.name,
    n.kind,
    n.device.toUpperCase(),
    n.kind === "compute" ? n.step.layers.map((l) => l.layer.name).join(",") : "-",
    n.kind === "compute" ? n.step.precision.toUpperCase() : "-",
    values(n.from),
    values(n.to),
  ]);
  return ["[I] Layer information:", ...table(["Step", "Kind", "Device", "Layers", "Precision", "Input (format @scale)", "Output (format @scale)"], rows).map((l) => `[I]   ${l}`)];
}

/** Which concat inputs their producers write in place (no copy runs) and which are copied, and why. */
function concatLines({ slices, copies }: ConcatPlan): string[] {
  if (slices.size === 0 && copies.length === 0) return [];
  const rows = [
    ...[...slices.values()].map((s) => [s.concatLayer, `${s.input}`, s.value.tensor, s.value.device.toUpperCase(), `written in place by ${s.producerLayer} (channels from ${s.channel}): no copy`]),
    ...copies.map((c) => [c.concatLayer, `${c.input}`, c.tensor, "", `copied: ${c.why}`]),
  ].sort((a, b) => a[0]!.localeCompare(b[0]!) || Number(a[1]) - Number(b[1]));
  return [`[I] Concat inputs (${slices.size} written in place, ${copies.length} copied):`,
    ...table(["Concat", "Input", "Tensor", "Device", "How"], rows).map((l) => `[I]   ${l}`)];
}

/**
 * Where every tensor's scale came from: the model (QDQ), calibration, a
 * cache, its input (a layer that keeps its input's grid), or none (the
 * tensor stays FP32). One line for a build whose scales all have one
 * source; a table when a model that quantizes itself is involved.
 */
function scaleOrigins(plan: Plan): string[] {
  const c = plan.calibration;
  if (!c) return [];
  const model = new Set(c.modelTensors ?? []);
  const rest = c.source.startsWith("cache") || / and cache /.test(c.source) ? "the cache" : model.size > 0 && !/ and /.test(c.source) ? "the model (QDQ)" : `calibration (${c.algorithm})`;
  const tensors = [plan.graph.input.name, ...new Set(plan.graph.layers.map((l) => l.output))];
  const keeps = new Map(plan.graph.layers.filter((l) => ["pooling", "relu", "pad", "resize"].includes(l.type) || (l.type === "global_pooling" && l.method === "max")).map((l) => [l.output, l.inputs[0]!]));
  const origin = (t: string): string => {
    if (plan.scales[t] === undefined) return "none (FP32)";
    if (model.has(t)) return "the model (QDQ)";
    if (keeps.has(t) && plan.scales[t] === plan.scales[keeps.get(t)!]) return `kept from ${keeps.get(t)}`;
    return rest;
  };
  const rows = tensors.map((t) => [t, origin(t), plan.scales[t] === undefined ? "-" : plan.scales[t]!.toPrecision(6), String(plan.zeroPoints[t] ?? (plan.scales[t] === undefined ? "-" : 0))]);
  if (model.size === 0) {
    const fp32 = rows.filter((r) => r[1] === "none (FP32)").length;
    return [`[I] Scales: ${rows.length - fp32} tensors from ${rest}${fp32 ? `, ${fp32} without one (FP32)` : ""}`];
  }
  const counts = new Map<string, number>();
  for (const r of rows) {
    const kind = r[1]!.startsWith("kept from") ? "kept from its input" : r[1]!;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [`[I] Scales of ${rows.length} tensors: ${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")}`,
    ...table(["Tensor", "Scale from", "Scale", "Zero point"], rows).map((l) => `[I]   ${l}`)];
}
