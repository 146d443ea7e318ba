// --compare: builds and runs every placement — all-GPU, DLA with GPU
// fallback, and the DLA subgraph split at each layer boundary (DLA before
// it, GPU after) — and prints throughput, latency, accuracy and the share of
// time spent in reformatters and copies side by side. The answer to "is the
// DLA really slower, and why". Every INT8 placement's output probabilities on
// the same images are compared bit for bit with the all-GPU INT8 ones; the
// "bit-identical" line is printed only when they all are, else the first
// mismatch of each placement that differs.
import type { Model } from "../model/model.js";
import type { ImageSet } from "../data/dataset.js";
import type { Io } from "./io.js";
import { buildPlan, type BuildOptions, type CalibrationInfo } from "../engine/plan.js";
import { placeLayers } from "../builder/placement.js";
import type { MeasureOptions } from "../engine/measure.js";
import type { Plan } from "../engine/plan.js";
import { timeShares } from "../profiler/reports/perf-summary.js";
import { classify, timeRuns } from "./engine-node.js";
import { runConcurrent, MAX_STEP_SPANS, type StreamResult } from "../streams/concurrent.js";
import { ThreadedContext } from "../streams/threaded.js";
import { summarize } from "../profiler/reports/stats.js";
import { imagesToFloat } from "../data/dataset.js";
import { streamsTrace } from "../profiler/reports/chrome-trace.js";
import { deviceStepsTable } from "../profiler/reports/device-steps-table.js";
import { writeOutput } from "./io.js";
import { table } from "./reports/table.js";
import { F32_NCHW, imageBytes } from "../core/format.js";
import type { GraphShapes } from "../model/shapes.js";
import type { Device } from "../builder/capabilities.js";

interface Candidate {
  label: string;
  options: BuildOptions;
}

/**
 * A chain (LeNet) is split at every layer boundary; on a DAG the number of
 * splits explodes, so it compares the split the user names with
 * --layer-device, if any.
 */
export function placements(model: Model, base: BuildOptions): Candidate[] {
  const common = { ...base, precision: "int8" as const, layerPrecision: new Map(), layerDevice: new Map<string, Device>(), gpuFallback: true };
  const out: Candidate[] = [
    { label: "GPU FP32 (reference)", options: { ...common, device: "gpu", precision: "fp32", inputFormat: F32_NCHW } },
    { label: "GPU INT8", options: { ...common, device: "gpu" } },
    { label: "DLA INT8 + GPU fallback", options: { ...common, device: "dla" } },
  ];
  if (!isChain(model)) {
    if (base.layerDevice.size > 0) {
      const named = [...base.layerDevice].map(([l, d]) => `${l}=${d}`).join(",");
      out.push({ label: `DLA split --layer-device ${named}`, options: { ...common, device: "dla", layerDevice: base.layerDevice } });
    }
    return out;
  }
  const onDla = placeLayers(model, { ...common, device: "dla" }).filter((p) => p.device === "dla").map((p) => p.layer.name);
  for (let k = 1; k < onDla.length; k++) {
    const gpu = new Map<string, Device>(onDla.slice(k).map((l) => [l, "gpu"]));
    out.push({ label: `DLA {${onDla.slice(0, k).join(",")}} then GPU`, options: { ...common, device: "dla", layerDevice: gpu } });
  }
  return out;
}

function isChain(model: Model): boolean {
  return model.shapes.links.producers.every((ps, i) => ps.length === 1 && ps[0] === i - 1);
}

/** Bytes per image that the plan's reformatters and copies move (each boundary between formats or devices). */
export function movedBytes(plan: Plan, shapes: GraphShapes): { reformat: number; copy: number } {
  let reformat = 0, copy = 0;
  for (const n of plan.nodes) {
    if (n.kind === "compute") continue;
    const bytes = imageBytes(n.from.format, shapes.tensors.get(n.from.tensor)!) + imageBytes(n.to.format, shapes.tensors.get(n.to.tensor)!);
    if (n.kind === "copy") copy += bytes / 2;
    else reformat += bytes;
  }
  return { reformat, copy };
}

/** null when `a` and `b` hold the same f32 bit patterns, else how they differ. */
export function bitDifference(a: Float32Array, b: Float32Array, classes: number): string | null {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let first = -1, count = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    if (first < 0) first = i;
    count++;
  }
  if (first < 0) return null;
  const hex = (v: number) => `0x${v.toString(16).padStart(8, "0")}`;
  return `${count} of ${a.length} probabilities differ; first: image ${Math.floor(first / classes)}, class ${first % classes}: ` +
    `${a[first]} (${hex(x[first]!)}) vs ${b[first]} (${hex(y[first]!)})`;
}

export function runCompare(
  model: Model, scales: Map<string, number>, info: CalibrationInfo, base: BuildOptions,
  test: ImageSet, images: number, batch: number, m: MeasureOptions, io: Io,
): void {
  const rows: { label: string; ips: number; median: number; top1: number; moveShare: number; steps: number; moved: { reformat: number; copy: number } }[] = [];
  let baseline: { label: string; probs: Float32Array } | null = null;
  const mismatches: string[] = [];
  for (const c of placements(model, base)) {
    const plan = buildPlan(model, c.options, c.options.precision === "fp32" ? null : scales, c.options.precision === "fp32" ? null : info);
    const acc = classify(plan, test, batch, images, c.label);
    if (c.options.precision === "int8") {
      const diff = baseline ? bitDifference(acc.probs, baseline.probs, acc.classes) : null;
      if (diff) mismatches.push(`[W]   ${c.label} vs ${baseline!.label}: ${diff}`);
      baseline ??= { label: c.label, probs: acc.probs };
    }
    const timed = timeRuns(plan, test, batch, m, { profileDlaLayers: false });
    const shares = timeShares(timed.profiledContext!.profiler!);
    rows.push({
      label: c.label, ips: (1000 * batch) / timed.plain.latency.median, median: timed.plain.latency.median, top1: acc.top1,
      moveShare: (shares.reformatMs + shares.copyMs) / shares.enqueueMs, steps: plan.nodes.length, moved: movedBytes(plan, model.shapes),
    });
    io.out(`[I] compare: ${c.label}: ${Math.round(rows[rows.length - 1]!.ips)} images/s, top-1 ${acc.top1.toFixed(4)}`);
  }
  io.out(`[I] Placements compared (batch ${batch}, ${images} test images, median of ${m.iterations} timed enqueues each):`);
  const lines = table(["Placement", "images/s at median", "median latency", "top-1", "reformat+copy", "bytes/image reformatted, copied", "steps"], rows.map((r) => [
    r.label, Math.round(r.ips).toLocaleString("en-US"), `${(r.median * 1000).toFixed(1)} us`, r.top1.toFixed(4), `${(100 * r.moveShare).toFixed(1)}%`,
    `${r.moved.reformat.toLocaleString("en-US")}, ${r.moved.copy.toLocaleString("en-US")}`, String(r.steps),
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
  if (mismatches.length === 0) {
    io.out(`[I] Every INT8 placement scores the same top-1 (${[...top1s][0]}) and gives the same output probabilities, compared bit for bit on ${images} images: ` +
      "octet's INT8 is bit-identical across layouts and devices.");
    return;
  }
  io.out(`[W] INT8 placements' output probabilities are not bit-identical on ${images} images:`);
  for (const line of mismatches) io.out(line);
  if (top1s.size > 1) io.out(`[W] INT8 placements disagree on top-1: ${[...top1s].join(", ")}`);
}

/** A stream's utilisation: one figure, or one per device thread of a split context. */
function utilisationOf(s: StreamResult): string {
  if (s.devices.length === 1) return `${(100 * s.utilisation).toFixed(0)}%`;
  return s.devices.map((d) => `${d.device.toUpperCase()} ${(100 * d.utilisation).toFixed(0)}%`).join(", ");
}

/** Busy time / wall summed over every thread of each device: how much of one core each device kept busy. */
function deviceTotals(streams: StreamResult[]): string {
  const total = new Map<Device, number>();
  for (const s of streams) for (const d of s.devices) total.set(d.device, (total.get(d.device) ?? 0) + d.utilisation);
  return [...total].map(([d, u]) => `${d.toUpperCase()} ${(100 * u).toFixed(0)}%`).join(", ");
}

/** --streams N: N contexts of the plan at once, each on its own thread, over the test images. */
export async function streamsReport(plan: Plan, n: number, test: ImageSet, batch: number, images: number, tracePath?: string): Promise<string[]> {
  const alone = await runConcurrent([{ label: "stream 0", plan }], test, batch, images);
  const r = await runConcurrent(Array.from({ length: n }, (_, k) => ({ label: `stream ${k}`, plan })), test, batch, images);
  const traced: string[] = [];
  if (tracePath) {
    writeOutput(tracePath, JSON.stringify(streamsTrace(r.streams, { batch, streams: n })), "--export-trace");
    const split = r.streams.some((s) => s.devices.length > 1);
    traced.push(`[I] Wrote Chrome trace ${tracePath} of the ${n} streams (a track per stream${split ? " and per device thread, every step a range" : ""}, on one clock)`);
  }
  const split = r.streams[0]!.devices.length > 1;
  return [
    `[I] Streams: ${n} execution contexts of one engine (weights once) at once, ` +
      (split ? "each device of each context on its own thread, steps ordered across devices by events" : "each on its own thread") + `, over ${images} images in batches of ${batch}:`,
    `[I]   aggregate ${Math.round(r.imagesPerSecond).toLocaleString("en-US")} images/s, ${(r.imagesPerSecond / alone.imagesPerSecond).toFixed(2)}x one stream's ${Math.round(alone.imagesPerSecond).toLocaleString("en-US")}`,
    ...table(["Stream", "images", "median latency", "utilisation", "top-1"], r.streams.map((s) => [
      s.label, String(s.images), `${s.latency.median.toFixed(3)} ms`, utilisationOf(s), s.top1.toFixed(4),
    ])).map((l) => `[I]   ${l}`),
    `[I]   device utilisation (busy / wall, summed over the device's threads): ${deviceTotals(r.streams)}`,
    ...(split ? [`[I]   Steps of every stream's timed enqueues, per device thread (up to ${MAX_STEP_SPANS.toLocaleString("en-US")} steps per stream):`, ...deviceStepsTable(r.streams.flatMap((s) => s.steps)).map((l) => `[I]     ${l}`)] : []),
    ...traced,
  ];
}

/**
 * --compare's concurrent rows, what the DLA is for: the GPU context alone,
 * then a GPU context and a DLA context (core 0) at once, then GPU and DLA
 * cores 0 and 1, each context on its own thread, over the test images.
 */
export async function concurrentCompare(
  model: Model, scales: Map<string, number>, info: CalibrationInfo, base: BuildOptions, test: ImageSet, images: number, batch: number,
): Promise<string[]> {
  const gpu = buildPlan(model, { ...base, device: "gpu", layerDevice: new Map() }, scales, info);
  const dla = buildPlan(model, { ...base, device: "dla", gpuFallback: true, layerDevice: new Map() }, scales, info);
  const configs = [
    { label: "GPU alone", plans: [{ label: "GPU", plan: gpu }] },
    { label: "GPU + DLA core 0", plans: [{ label: "GPU", plan: gpu }, { label: "DLA core 0", plan: dla }] },
    { label: "GPU + DLA cores 0 and 1", plans: [{ label: "GPU", plan: gpu }, { label: "DLA core 0", plan: dla }, { label: "DLA core 1", plan: dla }] },
  ];
  const rows: { label: string; ips: number; worst: number; result: Awaited<ReturnType<typeof runConcurrent>> }[] = [];
  for (const c of configs) {
    const result = await runConcurrent(c.plans, test, batch, images, 1, { splitDevices: false });
    rows.push({ label: c.label, ips: result.imagesPerSecond, worst: Math.max(...result.streams.map((s) => s.latency.median)), result });
  }
  const lines = [`[I] Concurrent contexts (one thread each, a DLA context's GPU fallback steps on its thread; batch ${batch}, ${images} test images shared out by batch):`];
  lines.push(...table(["Configuration", "aggregate images/s", "vs GPU alone", "device utilisation", "per stream: median latency, utilisation, top-1"], rows.map((r) => [
    r.label, Math.round(r.ips).toLocaleString("en-US"), `${(r.ips / rows[0]!.ips).toFixed(2)}x`, deviceTotals(r.result.streams),
    r.result.streams.map((s) => `${s.label} ${s.latency.median.toFixed(2)} ms, ${utilisationOf(s)}, ${s.top1.toFixed(4)}`).join("; "),
  ])).map((l) => `[I]   ${l}`));
  const most = rows.reduce((a, b) => (b.ips > a.ips ? b : a));
  const lowest = rows.reduce((a, b) => (b.worst < a.worst ? b : a));
  lines.push(`[I] Most throughput: ${most.label} (${Math.round(most.ips).toLocaleString("en-US")} images/s); lowest latency: ${lowest.label} (median ${lowest.worst.toFixed(2)} ms per batch of ${batch}).`);
  return lines;
}

/** --threads N: the plan's batches split over N threads, against one thread through the same path, at the run's batch and at batch 1. */
export async function threadsReport(plan: Plan, threads: number, test: ImageSet, batch: number, m: MeasureOptions): Promise<string[]> {
  const time = async (t: number, b: number) => {
    const ctx = await ThreadedContext.create(plan, b, t);
    try {
      imagesToFloat(test, 0, b, ctx.input(b));
      for (let i = 0; i < m.warmup; i++) await ctx.enqueueAsync(b);
      const lat: number[] = [];
      const t0 = performance.now();
      while (lat.length < m.iterations || performance.now() - t0 < m.minDurationMs) {
        const e0 = performance.now();
        await ctx.enqueueAsync(b);
        lat.push(performance.now() - e0);
      }
      return summarize(lat).median;
    } finally {
      await ctx.dispose();
    }
  };
  const lines = [`[I] Threads: batches split over ${threads} threads (each a context of the plan on its own thread), against one thread through the same path:`];
  for (const b of [...new Set([batch, 1])]) {
    const one = await time(1, b), many = await time(threads, b);
    lines.push(`[I]   batch ${b}: ${Math.round((1000 * b) / many).toLocaleString("en-US")} images/s at the median (${many.toFixed(3)} ms), ` +
      `one thread ${Math.round((1000 * b) / one).toLocaleString("en-US")} (${one.toFixed(3)} ms): ${(one / many).toFixed(2)}x` +
      (b < threads ? `; a batch of ${b} cannot be split over ${threads} threads` : ""));
  }
  return lines;
}
