// Split contexts (src/streams/split-context.ts): each device's steps on a
// thread of its own, on that device's shared memory, ordered across devices
// by events. Their outputs are one context's on the main thread, bit for
// bit, for LeNet's DLA plan (GPU fallback steps on the GPU thread) over the
// 10,000 test images with two contexts at once, and for SqueezeNet split
// inside its Fire modules (branches on different devices); every step starts
// after the other device's steps it depends on have ended; each thread runs
// only its device's steps; a fault on one device's thread is a typed error
// naming the device and step, and the other thread does not hang.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { plan as lenetPlan, test as mnist } from "../engine/fixtures.js";
import { planOutputs } from "../engine/plan-outputs.js";
import { startSplitEngine, type SplitContext } from "../../src/streams/split-context.js";
import { stepDependencies, stepOwners } from "../../src/streams/device-steps.js";
import { nodeSpawn } from "../../src/streams/spawn-node.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { loadModel } from "../../src/model/model-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../../src/calib/calibrate.js";
import { loadMnistTrain } from "../../src/data/mnist-node.js";
import { buildPlan, DEFAULT_BUILD, type Plan } from "../../src/engine/plan.js";
import type { Device } from "../../src/builder/capabilities.js";

const BATCH = 50;

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.unreachable(`${what}: value ${i} is ${a[i]}, one context on the main thread gives ${b[i]}`);
}

/** The last enqueue's steps: each on its owner's thread, each after its dependencies ended. */
function checkOrder(ctx: SplitContext, plan: Plan, what: string): void {
  const steps = ctx.lastSteps();
  const owners = stepOwners(plan);
  const regions = new ExecutionContext(plan, () => loadKernels("release"), BATCH).stepRegions();
  const deps = stepDependencies(owners, regions);
  steps.forEach((s, i) => {
    assert.is(s.device, owners[i], `${what}: step ${s.name} ran on the ${s.device} thread`);
    assert.ok(s.end >= s.start && s.start > 0, `${what}: step ${s.name} was timed`);
    for (const j of deps[i]!) assert.ok(s.start >= steps[j]!.end, `${what}: ${s.name} started before ${steps[j]!.name} (${owners[j]}) ended`);
  });
}

/** Runs `images` test images through the contexts, batch b on context b % count, all at once. */
async function runAll(contexts: SplitContext[], images: number, per: number, plan: Plan): Promise<Float32Array> {
  const out = new Float32Array(images * per);
  await Promise.all(contexts.map(async (ctx, k) => {
    for (let s = k * BATCH; s < images; s += contexts.length * BATCH) {
      const n = Math.min(BATCH, images - s);
      imagesToFloat(mnist, s, n, ctx.input(n) as Float32Array);
      await ctx.enqueueAsync(n);
      out.set(ctx.output(n), s * per);
      if (s === k * BATCH) checkOrder(ctx, plan, `context ${k}`);
    }
  }));
  return out;
}

test("LeNet's DLA plan, two split contexts of one engine at once: one context's output bits on all 10,000 test images", async () => {
  const plan = lenetPlan({ device: "dla" });
  const owners = new Set(stepOwners(plan));
  assert.equal([...owners].sort(), ["dla", "gpu"], "the plan has GPU fallback steps and DLA steps");
  const want = planOutputs(plan, mnist, mnist.count, BATCH);
  const contexts = await startSplitEngine(nodeSpawn, plan, BATCH, 2);
  try {
    assert.equal(contexts.map((c) => c.devices.sort()), [["dla", "gpu"], ["dla", "gpu"]]);
    sameBits(await runAll(contexts, mnist.count, contexts[0]!.outputSize, plan), want, "2 split contexts");
    for (const c of contexts) {
      const busy = c.deviceBusyMicroseconds();
      assert.ok(busy.every((b) => b.us > 0), `every device thread ran steps: ${JSON.stringify(busy)}`);
    }
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
  await Promise.all(contexts.map((c) => c.exited));
});

test("SqueezeNet split inside its Fire modules (expand3 on the GPU, the rest on the DLA): one context's output bits on 1,000 images; branches ordered only by what they share", async () => {
  const model = loadModel(fileURLToPath(new URL("../../../models/cnn/squeezenet-mnist.onnx", import.meta.url)));
  const scales = scalesFrom(collectStats(loadKernels("release"), model, loadMnistTrain(), { ...DEFAULT_CALIBRATION, images: 100 }), "minmax", 99.99);
  const layerDevice = new Map<string, Device>(["/fire3/expand3/Conv", "/fire5/expand3/Conv"].map((l) => [l, "gpu"]));
  const plan = buildPlan(model, { ...DEFAULT_BUILD, device: "dla", layerDevice }, scales, { algorithm: "minmax", source: "test" });
  const owners = stepOwners(plan);
  const gpuSteps = plan.nodes.filter((_, i) => owners[i] === "gpu" && plan.nodes[i]!.kind === "compute").map((n) => n.name);
  assert.ok(gpuSteps.some((n) => n.includes("fire3/expand3")), `a Fire branch runs on the GPU: ${gpuSteps.join(", ")}`);
  const deps = stepDependencies(owners, new ExecutionContext(plan, () => loadKernels("release"), BATCH).stepRegions());
  const expand1 = plan.nodes.findIndex((n) => n.name.includes("fire3/expand1"));
  const gpuBranch = plan.nodes.findIndex((n) => n.kind === "compute" && n.name.includes("fire3/expand3"));
  assert.ok(expand1 >= 0 && !deps[expand1]!.includes(gpuBranch) && !deps[gpuBranch]!.includes(expand1), "the two branches of fire3 do not wait for each other");
  const images = 1000;
  const want = planOutputs(plan, mnist, images, BATCH);
  const contexts = await startSplitEngine(nodeSpawn, plan, BATCH, 1);
  try {
    sameBits(await runAll(contexts, images, contexts[0]!.outputSize, plan), want, "split SqueezeNet");
  } finally {
    await contexts[0]!.dispose();
  }
});

test("a trap on the DLA thread is a DEVICE_FAULT naming the context, device and step; the GPU thread stops waiting; dispose ends both", async () => {
  const plan = lenetPlan({ device: "dla" });
  const step = plan.nodes.find((n) => n.kind === "compute" && n.device === "dla")!.name;
  const [ctx] = await startSplitEngine(nodeSpawn, plan, 4, 1, { faultAt: step });
  try {
    await ctx!.enqueueAsync(2);
    assert.unreachable("the fault was not reported");
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, "DEVICE_FAULT", err.message);
    assert.is(err.message, `context 0: DLA step ${step}: unreachable`);
  }
  await ctx!.dispose();
  await ctx!.exited;
});
test.run();
