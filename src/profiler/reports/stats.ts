// Order statistics over latency samples (ms).
export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p90: number;
  p95: number;
  p99: number;
  total: number;
  /** How many values the median and percentiles come from: `count`, or fewer
   *  when only a uniform sample of the values was kept (latency-reservoir.ts). */
  samples: number;
  /** false: median and percentiles are estimates from that sample (count,
   *  min, max, mean and total are exact either way). */
  exact: boolean;
}

/** Nearest-rank percentile of sorted values, p in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const v of sorted) total += v;
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    count: n, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, mean: n ? total / n : NaN, median,
    p90: percentile(sorted, 90), p95: percentile(sorted, 95), p99: percentile(sorted, 99), total,
    samples: n, exact: true,
  };
}

/** nvprof's time format: five significant digits with s, ms, us or ns. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 1000) return `${(ms / 1000).toPrecision(5)}s`;
  if (ms >= 1) return `${ms.toPrecision(5)}ms`;
  if (ms >= 0.001) return `${(ms * 1000).toPrecision(5)}us`;
  return `${Math.round(ms * 1e6)}ns`;
}
