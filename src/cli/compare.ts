// --compare: builds and runs every placement — all-GPU, DLA with GPU
// fallback, and the DLA subgraph split at each layer boundary (DLA before
// it, GPU after) — and prints throughput, latency, accuracy and the share of
// time spent in reformatters and copies side by side. The answer to "is the
// DLA really slower, and why".
import type { Model } from "../model/model.js";
import type { ImageSet } from "../data/dataset.js";
import type { Io } from "./io.js";
import { buildPlan, type BuildOptions, type CalibrationInfo } from "../engine/plan.js";
import { placeLayers } from "../builder/placement.js";
import type { MeasureOptions } from "../engine/measure.js";
import { timeShares } from "../profiler/reports/perf-summary.js";
import { accuracy, timeRuns } from "./engine-node.js";
import { table } from "./reports/table.js";
import { F32_NCHW } from "../core/format.js";
import type { Device } from "../builder/capabilities.js";

interface Candidate {
  label: string;
  options: BuildOptions;
}

export function placements(model: Model, base: BuildOptions): Candidate[] {
  const common = { ...base, precision: "int8" as const, layerPrecision: new Map(), layerDevice: new Map<string, Device>(), gpuFallback: true };
  const out: Candidate[] = [
    { label: "GPU FP32 (reference)", options: { ...common, device: "gpu", precision: "fp32", inputFormat: F32_NCHW } },
    { label: "GPU INT8", options: { ...common, device: "gpu" } },
    { label: "DLA INT8 + GPU fallback", options: { ...common, device: "dla" } },
  ];
  const onDla = placeLayers(model, { ...common, device: "dla" }).filter((p) => p.device === "dla").map((p) => p.layer.name);
  for (let k = 1; k < onDla.length; k++) {
    const gpu = new Map<string, Device>(onDla.slice(k).map((l) => [l, "gpu"]));
    out.push({ label: `DLA {${onDla.slice(0, k).join(",")}} then GPU`, options: { ...common, device: "dla", layerDevice: gpu } });
  }
  return out;
}

export function runCompare(
  model: Model, scales: Map<string, number>, info: CalibrationInfo, base: BuildOptions,
  test: ImageSet, images: number, batch: number, m: MeasureOptions, io: Io,
): void {
  const rows: { label: string; ips: number; median: number; top1: number; moveShare: number; steps: number }[] = [];
  for (const c of placements(model, base)) {
    const plan = buildPlan(model, c.options, c.options.precision === "fp32" ? null : scales, c.options.precision === "fp32" ? null : info);
    const acc = accuracy(plan, test, batch, images, c.label);
    const timed = timeRuns(plan, test, batch, m, { profileDlaLayers: false });
    const shares = timeShares(timed.profiledContext!.profiler!);
    rows.push({
      label: c.label, ips: (1000 * batch) / timed.plain.latency.median, median: timed.plain.latency.median, top1: acc.top1,
      moveShare: (shares.reformatMs + shares.copyMs) / shares.enqueueMs, steps: plan.nodes.length,
    });
    io.out(`[I] compare: ${c.label}: ${Math.round(rows[rows.length - 1]!.ips)} images/s, top-1 ${acc.top1.toFixed(4)}`);
  }
  io.out(`[I] Placements compared (batch ${batch}, ${images} test images, median of ${m.iterations} timed enqueues each):`);
  const lines = table(["Placement", "images/s at median", "median latency", "top-1", "reformat+copy", "steps"], rows.map((r) => [
    r.label, Math.round(r.ips).toLocaleString("en-US"), `${(r.median * 1000).toFixed(1)} us`, r.top1.toFixed(4), `${(100 * r.moveShare).toFixed(1)}%`, String(r.steps),
  ]));
  for (const l of lines) io.out(`[I]   ${l}`);
  const int8 = rows.slice(1);
  const fastest = int8.reduce((a, b) => (b.ips > a.ips ? b : a));
  const dla = rows[2]!;
  io.out(`[I] Fastest INT8 placement: ${fastest.label} (${Math.round(fastest.ips).toLocaleString("en-US")} images/s).`);
  if (fastest !== dla) {
    io.out(`[I] DLA + GPU fallback runs at ${(dla.ips / fastest.ips).toFixed(2)}x of that; ${(100 * dla.moveShare).toFixed(1)}% of its enqueue time goes to reformatters and copies between the devices.`);
  }
  const top1s = new Set(int8.map((r) => r.top1.toFixed(4)));
  io.out(top1s.size === 1
    ? `[I] Every INT8 placement scores the same top-1 (${[...top1s][0]}): octet's INT8 is bit-identical across layouts and devices.`
    : `[W] INT8 placements disagree on top-1: ${[...top1s].join(", ")}`);
}
