// A latency history of fixed size, so a page that profiles every run keeps
// flat memory: every value while at most `capacity` have been pushed, then a
// uniform random sample of all of them (reservoir sampling, Vitter's
// Algorithm R, with a seeded generator: the same run keeps the same sample).
// Count, min, max, mean and total are exact at any count; the median and the
// percentiles are exact up to `capacity` values and estimates beyond.
import { Rng } from "../util/rng.js";
import { summarize, type Summary } from "./reports/stats.js";
import { fail } from "../errors.js";

/** Latencies kept for percentiles; beyond this many enqueues they are estimates. */
export const LATENCY_RESERVOIR = 4096;

const SEED = 0x6c617431;

export class LatencyReservoir {
  readonly capacity: number;
  private readonly kept: Float64Array;
  private rng = new Rng(SEED);
  count = 0;
  private min = Infinity;
  private max = -Infinity;
  private total = 0;

  constructor(capacity = LATENCY_RESERVOIR) {
    if (!Number.isInteger(capacity) || capacity < 1) fail("BAD_ARGUMENT", `latency reservoir: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.kept = new Float64Array(capacity);
  }

  push(v: number): void {
    const i = this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.total += v;
    if (i < this.capacity) {
      this.kept[i] = v;
      return;
    }
    // Keeps value i (0-based) with probability capacity / (i + 1).
    const j = Math.floor(this.rng.next() * (i + 1));
    if (j < this.capacity) this.kept[j] = v;
  }

  /** Whether the kept values are all the values pushed. */
  get exact(): boolean {
    return this.count <= this.capacity;
  }

  /** The kept values: all of them in push order while exact, else the sample (in no order). */
  values(): Float64Array {
    return this.kept.subarray(0, Math.min(this.count, this.capacity));
  }

  /** Bytes of the history, the same at every count. */
  get bytes(): number {
    return this.kept.byteLength;
  }

  summary(): Summary {
    const s = summarize(this.values());
    if (this.exact) return s;
    return { ...s, count: this.count, min: this.min, max: this.max, mean: this.total / this.count, total: this.total, samples: this.capacity, exact: false };
  }

  reset(): void {
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.total = 0;
    this.rng = new Rng(SEED);
  }
}
