// Streams (src/streams): execution contexts on their own threads. Their
// outputs are the same bits as one context's on the main thread, for 1 and
// 3 concurrent streams over the 10,000 test images, for LeNet and a trained
// CNN, and for a GPU and a DLA context running at the same time; a fault in
// a worker reaches the caller as a typed error naming the stream, device and
// step; dispose ends the worker's thread; misuse is a named error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { plan as lenetPlan, test as mnist } from "../engine/fixtures.js";
import { createStream } from "../../src/streams/spawn-node.js";
import { runConcurrent } from "../../src/streams/concurrent.js";
import { planOutputs } from "../engine/plan-outputs.js";
import { ThreadedContext } from "../../src/streams/threaded.js";
import { startSharedEngine } from "../../src/streams/shared-engine.js";
import { nodeSpawn } from "../../src/streams/spawn-node.js";
import { Engine } from "../../src/engine/engine.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { loadModel } from "../../src/model/model-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../../src/calib/calibrate.js";
import { loadMnistTrain } from "../../src/data/mnist-node.js";
import { buildPlan, DEFAULT_BUILD, type Plan } from "../../src/engine/plan.js";

const BATCH = 50;

const alone = (p: Plan, images: number) => planOutputs(p, mnist, images, BATCH);

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.unreachable(`${what}: value ${i} is ${a[i]}, one context on the main thread gives ${b[i]}`);
}

/** The streams' outputs merged back into test-set order (each image ran on one stream). */
function merged(r: Awaited<ReturnType<typeof runConcurrent>>): Float32Array {
  const out = new Float32Array(r.streams[0]!.outputs.length);
  for (const s of r.streams) for (let i = 0; i < out.length; i++) if (s.outputs[i] !== 0) out[i] = s.outputs[i]!;
  return out;
}

test("LeNet: 1 and 3 concurrent streams give one context's output bits on all 10,000 test images", async () => {
  const p = lenetPlan();
  const want = alone(p, mnist.count);
  for (const n of [1, 3]) {
    const r = await runConcurrent(Array.from({ length: n }, (_, k) => ({ label: `stream ${k}`, plan: p })), mnist, BATCH, mnist.count);
    assert.is(r.streams.reduce((a, s) => a + s.images, 0), mnist.count);
    sameBits(merged(r), want, `${n} streams`);
  }
});

test("a GPU context and a DLA context at once (SqueezeNet, 2,000 images): each stream's outputs are its plan's alone", async () => {
  const model = loadModel(fileURLToPath(new URL("../../../models/cnn/squeezenet-mnist.onnx", import.meta.url)));
  const scales = scalesFrom(collectStats(loadKernels("release"), model, loadMnistTrain(), { ...DEFAULT_CALIBRATION, images: 100 }), "minmax", 99.99);
  const gpu = buildPlan(model, DEFAULT_BUILD, scales, { algorithm: "minmax", source: "test" });
  const dla = buildPlan(model, { ...DEFAULT_BUILD, device: "dla" }, scales, { algorithm: "minmax", source: "test" });
  const images = 2000;
  const r = await runConcurrent([{ label: "GPU", plan: gpu }, { label: "DLA core 0", plan: dla }], mnist, BATCH, images);
  const wantGpu = alone(gpu, images), wantDla = alone(dla, images);
  const per = r.streams[0]!.outputs.length / images;
  r.streams.forEach((s, k) => {
    const want = k === 0 ? wantGpu : wantDla;
    for (let b = k; b * BATCH < images; b += 2) {
      const from = b * BATCH * per, to = Math.min(images, (b + 1) * BATCH) * per;
      sameBits(s.outputs.subarray(from, to), want.subarray(from, to), `${s.label} batch ${b}`);
    }
    assert.ok(s.utilisation > 0 && s.utilisation <= 1.05, `${s.label}: utilisation ${s.utilisation}`);
  });
});

test("a trap inside a worker is a DEVICE_FAULT naming the stream, device and step; dispose ends the thread; a new stream works", async () => {
  const p = lenetPlan();
  const broken = await createStream(p, 4, { label: "stream 7", faultAt: "ip1 + relu1" });
  broken.input(4).fill(0.5);
  try {
    await broken.enqueueAsync(4);
    assert.unreachable("the trap was not reported");
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, "DEVICE_FAULT");
    assert.match(err.message, /^stream 7: GPU step ip1 \+ relu1: unreachable/);
  }
  await broken.dispose();
  assert.is(typeof (await broken.exited), "number", "the worker thread ended");
  await expectAsyncError(() => broken.enqueueAsync(1), "BAD_ARGUMENT", /stream 7: the stream is disposed/);
  const ok = await createStream(p, 4, { label: "stream 8" });
  imagesToFloat(mnist, 0, 4, ok.input(4) as Float32Array);
  await ok.enqueueAsync(4);
  sameBits(Float32Array.from(ok.output(4)), alone(p, 4), "after a fault, a new stream");
  await expectAsyncError(() => ok.enqueueAsync(5), "BAD_ARGUMENT", /enqueue: batch of 5 images, expected 1..4/);
  const first = ok.enqueueAsync(4);
  await expectAsyncError(() => ok.enqueueAsync(4), "BAD_ARGUMENT", /an enqueue is already running on this stream/);
  await first;
  await ok.dispose();
  await ok.exited;
});

test("threaded contexts: 1, 2 and 4 threads give one context's output bits (LeNet over 10,000 images, SqueezeNet over 1,000)", async () => {
  const squeeze = loadModel(fileURLToPath(new URL("../../../models/cnn/squeezenet-mnist.onnx", import.meta.url)));
  const scales = scalesFrom(collectStats(loadKernels("release"), squeeze, loadMnistTrain(), { ...DEFAULT_CALIBRATION, images: 100 }), "minmax", 99.99);
  for (const [label, p, images] of [["LeNet", lenetPlan(), mnist.count], ["SqueezeNet", buildPlan(squeeze, DEFAULT_BUILD, scales, { algorithm: "minmax", source: "test" }), 1000]] as const) {
    const want = alone(p, images);
    for (const threads of [1, 2, 4]) {
      const ctx = await ThreadedContext.create(p, 64, threads);
      const got = new Float32Array(want.length);
      // Batches of 64 and a last odd one: shares of 16 / 32, and uneven ones.
      for (let s = 0; s < images; s += 64) {
        const n = Math.min(64, images - s);
        imagesToFloat(mnist, s, n, ctx.input(n));
        await ctx.enqueueAsync(n);
        got.set(ctx.output(n), s * ctx.outputSize);
      }
      sameBits(got, want, `${label}, ${threads} threads`);
      for (const n of [1, 3]) {
        imagesToFloat(mnist, 0, n, ctx.input(n));
        await ctx.enqueueAsync(n);
        sameBits(Float32Array.from(ctx.output(n)), want.subarray(0, n * ctx.outputSize), `${label}, ${threads} threads, batch ${n}`);
      }
      await ctx.dispose();
    }
  }
});

test("threads of a shared engine: one memory holds the weights once, each thread adds what a second context of a one-thread Engine adds", async () => {
  const p = lenetPlan();
  const engine = new Engine(p, () => loadKernels("release"));
  const gpu = engine.kernels("gpu");
  const start = gpu.arena.mark();
  const marks = [0, 1, 2].map(() => (engine.createContext(8), gpu.arena.mark()));
  const threads = await startSharedEngine(nodeSpawn, p, 8, 3);
  try {
    const tops = threads.map((t) => t.shared!.top);
    assert.equal(tops, marks, "thread k's memory ends where context k of a one-thread Engine does: the weights once, then one context's activations per thread");
    const perContext = marks[1]! - marks[0]!;
    assert.ok(perContext < (marks[0]! - start) / 2, `a context (${perContext} bytes) is less than half of the weights and a context (${marks[0]! - start})`);
    // Each thread runs its own images at once, on the shared weights.
    const want = alone(p, 24);
    await Promise.all(threads.map(async (t, k) => {
      imagesToFloat(mnist, 8 * k, 8, t.input(8) as Float32Array);
      await t.enqueueAsync(8);
    }));
    threads.forEach((t, k) => sameBits(Float32Array.from(t.output(8)), want.subarray(8 * k * t.outputSize, 8 * (k + 1) * t.outputSize), `thread ${k}`));
  } finally {
    await Promise.all(threads.map((t) => t.dispose()));
  }
  await Promise.all(threads.map((t) => t.exited));
  const faulty = await startSharedEngine(nodeSpawn, p, 4, 2, { faultAt: p.nodes.at(-2)!.name });
  await expectAsyncError(() => faulty[1]!.enqueueAsync(2), "DEVICE_FAULT", new RegExp(`^thread 1: GPU step ${p.nodes.at(-2)!.name}: unreachable`));
  await Promise.all(faulty.map((t) => t.dispose()));
});

test("a threaded context without a thread count takes the machine's cores, up to 4, and still gives one context's bits", async () => {
  const p = lenetPlan();
  const ctx = await ThreadedContext.create(p, 8);
  try {
    assert.is(ctx.threads, Math.min(4, availableParallelism()));
    imagesToFloat(mnist, 0, 8, ctx.input(8));
    await ctx.enqueueAsync(8);
    sameBits(Float32Array.from(ctx.output(8)), alone(p, 8), "default threads");
  } finally {
    await ctx.dispose();
  }
});

async function expectAsyncError(fn: () => Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, code, err.message);
    assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`expected ${code} matching ${pattern}`);
}

test.run();
