// Several streams at once over a test set: each stream takes every S-th
// batch of images, all run concurrently on their own threads, and the run
// reports what trtexec's --streams and the DLA questions need: aggregate
// images/s over the wall time, each stream's median enqueue latency, its
// utilisation (time in enqueue / wall), its top-1 on the images it ran, and
// every stream's output probabilities (to compare with the same plan alone).
// Streams of the same plan are contexts of one engine on shared memories
// (the weights once, shared-engine.ts), as trtexec's streams share one
// engine; a different plan (a DLA context beside a GPU one) is an engine of
// its own. A plan with steps on both devices runs as split contexts, each
// device's steps on a thread of its own (split-context.ts), and reports each
// device's utilisation and every step's span on the shared clock.
import type { Plan } from "../engine/plan.js";
import type { ImageSet } from "../data/dataset.js";
import { imagesToFloat } from "../data/dataset.js";
import { TopKCounter } from "../metrics/topk.js";
import { summarize, type Summary } from "../profiler/reports/stats.js";
import { nodeSpawn } from "./spawn-node.js";
import { startSharedEngine } from "./shared-engine.js";
import type { Stream } from "./stream.js";
import { SplitContext, startSplitEngine, sharedClock, type StepSpan } from "./split-context.js";
import { stepOwners } from "./device-steps.js";
import type { Device } from "../builder/capabilities.js";
import { fail } from "../errors.js";

type ConcurrentStream = Stream | SplitContext;

/** Steps kept per stream for a trace. */
export const MAX_STEP_SPANS = 20_000;

export interface StreamResult {
  label: string;
  images: number;
  top1: number;
  latency: Summary;
  utilisation: number;
  /** Output values of the images it ran, at their places in the test set (others 0). */
  outputs: Float32Array;
  /** Each timed enqueue's start and end (ms on the shared clock, split-context.ts's sharedClock). */
  spans: { start: number; end: number }[];
  /** Time running steps / wall, per device thread of the stream (one entry, the GPU's or the DLA's, for a stream on one thread). */
  devices: { device: Device; utilisation: number }[];
  /** A split context's steps of its timed enqueues (first MAX_STEP_SPANS), each on its device's thread. */
  steps: StepSpan[];
}

export interface ConcurrentResult {
  wallMs: number;
  imagesPerSecond: number;
  streams: StreamResult[];
}

/**
 * Runs `plans` as concurrent streams over the first `images` test images in
 * batches of `batch`, `rounds` times over (more rounds, steadier figures;
 * top-1 counts the first round). `splitDevices` (default on) runs a plan
 * with steps on both devices as split contexts; off, each context is one
 * thread.
 */
export async function runConcurrent(
  plans: { label: string; plan: Plan }[], test: ImageSet, batch: number, images: number, rounds = 1, options: { splitDevices?: boolean } = {},
): Promise<ConcurrentResult> {
  if (plans.length === 0) fail("BAD_ARGUMENT", "runConcurrent: no plans");
  if (!(images >= 1 && images <= test.count)) fail("BAD_ARGUMENT", `runConcurrent: ${images} images, the test set has ${test.count}`);
  const streams = await streamsOf(plans, batch, options.splitDevices ?? true);
  try {
    for (const s of streams) {
      if (s.inputSize !== test.rows * test.cols) fail("BAD_ARGUMENT", `${s.label}: the plan takes ${s.inputSize} values per image, the images have ${test.rows * test.cols}`);
    }
    const S = streams.length;
    const batches = Math.ceil(images / batch);
    const perImage = streams[0]!.outputSize;
    const staging = streams.map(() => new Float32Array(batch * test.rows * test.cols));
    const results = streams.map((s) => ({ s, lat: [] as number[], spans: [] as { start: number; end: number }[], steps: [] as StepSpan[], counter: new TopKCounter(), outputs: new Float32Array(images * perImage), images: 0 }));
    // Warm-up: one batch each.
    await Promise.all(streams.map(async (s, k) => {
      imagesToFloat(test, 0, Math.min(batch, images), staging[k]!);
      (s.input(Math.min(batch, images)) as Float32Array).set(staging[k]!.subarray(0, Math.min(batch, images) * test.rows * test.cols));
      await s.enqueueAsync(Math.min(batch, images));
    }));
    const busy0 = streams.map((s) => deviceBusy(s));
    const t0 = performance.now();
    await Promise.all(results.map(async (r, k) => {
      for (let round = 0; round < rounds; round++) {
        for (let b = k; b < batches; b += S) {
          const start = b * batch, n = Math.min(batch, images - start);
          if (round === 0) imagesToFloat(test, start, n, staging[k]!);
          (r.s.input(n) as Float32Array).set(staging[k]!.subarray(0, n * r.s.inputSize));
          const e0 = sharedClock();
          await r.s.enqueueAsync(n);
          const e1 = sharedClock();
          r.lat.push(e1 - e0);
          r.spans.push({ start: e0, end: e1 });
          if (r.s instanceof SplitContext && r.steps.length < MAX_STEP_SPANS) r.steps.push(...r.s.lastSteps());
          if (round === 0) {
            const out = r.s.output(n);
            r.outputs.set(out, start * perImage);
            r.counter.add(out, test.labels.subarray(start, start + n), perImage);
            r.images += n;
          }
        }
      }
    }));
    const wallMs = performance.now() - t0;
    return {
      wallMs,
      imagesPerSecond: (1000 * images * rounds) / wallMs,
      streams: results.map((r, k) => {
        const devices = deviceBusy(r.s).map((d, j) => ({ device: d.device, utilisation: (d.us - busy0[k]![j]!.us) / 1000 / wallMs }));
        return {
          label: r.s.label, images: r.images, top1: r.counter.top1Rate, latency: summarize(r.lat),
          utilisation: Math.max(...devices.map((d) => d.utilisation)), outputs: r.outputs, spans: r.spans, devices, steps: r.steps,
        };
      }),
    };
  } finally {
    await Promise.all(streams.map((s) => s.dispose()));
  }
}

function deviceBusy(s: ConcurrentStream): { device: Device; us: number }[] {
  if (s instanceof SplitContext) return s.deviceBusyMicroseconds();
  return [{ device: s.devices[0]!, us: s.busyMicroseconds() }];
}

/**
 * One shared engine per distinct plan, a context of it per entry (a split
 * context where the plan's steps are on two devices); in the entries' order.
 */
async function streamsOf(plans: { label: string; plan: Plan }[], batch: number, splitDevices: boolean): Promise<ConcurrentStream[]> {
  const groups = new Map<Plan, number[]>();
  plans.forEach((p, i) => groups.set(p.plan, [...(groups.get(p.plan) ?? []), i]));
  const streams: ConcurrentStream[] = new Array(plans.length);
  const started = await Promise.allSettled([...groups].map(async ([plan, entries]) => {
    const labels = entries.map((i) => plans[i]!.label);
    const split = splitDevices && new Set(stepOwners(plan)).size > 1;
    const threads = split ? await startSplitEngine(nodeSpawn, plan, batch, entries.length, { labels }) : await startSharedEngine(nodeSpawn, plan, batch, entries.length, { labels });
    threads.forEach((t, j) => (streams[entries[j]!] = t));
  }));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(streams.filter(Boolean).map((s) => s.dispose()));
    throw failed.reason;
  }
  return streams;
}
