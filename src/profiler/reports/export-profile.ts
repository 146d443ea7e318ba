// The per-range profile as trtexec's --exportProfile writes it: a JSON array
// whose first element holds the iteration count, then one object per range.
import type { Profiler } from "../profiler.js";
import { summarize } from "./stats.js";

export interface ProfileEntry {
  name: string;
  timeMs: number;
  averageMs: number;
  medianMs: number;
  percentage: number;
  /** octet's additions: where and what the range is. */
  device: string;
  kind: string;
}

export function exportProfile(p: Profiler): [{ count: number }, ...ProfileEntry[]] {
  const enqueueTotal = p.total[0]!;
  const entries: ProfileEntry[] = [];
  p.ranges.forEach((r, i) => {
    if (i === 0 || p.calls[i] === 0) return;
    entries.push({
      name: r.name,
      timeMs: p.total[i]!,
      averageMs: p.total[i]! / p.calls[i]!,
      medianMs: summarize(p.durations(i)).median,
      percentage: enqueueTotal > 0 ? (100 * p.total[i]!) / enqueueTotal : 0,
      device: r.device,
      kind: r.kind,
    });
  });
  return [{ count: p.enqueues }, ...entries];
}
