// The nvprof-style table of every range: Time(%), Time, Calls, Avg, Min, Max,
// Name. Percentages are of the enqueue range's total; layers inside a DLA
// subgraph are listed under it, indented.
import type { Profiler } from "../profiler.js";
import { formatTime } from "./stats.js";

export function profileTable(p: Profiler): string[] {
  const enqueueTotal = p.total[0]!;
  const header = `${"Type".padStart(16)}  ${"Time(%)".padStart(7)}  ${"Time".padStart(9)}  ${"Calls".padStart(6)}  ${"Avg".padStart(9)}  ${"Min".padStart(9)}  ${"Max".padStart(9)}  Name`;
  const lines = [header];
  const row = (i: number, type: string, indent: string) => {
    const calls = p.calls[i]!;
    if (calls === 0) return;
    const pct = enqueueTotal > 0 ? ((100 * p.total[i]!) / enqueueTotal).toFixed(2) + "%" : "-";
    lines.push(
      `${type.padStart(16)}  ${pct.padStart(7)}  ${formatTime(p.total[i]!).padStart(9)}  ${String(calls).padStart(6)}  ` +
        `${formatTime(p.total[i]! / calls).padStart(9)}  ${formatTime(p.min[i]!).padStart(9)}  ${formatTime(p.max[i]!).padStart(9)}  ${indent}${p.ranges[i]!.name}`,
    );
  };
  row(0, "Range:", "");
  p.ranges.forEach((r, i) => {
    if (r.parent !== 0) return;
    row(i, `${r.device.toUpperCase()} ${r.kind}:`, "");
    p.ranges.forEach((inner, j) => {
      if (inner.parent === i) row(j, "DLA layer:", "  ");
    });
  });
  return lines;
}
