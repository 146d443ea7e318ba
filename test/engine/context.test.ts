// The execution context allocates nothing per call (profiled or not), its
// profile nests ranges as the profiler documents (src/profiler/profiler.ts),
// and its FP32 plan matches an independent FP32 reference layer by layer.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { plan, runner, test, model } from "./fixtures.js";
import { layerErrors } from "../../src/engine/layer-errors.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { ENQUEUE_RANGE } from "../../src/profiler/profiler.js";
import { profileTable } from "../../src/profiler/reports/profile-table.js";
import { chromeTrace } from "../../src/profiler/reports/chrome-trace.js";
import { exportProfile } from "../../src/profiler/reports/export-profile.js";
import { assertClose, expectOctetError } from "../helpers.js";
import { fp32Reference } from "./reference-network.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** 10,000 enqueues after a warm-up: the JS heap, array buffers and every device's wasm memory stay flat. */
function assertFlatMemory(profile: boolean): void {
  const r = runner(plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) }), 1, "release", profile);
  imagesToFloat(test, 0, 1, r.input(1));
  for (let i = 0; i < 200; i++) r.run(1);
  const wasmBefore = [...r.ctx.devices.values()].map((k) => k.exports.memory.buffer.byteLength);
  gc();
  const before = process.memoryUsage();
  for (let i = 0; i < 10000; i++) r.ctx.enqueue(1);
  gc();
  const after = process.memoryUsage();
  const heap = after.heapUsed - before.heapUsed, buffers = after.arrayBuffers - before.arrayBuffers;
  assert.ok(heap < 256 * 1024, `JS heap grew by ${heap} bytes over 10,000 enqueues`);
  assert.ok(buffers < 32 * 1024, `array buffers grew by ${buffers} bytes over 10,000 enqueues`);
  assert.equal([...r.ctx.devices.values()].map((k) => k.exports.memory.buffer.byteLength), wasmBefore);
  if (profile) {
    const p = r.ctx.profiler!;
    assert.is(p.enqueues, 10200);
    assert.ok(p.ranges.some((x) => x.kind === "dla-layer"), "DLA layers profiled");
  }
}

it("memory stays flat over 10,000 enqueues (JS heap, array buffers, every device's wasm memory)", () => {
  assertFlatMemory(false);
});

it("memory stays flat over 10,000 enqueues with the profiler on, DLA layers included", () => {
  assertFlatMemory(true);
});

it("ranges nest inside the enqueue, DLA layers inside their subgraph, and counts equal iterations", () => {
  const r = runner(plan({ device: "dla" }), 8, "release", true);
  imagesToFloat(test, 0, 8, r.input(8));
  for (let i = 0; i < 25; i++) r.run(8);
  const p = r.ctx.profiler!;
  assert.is(p.ranges[0]!.name, ENQUEUE_RANGE);
  assert.is(p.enqueues, 25);
  for (let i = 0; i < p.ranges.length; i++) assert.is(p.calls[i], 25, `${p.ranges[i]!.name} calls`);
  const inner = p.ranges.filter((x) => x.kind === "dla-layer").map((x) => x.name);
  assert.equal(inner.map((n) => n.split(" > ")[1]), ["conv1", "pool1", "conv2", "pool2", "ip1 + relu1", "ip2"]);
  for (let e = 0; e < p.storedEnqueues; e++) {
    const [es, ee] = p.interval(0, e);
    p.ranges.forEach((range, i) => {
      if (i === 0) return;
      const [s, t] = p.interval(i, e);
      const [ps, pe] = p.interval(range.parent, e);
      assert.ok(s >= ps && t <= pe && s <= t, `${range.name} [${s}, ${t}] inside its parent [${ps}, ${pe}]`);
      assert.ok(s >= es && t <= ee);
    });
  }
  const steps = p.ranges.filter((x) => x.parent === 0);
  const sum = steps.reduce((a, x) => a + p.total[p.ranges.indexOf(x)]!, 0);
  assert.ok(sum <= p.total[0]! * 1.0001, "steps fit inside the enqueue time");
  const table = profileTable(p);
  assert.match(table[0]!, /Time\(%\)\s+Time\s+Calls\s+Avg\s+Min\s+Max\s+Name/);
  assert.ok(table.some((l) => /DLA layer:.*\s{2}\{conv1,pool1,conv2,pool2,ip1,relu1,ip2\} > conv2$/.test(l)), table.join("\n"));
  const trace = chromeTrace(p);
  const tracks = new Set(trace.traceEvents.filter((e) => e.ph === "X").map((e) => e.tid));
  assert.equal([...tracks].sort(), [1, 2, 3], "host, GPU and DLA tracks");
  const exported = exportProfile(p);
  assert.equal(exported[0], { count: 25 });
  assert.ok(exported.slice(1).every((e) => "name" in e && e.averageMs >= 0 && e.medianMs >= 0 && e.percentage >= 0));
});

it("profiling does not change results", () => {
  const a = runner(plan({ device: "dla" }), 16, "release", true), b = runner(plan({ device: "dla" }), 16);
  imagesToFloat(test, 100, 16, a.input(16));
  imagesToFloat(test, 100, 16, b.input(16));
  a.run(16);
  b.run(16);
  assert.equal(Array.from(a.output(16)), Array.from(b.output(16)));
});

it("the engine's FP32 plan matches the plain-loop FP32 reference at every layer (within 1e-5 of each tensor's range)", () => {
  const n = 20;
  const r = runner(plan({ precision: "fp32" }), n, "release", false, true);
  imagesToFloat(test, 0, n, r.input(n));
  const ref = fp32Reference(model, r.input(n).slice(), n);
  r.run(n);
  for (const t of ["conv1", "pool1", "conv2", "pool2", "ip1", "ip2", "prob"]) {
    const want = ref.get(t)!;
    const range = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assertClose(r.ctx.readTensor(t, n), want, `fp32 ${t}`, 1e-5, 1e-5 * range);
  }
  assertClose(r.output(n), ref.get("prob")!, "fp32 output", 1e-5, 1e-5);
});

it("layer errors: INT8 tensors of a DLA plan are close to FP32 (SNR above 20 dB) but not equal", () => {
  const int8 = layerErrors(model, plan({ device: "dla" }), test, 20, () => loadKernels("release"));
  assert.equal(int8.map((e) => e.tensor), ["conv1", "pool1", "conv2", "pool2", "ip1", "ip2", "prob"]);
  for (const e of int8.filter((x) => x.tensor !== "prob")) assert.ok(e.maxAbs > 0 && e.snrDb > 20, `${e.tensor}: max ${e.maxAbs}, SNR ${e.snrDb} dB`);
});

it("enqueue refuses a batch outside 1..maxBatch", () => {
  const r = runner(plan(), 4);
  expectOctetError(() => r.ctx.enqueue(5), "BAD_ARGUMENT", /enqueue: batch of 5 images, expected 1..4/);
  expectOctetError(() => r.ctx.enqueue(0), "BAD_ARGUMENT", /batch of 0 images/);
});

it.run();
