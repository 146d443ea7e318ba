// trtexec-style timing of an execution context on one fixed batch: warm-up,
// then timed iterations, each: host->device input copy (H2D), enqueue,
// device->host output copy (D2H). Single thread, synchronous.
import type { ExecutionContext } from "./context.js";
import { summarize, type Summary } from "../profiler/reports/stats.js";

export interface MeasureOptions {
  warmup: number;
  iterations: number;
  /** Keep iterating until at least this long has passed (ms). */
  minDurationMs: number;
}

export const DEFAULT_MEASURE: MeasureOptions = { warmup: 50, iterations: 200, minDurationMs: 0 };

export interface Measurement {
  batch: number;
  iterations: number;
  wallMs: number;
  latency: Summary;
  enqueue: Summary;
  h2d: Summary;
  d2h: Summary;
  /** Enqueues per second. */
  qps: number;
  imagesPerSecond: number;
}

export function measure(ctx: ExecutionContext, input: Float32Array | Int8Array, batch: number, options: MeasureOptions): Measurement {
  const inBuf = ctx.input(batch);
  const outBuf = new Float32Array(batch * ctx.outputSize);
  const src = input.subarray(0, inBuf.length);
  const run = () => {
    (inBuf as Float32Array).set(src as Float32Array);
    ctx.enqueue(batch);
    outBuf.set(ctx.output(batch));
  };
  for (let i = 0; i < options.warmup; i++) run();
  ctx.profiler?.reset();
  const capacity = Math.max(options.iterations, 1) * 4;
  let lat: Float64Array = new Float64Array(capacity), enq: Float64Array = new Float64Array(capacity);
  let h2d: Float64Array = new Float64Array(capacity), d2h: Float64Array = new Float64Array(capacity);
  const start = performance.now();
  let n = 0;
  while (n < options.iterations || performance.now() - start < options.minDurationMs) {
    if (n === lat.length) {
      lat = grow(lat);
      enq = grow(enq);
      h2d = grow(h2d);
      d2h = grow(d2h);
    }
    const t0 = performance.now();
    (inBuf as Float32Array).set(src as Float32Array);
    const t1 = performance.now();
    ctx.enqueue(batch);
    const t2 = performance.now();
    outBuf.set(ctx.output(batch));
    const t3 = performance.now();
    lat[n] = t3 - t0;
    h2d[n] = t1 - t0;
    enq[n] = t2 - t1;
    d2h[n] = t3 - t2;
    n++;
  }
  const wallMs = performance.now() - start;
  return {
    batch, iterations: n, wallMs,
    latency: summarize(lat.subarray(0, n)), enqueue: summarize(enq.subarray(0, n)),
    h2d: summarize(h2d.subarray(0, n)), d2h: summarize(d2h.subarray(0, n)),
    qps: (1000 * n) / wallMs, imagesPerSecond: (1000 * n * batch) / wallMs,
  };
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * The profiler's cost per enqueue: short unprofiled and profiled runs
 * interleaved (A B A B ...), so machine noise hits both alike; the median of
 * the per-round differences of median enqueue time. Runs before the main
 * profiled measurement (each measurement resets the profile).
 */
export function profilerOverhead(plain: ExecutionContext, profiled: ExecutionContext, input: Float32Array | Int8Array, batch: number): number {
  const quick = { warmup: 2, iterations: 15, minDurationMs: 0 };
  const diffs: number[] = [];
  for (let round = 0; round < 7; round++) {
    const a = measure(plain, input, batch, quick).enqueue.median;
    const b = measure(profiled, input, batch, quick).enqueue.median;
    diffs.push(b - a);
  }
  diffs.sort((x, y) => x - y);
  return diffs[3]!;
}
