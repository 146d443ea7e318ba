// The trtexec-style performance summary, with its warnings.
import type { Measurement } from "../../engine/measure.js";
import type { Profiler } from "../profiler.js";
import type { Summary } from "./stats.js";

function ms(v: number): string {
  return `${Number(v.toPrecision(6))} ms`;
}

/** A summary's line; median and percentiles say so when they are estimates from a sample. */
export function summaryLine(label: string, s: Summary): string {
  const estimated = s.exact ? "" : ` (median and percentiles estimated from a uniform sample of ${s.samples} of ${s.count} values)`;
  return `[I] ${label}: min = ${ms(s.min)}, max = ${ms(s.max)}, mean = ${ms(s.mean)}, median = ${ms(s.median)}, ` +
    `percentile(90%) = ${ms(s.p90)}, percentile(95%) = ${ms(s.p95)}, percentile(99%) = ${ms(s.p99)}${estimated}`;
}

export interface TimeShares {
  computeMs: number;
  reformatMs: number;
  copyMs: number;
  enqueueMs: number;
}

/** Where enqueue time went, from a profiled run. */
export function timeShares(p: Profiler): TimeShares {
  const out: TimeShares = { computeMs: 0, reformatMs: 0, copyMs: 0, enqueueMs: p.total[0]! };
  p.ranges.forEach((r, i) => {
    if (r.kind === "compute") out.computeMs += p.total[i]!;
    else if (r.kind === "reformat") out.reformatMs += p.total[i]!;
    else if (r.kind === "copy") out.copyMs += p.total[i]!;
  });
  return out;
}

export function performanceSummary(m: Measurement, shares: TimeShares | null, overhead: { perEnqueueMs: number; percent: number } | null): string[] {
  const lines = [
    "[I] === Performance summary ===",
    `[I] Throughput: ${Number(m.qps.toPrecision(6))} qps (${Math.round(m.imagesPerSecond).toLocaleString("en-US")} images/s at batch ${m.batch})`,
    summaryLine("Latency", m.latency),
    summaryLine("Enqueue Time", m.enqueue),
    summaryLine("H2D Latency", m.h2d),
    summaryLine("D2H Latency", m.d2h),
    `[I] Total Host Walltime: ${Number((m.wallMs / 1000).toPrecision(6))} s (${m.iterations} iterations)`,
  ];
  if (shares) {
    const pct = (v: number) => `${((100 * v) / shares.enqueueMs).toFixed(1)}%`;
    lines.push(`[I] Enqueue time by kind: compute ${pct(shares.computeMs)}, reformatters ${pct(shares.reformatMs)}, copies ${pct(shares.copyMs)}`);
  }
  if (overhead) {
    const us = (overhead.perEnqueueMs * 1000).toFixed(2);
    lines.push(overhead.perEnqueueMs > 0
      ? `[I] Profiler overhead: ${us} us per enqueue (${overhead.percent.toFixed(1)}% of the unprofiled median), measured interleaved`
      : `[I] Profiler overhead: below measurement noise (${us} us per enqueue, interleaved runs)`);
  }
  const warnings: string[] = [];
  if (shares && shares.reformatMs + shares.copyMs > shares.computeMs) {
    warnings.push(`[W] * Reformatters and copies (${(shares.reformatMs + shares.copyMs).toFixed(3)} ms) took longer than compute (${shares.computeMs.toFixed(3)} ms): the layout and device changes cost more than the network.`);
  }
  if (m.latency.max > 10 * m.latency.median) {
    warnings.push(`[W] * Latency max is ${(m.latency.max / m.latency.median).toFixed(0)}x the median: the machine was busy or the run was too short; compare medians.`);
  }
  if (m.h2d.mean + m.d2h.mean > m.enqueue.mean) {
    warnings.push("[W] * Host copies (H2D + D2H) took longer than the enqueue: batch more images per call.");
  }
  return [...lines, ...warnings];
}
