// Range timing for an execution context: every enqueue, every step inside it
// and, on request, every layer inside a fused DLA subgraph. Storage is
// preallocated and fixed (statistics per range, every range of the last
// `samples` enqueues, a LATENCY_RESERVOIR-sized enqueue latency history), so
// profiling adds timer reads but no per-call garbage, and memory stays flat
// however many enqueues are profiled.
import type { Device } from "../builder/capabilities.js";
import { LatencyReservoir } from "./latency-reservoir.js";
import type { Summary } from "./reports/stats.js";

export type RangeKind = "enqueue" | "compute" | "reformat" | "copy" | "dla-layer";

export interface RangeInfo {
  name: string;
  kind: RangeKind;
  device: Device | "host";
  /** Index of the enclosing range, -1 for the enqueue range. */
  parent: number;
}

export const ENQUEUE_RANGE = "ExecutionContext::enqueue";

/** Default number of enqueues whose every range start/end is kept (timeline, medians). */
export const DEFAULT_SAMPLES = 64;

export class Profiler {
  readonly ranges: RangeInfo[];
  readonly calls: Float64Array;
  readonly total: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  private readonly open: Float64Array;
  /** Ring buffer of [start, end] per range for the last `samples` enqueues (ms, performance.now()). */
  readonly traceStart: Float64Array;
  readonly samples: number;
  readonly traceEnd: Float64Array;
  /** Enqueue latencies (ms): all of them up to its capacity, a uniform sample beyond. */
  readonly latency = new LatencyReservoir();
  enqueues = 0;
  /** Images per enqueue, for throughput. */
  batch = 0;
  readonly now: () => number;

  constructor(ranges: RangeInfo[], samples = DEFAULT_SAMPLES, now: () => number = () => performance.now()) {
    this.ranges = ranges;
    this.samples = samples;
    const n = ranges.length;
    this.calls = new Float64Array(n);
    this.total = new Float64Array(n);
    this.min = new Float64Array(n).fill(Infinity);
    this.max = new Float64Array(n);
    this.open = new Float64Array(n);
    this.traceStart = new Float64Array(n * samples).fill(NaN);
    this.traceEnd = new Float64Array(n * samples).fill(NaN);
    this.now = now;
  }

  begin(range: number): void {
    this.open[range] = this.now();
  }

  end(range: number): void {
    const t = this.now();
    this.record(range, this.open[range]!, t);
  }

  /** Closes `range` at now, opened where the previous sibling closed (DLA layers report only their end). */
  endAfter(range: number, previous: number): void {
    const t = this.now();
    const slot = this.slot();
    const start = previous < 0 ? this.open[this.ranges[range]!.parent]! : this.traceEnd[previous * this.samples + slot]!;
    this.record(range, start, t);
  }

  record(range: number, start: number, end: number): void {
    const d = end - start;
    this.calls[range]!++;
    this.total[range]! += d;
    if (d < this.min[range]!) this.min[range] = d;
    if (d > this.max[range]!) this.max[range] = d;
    const slot = this.slot();
    this.traceStart[range * this.samples + slot] = start;
    this.traceEnd[range * this.samples + slot] = end;
    if (range === 0) this.latency.push(d);
  }

  private slot(): number {
    return this.enqueues % this.samples;
  }

  /** Called after the enqueue range closed. */
  finishEnqueue(): void {
    this.enqueues++;
  }

  /** Enqueue latency statistics; `exact` is false once the history is a sample. */
  latencySummary(): Summary {
    return this.latency.summary();
  }

  /** Durations (ms) of `range` in the stored enqueues, oldest first. */
  durations(range: number): number[] {
    const out: number[] = [];
    const stored = Math.min(this.enqueues, this.samples);
    const first = this.enqueues - stored;
    for (let e = first; e < this.enqueues; e++) {
      const i = range * this.samples + (e % this.samples);
      const d = this.traceEnd[i]! - this.traceStart[i]!;
      if (!Number.isNaN(d)) out.push(d);
    }
    return out;
  }

  /** Start and end (ms) of `range` in stored enqueue `e` (0 = oldest stored), NaN when it did not run. */
  interval(range: number, e: number): [number, number] {
    const stored = Math.min(this.enqueues, this.samples);
    const abs = this.enqueues - stored + e;
    const i = range * this.samples + (abs % this.samples);
    return [this.traceStart[i]!, this.traceEnd[i]!];
  }

  get storedEnqueues(): number {
    return Math.min(this.enqueues, this.samples);
  }

  reset(): void {
    this.calls.fill(0);
    this.total.fill(0);
    this.min.fill(Infinity);
    this.max.fill(0);
    this.traceStart.fill(NaN);
    this.traceEnd.fill(NaN);
    this.latency.reset();
    this.enqueues = 0;
  }
}
