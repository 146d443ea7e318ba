// `octet infer`: a trtexec + sample_int8 style run. Build (or load) a plan,
// report the build, score FP32 and INT8 on the test set, time it, and show
// every range. A thin shell: the library does the work.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { helpText } from "./args.js";
import { writeOutput, type Io } from "./io.js";
import { INFER_OPTIONS, inferSettings } from "./infer-options.js";
import { Progress } from "./progress.js";
import { loadModel, defaultModelPath } from "../model/model-node.js";
import { loadMnistTest, loadMnistTrain, defaultMnistDir } from "../data/mnist-node.js";
import { loadKernels, releaseIsa, requestIsa } from "../runtime/wasm-source-node.js";
import { buildPlan, needsActivationScales, DEFAULT_BUILD, type Plan } from "../engine/plan.js";
import { serializePlan, deserializePlan } from "../engine/plan-file.js";
import { resolveScales } from "../calib/resolve-node.js";
import type { CalibrationAlgorithm } from "../calib/algorithms.js";
import { buildSummary, layerInfo } from "./reports/build-summary.js";
import { importNotes } from "../onnx/import.js";
import { accuracyReport, sampleInt8Verdict } from "./reports/accuracy.js";
import { calibrationReport } from "./reports/calibration.js";
import { performanceSummary, timeShares } from "../profiler/reports/perf-summary.js";
import { profileTable } from "../profiler/reports/profile-table.js";
import { exportProfile } from "../profiler/reports/export-profile.js";
import { chromeTrace } from "../profiler/reports/chrome-trace.js";
import { accuracy, classify, timeRuns } from "./engine-node.js";
import { runCompare, concurrentCompare, streamsReport, threadsReport } from "./compare.js";
import { streamsMissing } from "../streams/stream.js";
import { fail } from "../errors.js";
import type { Model } from "../model/model.js";
import type { ImageSet } from "../data/dataset.js";
import { parseFormat } from "../core/format.js";
import type { Graph } from "../model/graph.js";

export { INFER_OPTIONS };

export function inferHelp(): string {
  return helpText("octet infer [options]", "Builds LeNet for the GPU and DLA devices (or loads a plan), reports the build, FP32 vs INT8 accuracy on the MNIST test set, a trtexec-style performance summary and the time of every range.", INFER_OPTIONS);
}

export async function runInfer(argv: string[], io: Io): Promise<number> {
  const settings = inferSettings(argv);
  if (!settings) {
    io.out(inferHelp());
    return 0;
  }
  const { args, options } = settings;
  const modelPath = args.str("model") ?? defaultModelPath();
  const dataDir = args.str("data") ?? defaultMnistDir();
  const batch = args.int("batch");
  io.out(`&&&& RUNNING octet infer # octet infer ${argv.join(" ")}`.trimEnd());
  const model = loadModel(modelPath);
  io.out(`[I] Model: ${rel(modelPath)} (${model.graph.name}: ${model.graph.layers.length} layers, ${countParams(model).toLocaleString("en-US")} parameters)`);
  for (const note of importNotes(model)) io.out(`[I] Import: ${note}`);
  const test = loadMnistTest(dataDir);
  io.out(`[I] Data: ${rel(dataDir)} (${test.count} test images, ${test.rows}x${test.cols})`);
  if (args.given("isa")) requestIsa(args.str("isa")!);
  io.out(`[I] Kernels: ${releaseIsa().reason}`);
  const checkInput = (g: Graph, source: string) => {
    const [c, h, w] = g.input.shape;
    if (c !== 1 || h !== test.rows || w !== test.cols) {
      fail("SHAPE_MISMATCH", `${source}: input ${g.input.name} is [N, ${c}, ${h}, ${w}], the data's images are [N, 1, ${test.rows}, ${test.cols}]; other input shapes run through the library API`);
    }
  };
  checkInput(model.graph, modelPath);
  const train = lazy(() => loadMnistTrain(dataDir));
  const calibration = {
    algorithm: args.str("calib") as CalibrationAlgorithm,
    images: args.int("calib-images"),
    batch: 50,
    percentile: args.num("percentile"),
    cachePath: args.str("calib-cache"),
    log: (l: string) => io.out(l),
  };
  const scales = lazy(() => {
    const progress = new Progress("[I] Calibrating");
    const r = resolveScales(model, train, () => loadKernels("release"), { ...calibration, onProgress: (d, t) => progress.update(d, t) });
    progress.done();
    return r;
  });

  let plan: Plan;
  const loadPath = args.str("load-plan");
  if (loadPath) {
    plan = deserializePlan(readBytes(loadPath), loadPath);
    checkInput(plan.graph, loadPath);
    if (JSON.stringify(plan.graph.layers) !== JSON.stringify(model.graph.layers)) {
      fail("BAD_OPTION", `${loadPath}: the plan was built from another network than ${rel(modelPath)}, the FP32 reference; pass --model with the plan's model`);
    }
    io.out(`[I] Loaded plan ${loadPath} (format v${plan.version}, ${plan.graph.name}); nothing rebuilt`);
  } else {
    const s = needsActivationScales(model, options) ? scales() : null;
    plan = buildPlan(model, options, s?.scales ?? null, s?.info ?? null);
  }
  const savePath = args.str("save-plan");
  if (savePath) {
    const bytes = serializePlan(plan);
    writeOutput(savePath, bytes, "--save-plan");
    io.out(`[I] Saved plan ${savePath} (${bytes.length.toLocaleString("en-US")} bytes)`);
  }
  for (const l of buildSummary(plan, batch)) io.out(l);
  if (args.flag("dump-layer-info")) for (const l of layerInfo(plan)) io.out(l);

  const images = Math.min(args.has("images") ? args.int("images") : test.count, test.count);
  const measureOptions = { warmup: args.int("warmup"), iterations: args.int("iterations"), minDurationMs: args.num("duration") * 1000 };
  if (args.flag("compare")) {
    const s = scales();
    runCompare(model, s.scales, s.info, options, test, images, batch, measureOptions, io);
    const missing = streamsMissing();
    if (missing) io.out(`[W] Concurrent contexts: ${missing}; the placements above ran one at a time`);
    else for (const l of await concurrentCompare(model, s.scales, s.info, options, test, images, batch)) io.out(l);
    io.out("&&&& PASSED octet infer --compare");
    return 0;
  }

  let passed = true;
  if (!args.flag("skip-accuracy")) {
    const fp32Plan = buildPlan(model, { ...DEFAULT_BUILD, precision: "fp32" }, null, null);
    const batches = Math.ceil(images / batch);
    io.out(`[I] FP32 run: ${batches} batches of size ${batch} starting at 0`);
    const fp32 = accuracy(fp32Plan, test, batch, images, "FP32");
    io.out(`[I] Top1: ${rate(fp32.top1)}, Top5: ${rate(fp32.top5)}`);
    if (plan.options.precision === "fp32" && Object.keys(plan.options.layerPrecision).length === 0) {
      io.out(`[I] Processing ${images} images averaged ${(fp32.runMs / images).toPrecision(6)} ms/image and ${(fp32.runMs / fp32.batches).toPrecision(6)} ms/batch.`);
    } else {
      io.out(`[I] INT8 run: ${batches} batches of size ${batch} starting at 0`);
      const int8 = accuracy(plan, test, batch, images, "INT8");
      io.out(`[I] Top1: ${rate(int8.top1)}, Top5: ${rate(int8.top5)}`);
      io.out(`[I] Processing ${images} images averaged ${(int8.runMs / images).toPrecision(6)} ms/image and ${(int8.runMs / int8.batches).toPrecision(6)} ms/batch.`);
      for (const l of accuracyReport(fp32, int8)) io.out(l);
      const lenetOnMnist = model.graph.name === "lenet" && resolve(dataDir) === resolve(defaultMnistDir());
      const verdict = sampleInt8Verdict(fp32, int8, lenetOnMnist);
      io.out(verdict.line);
      passed = verdict.passed;
      for (const l of int8SoftmaxReport(model, plan, test, batch, images)) io.out(l);
    }
  }

  if (args.flag("dump-calibration")) {
    const s = scales();
    for (const l of calibrationReport(model, plan, s.stats ?? null, train, test, calibration)) io.out(l);
  }

  const profile = args.flag("no-profile") ? null : { profileDlaLayers: args.flag("profile-dla-layers") };
  const timed = timeRuns(plan, test, batch, measureOptions, profile);
  const profiler = timed.profiledContext?.profiler ?? null;
  for (const l of performanceSummary(timed.plain, profiler ? timeShares(profiler) : null, timed.overhead)) io.out(l);
  if (profiler) {
    io.out(`[I] Profile (${profiler.enqueues} enqueues of batch ${batch}; times are totals over all enqueues):`);
    for (const l of profileTable(profiler)) io.out(l);
    const exportPath = args.str("export-profile");
    if (exportPath) {
      writeOutput(exportPath, JSON.stringify(exportProfile(profiler), null, 2) + "\n", "--export-profile");
      io.out(`[I] Wrote profile ${exportPath}`);
    }
    const tracePath = args.str("export-trace");
    if (tracePath) {
      writeOutput(tracePath, JSON.stringify(chromeTrace(profiler, { batch, plan: plan.placement.map((p) => `${p.layer}:${p.device}`).join(",") })), "--export-trace");
      io.out(`[I] Wrote Chrome trace ${tracePath} (open in https://ui.perfetto.dev or chrome://tracing)`);
    }
  }
  const threads = args.int("threads"), streams = args.int("streams");
  const missing = threads > 1 || streams > 1 ? streamsMissing() : null;
  if (missing) io.out(`[W] --threads ${threads} / --streams ${streams}: ${missing}; everything above ran on one thread, and that is all this run measures`);
  if (threads > 1 && !missing) for (const l of await threadsReport(plan, threads, test, batch, measureOptions)) io.out(l);
  if (streams > 1 && !missing) {
    const tracePath = args.str("export-trace");
    for (const l of await streamsReport(plan, streams, test, batch, images, tracePath ? tracePath.replace(/(\.json)?$/, ".streams.json") : undefined)) io.out(l);
  }
  io.out(`&&&& ${passed ? "PASSED" : "FAILED"} octet infer`);
  return passed ? 0 : 1;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    return fail("BAD_ARGUMENT", `${path}: cannot read plan (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function countParams(model: Model): number {
  return [...model.weights.values()].reduce((s, t) => s + t.data.length, 0);
}

export function rate(r: number): string {
  return String(Number(r.toFixed(4)));
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith("..") || r === "" ? path : r;
}

export type { ImageSet };

/**
 * An INT8 softmax (--layer-precision) against the same plan with that
 * softmax in FP32: how far its uint8 probabilities are from FP32's and how
 * often the top-1 changes (equal uint8 values tie, and the first wins).
 */
function int8SoftmaxReport(model: Model, plan: Plan, test: ImageSet, batch: number, images: number): string[] {
  const softmaxes = plan.placement.filter((p) => p.type === "softmax" && p.precision === "int8").map((p) => p.layer);
  if (softmaxes.length === 0) return [];
  const o = plan.options;
  const layerPrecision = new Map(Object.entries(o.layerPrecision));
  for (const l of softmaxes) layerPrecision.set(l, "fp32");
  const options = { ...o, layerDevice: new Map(Object.entries(o.layerDevice)), layerPrecision, inputFormat: parseFormat(o.inputFormat, "plan input format") };
  const fp32Softmax = buildPlan(model, options, new Map(Object.entries(plan.scales)), plan.calibration);
  const a = classify(plan, test, batch, images, "INT8 softmax run"), b = classify(fp32Softmax, test, batch, images, "FP32 softmax run");
  let maxErr = 0, sumErr = 0, agree = 0;
  for (let i = 0; i < a.probs.length; i++) {
    const d = Math.abs(a.probs[i]! - b.probs[i]!);
    maxErr = Math.max(maxErr, d);
    sumErr += d;
  }
  for (let n = 0; n < images; n++) {
    const row = (p: Float32Array) => p.subarray(n * a.classes, (n + 1) * a.classes);
    if (argmax(row(a.probs)) === argmax(row(b.probs))) agree++;
  }
  return [
    `[I] INT8 softmax ${softmaxes.join(", ")} (uint8 at 1/256, as ONNX Runtime's QLinearSoftmax) against the FP32 softmax on the same INT8 logits, ${images} images:`,
    `[I]   max |p - p_fp32| = ${maxErr.toFixed(5)}, mean ${(sumErr / a.probs.length).toExponential(2)}; top-1 ${a.top1.toFixed(4)} vs ${b.top1.toFixed(4)}, the same class on ${agree} of ${images} images`,
  ];
}

function argmax(p: Float32Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}
