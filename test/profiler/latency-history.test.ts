// The profiler's enqueue latency history has a fixed size: 100,000 profiled
// enqueues (a fake clock drives the Profiler) keep the same bytes after the
// cap; percentiles are exact up to the cap, and beyond it estimates of the
// true ones within a tolerance, flagged as such in the summary and its line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Profiler, ENQUEUE_RANGE } from "../../src/profiler/profiler.js";
import { LATENCY_RESERVOIR } from "../../src/profiler/latency-reservoir.js";
import { summarize, percentile } from "../../src/profiler/reports/stats.js";
import { summaryLine } from "../../src/profiler/reports/perf-summary.js";
import { Rng } from "../../src/util/rng.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const ENQUEUES = 100_000;

/** A profiler of one range on a fake clock; `latency(i)` is enqueue i's
 *  duration (ms), rounded to 1/1024 ms so that the clock's differences are exact. */
function profiled(latency: (i: number) => number) {
  let t = 0;
  const p = new Profiler([{ name: ENQUEUE_RANGE, kind: "enqueue", device: "host", parent: -1 }], 64, () => t);
  const all: number[] = [];
  const run = (count: number) => {
    for (let k = 0; k < count; k++) {
      const d = Math.round(latency(all.length) * 1024) / 1024;
      all.push(d);
      p.begin(0);
      t += d;
      p.end(0);
      p.finishEnqueue();
      t += 0.25;
    }
  };
  return { p, all, run };
}

/** Bytes of every typed array the profiler holds, its latency history included. */
function typedArrayBytes(o: object): number {
  let bytes = 0;
  for (const v of Object.values(o)) {
    if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) bytes += typedArrayBytes(v);
  }
  return bytes;
}

test("up to the cap the history is every latency: exact percentiles, in call order", () => {
  const rng = new Rng(7);
  const { p, all, run } = profiled(() => 1 + 9 * rng.next() ** 3);
  run(LATENCY_RESERVOIR);
  const got = p.latencySummary();
  assert.is(got.exact, true);
  assert.equal(got, summarize(all));
  assert.equal(Array.from(p.latency.values()), all);
  assert.not.match(summaryLine("Latency", got), /estimated/);
  run(1);
  assert.is(p.latencySummary().exact, false, "one past the cap the percentiles are estimates");
});

test("100,000 enqueues: memory constant after the cap, percentiles within tolerance, exact min/max/mean", () => {
  // Latency drifts upward over the run (1 ms -> 2 ms) with noise: keeping the
  // first or the last 4096 values would put the median near 1.02 or 1.98.
  const rng = new Rng(11);
  const { p, all, run } = profiled((i) => 1 + i / ENQUEUES + 0.01 * rng.next());
  run(LATENCY_RESERVOIR + 1000);
  const bytesAtCap = typedArrayBytes(p);
  gc();
  const buffersAtCap = process.memoryUsage().arrayBuffers;
  run(ENQUEUES - all.length);
  gc();
  assert.is(typedArrayBytes(p), bytesAtCap, "the profiler's arrays grew");
  assert.is(p.latency.bytes, LATENCY_RESERVOIR * 8);
  const grown = process.memoryUsage().arrayBuffers - buffersAtCap;
  assert.ok(grown < 64 * 1024, `array buffers grew by ${grown} bytes over ${ENQUEUES - LATENCY_RESERVOIR - 1000} enqueues`);

  const s = p.latencySummary();
  const truth = summarize(all);
  assert.is(s.exact, false);
  assert.is(s.count, ENQUEUES);
  assert.is(s.samples, LATENCY_RESERVOIR);
  assert.is(p.enqueues, ENQUEUES);
  assert.is(s.min, truth.min);
  assert.is(s.max, truth.max);
  assert.ok(Math.abs(s.mean - truth.mean) < 1e-9, `mean ${s.mean} vs ${truth.mean}`);
  // Standard error of a sample quantile here: sqrt(q(1-q)/4096) * 1 ms <= 0.008 ms.
  for (const [q, est, exact] of [[50, s.median, truth.median], [90, s.p90, truth.p90], [95, s.p95, truth.p95], [99, s.p99, truth.p99]] as const) {
    assert.ok(Math.abs(est - exact) < 0.03, `p${q}: estimate ${est}, true ${exact}`);
  }
  assert.match(summaryLine("Latency", s), /\(median and percentiles estimated from a uniform sample of 4096 of 100000 values\)$/);
});

test("the sample is reproducible (seeded) and reset starts an exact history again", () => {
  const a = profiled((i) => (i * 7919) % 1000), b = profiled((i) => (i * 7919) % 1000);
  a.run(20_000);
  b.run(20_000);
  assert.equal(Array.from(a.p.latency.values()), Array.from(b.p.latency.values()));
  const sorted = Float64Array.from(a.all).sort();
  assert.ok(Math.abs(a.p.latencySummary().p90 - percentile(sorted, 90)) < 30);
  a.p.reset();
  a.all.length = 0;
  a.run(100);
  assert.equal(a.p.latencySummary(), summarize(a.all));
});

test.run();
