// The nvprof-style table of a split context's steps, one section per device
// thread kind and aggregated over every stream: Time(%) of that device's
// busy time, Time, Calls, Avg, Min, Max, Name.
import { formatTime } from "./stats.js";

export interface StepSpanLike {
  name: string;
  device: string;
  start: number;
  end: number;
}

export function deviceStepsTable(spans: StepSpanLike[]): string[] {
  const byDevice = new Map<string, Map<string, number[]>>();
  for (const s of spans) {
    const steps = byDevice.get(s.device) ?? byDevice.set(s.device, new Map()).get(s.device)!;
    (steps.get(s.name) ?? steps.set(s.name, []).get(s.name)!).push(s.end - s.start);
  }
  const lines: string[] = [];
  for (const [device, steps] of byDevice) {
    const busy = [...steps.values()].flat().reduce((a, b) => a + b, 0);
    lines.push(`${device.toUpperCase()} threads: ${formatTime(busy)} busy running steps`);
    lines.push(`${"Time(%)".padStart(9)}  ${"Time".padStart(9)}  ${"Calls".padStart(6)}  ${"Avg".padStart(9)}  ${"Min".padStart(9)}  ${"Max".padStart(9)}  Name`);
    for (const [name, t] of [...steps].sort((a, b) => sum(b[1]) - sum(a[1]))) {
      const total = sum(t);
      lines.push(`${(busy > 0 ? ((100 * total) / busy).toFixed(2) + "%" : "-").padStart(9)}  ${formatTime(total).padStart(9)}  ${String(t.length).padStart(6)}  ` +
        `${formatTime(total / t.length).padStart(9)}  ${formatTime(Math.min(...t)).padStart(9)}  ${formatTime(Math.max(...t)).padStart(9)}  ${name}`);
    }
  }
  return lines;
}

function sum(a: number[]): number {
  return a.reduce((x, y) => x + y, 0);
}
