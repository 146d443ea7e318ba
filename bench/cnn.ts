// The four CNNs the project trained (models/cnn, models/README.md), shared by
// the e2e and peers suites: their ONNX files, their test images (MNIST, or
// Fashion-MNIST for the SENet), octet's INT8 plans (minmax calibration on the
// first 500 training images, DEFAULT_BUILD), the multiply-adds each layer
// really executes, and a profile of where the time goes per step.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModel, loadMnistTest, loadMnistTrain, loadKernels, defaultMnistDir } from "../src/node.js";
import { buildPlan, DEFAULT_BUILD, ExecutionContext, ContextRunner, imagesToFloat, evaluate, type Plan, type BuildOptions, type ImageSet } from "../src/index.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import type { Model } from "../src/model/model.js";
import type { ConvolutionLayer, Layer } from "../src/model/layers.js";
import { volume } from "../src/model/shapes.js";
import { median, type Contender } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FASHION_DIR = "/usr/share/datasets/fashion-mnist";

export interface CnnCase {
  name: string;
  /** Folder of the four IDX files the model was trained and is scored on. */
  data: string;
  dataset: string;
  /** Also measured with DLA placement + GPU fallback. */
  dla: boolean;
}

export const CNNS: CnnCase[] = [
  { name: "resnet-mnist", data: defaultMnistDir(), dataset: "MNIST", dla: true },
  { name: "mobilenet-mnist", data: defaultMnistDir(), dataset: "MNIST", dla: false },
  { name: "squeezenet-mnist", data: defaultMnistDir(), dataset: "MNIST", dla: false },
  { name: "senet-fashion", data: FASHION_DIR, dataset: "Fashion-MNIST", dla: false },
];

/** A suite's filter: "" runs everything, "lenet" LeNet only, "cnn" every CNN, else the models whose name contains it. */
export function wants(filter: string, model: string): boolean {
  if (filter === "") return true;
  if (filter === "cnn") return model !== "lenet";
  return model.includes(filter);
}

export const cnnFile = (name: string, suffix = "") => `${ROOT}models/cnn/${name}${suffix}.onnx`;

/** The cases whose ONNX file and test set are present (filter: a substring of the name). */
export function availableCnns(filter = ""): CnnCase[] {
  return CNNS.filter((c) => {
    if (!wants(filter, c.name)) return false;
    const data = existsSync(`${c.data}/t10k-images-idx3-ubyte.gz`) || existsSync(`${c.data}/t10k-images-idx3-ubyte`);
    if (!data) console.log(`  ${c.name}: its test set ${c.data} is not installed (Debian's dataset-fashion-mnist); skipped`);
    return data && existsSync(cnnFile(c.name));
  });
}

export interface CnnPlan {
  name: string;
  precision: "int8" | "fp32";
  device: "gpu" | "dla";
  plan: Plan;
}

export interface CnnBuild {
  model: Model;
  test: ImageSet;
  /** All test images as FP32 NCHW [count, 1, 28, 28], prepared once so it is never timed. */
  images: Float32Array;
  plans: CnnPlan[];
  macsPerImage: number;
}

const builds = new Map<string, CnnBuild>();

/** Built once per process (e2e and peers share it): INT8 GPU, INT8 DLA + fallback (if the case asks), FP32 GPU. */
export function cnnBuild(c: CnnCase): CnnBuild {
  const cached = builds.get(c.name);
  if (cached) return cached;
  const model = loadModel(cnnFile(c.name));
  const stats = collectStats(loadKernels(), model, loadMnistTrain(c.data), DEFAULT_CALIBRATION);
  const scales = scalesFrom(stats, "minmax", DEFAULT_CALIBRATION.percentile);
  const make = (o: Partial<BuildOptions>) => buildPlan(model, { ...DEFAULT_BUILD, ...o }, o.precision === "fp32" ? null : scales, o.precision === "fp32" ? null : { algorithm: "minmax", source: "bench" });
  const plans: CnnPlan[] = [{ name: "INT8 gpu", precision: "int8", device: "gpu", plan: make({ device: "gpu" }) }];
  if (c.dla) plans.push({ name: "INT8 dla+fallback", precision: "int8", device: "dla", plan: make({ device: "dla" }) });
  plans.push({ name: "FP32 gpu", precision: "fp32", device: "gpu", plan: make({ device: "gpu", precision: "fp32" }) });
  const test = loadMnistTest(c.data);
  const images = new Float32Array(test.count * 784);
  imagesToFloat(test, 0, test.count, images);
  const b: CnnBuild = { model, test, images, plans, macsPerImage: modelMacs(model) };
  builds.set(c.name, b);
  return b;
}

/** Multiply-adds one image really executes in a convolution: K*Ho*Wo*(C/groups)*kh*kw. */
export function convMacs(model: Model, l: ConvolutionLayer): number {
  const C = model.shapes.tensors.get(l.inputs[0]!)![0];
  const [, Ho, Wo] = model.shapes.layers.get(l.name)!.output;
  return l.numOutput * Ho * Wo * (C / l.group) * l.kernelShape[0] * l.kernelShape[1];
}

export function layerMacs(model: Model, l: Layer): number {
  if (l.type === "convolution") return convMacs(model, l);
  if (l.type === "fully_connected") return l.numOutput * volume(model.shapes.tensors.get(l.inputs[0]!)!);
  return 0;
}

/** Conv and fully connected multiply-adds per image (models/README.md's count). */
export function modelMacs(model: Model): number {
  return model.graph.layers.reduce((s, l) => s + layerMacs(model, l), 0);
}

/** What a convolution is, for the profile: "depthwise 3x3 s2", "1x1", "3x3", "grouped 3x3 (C/g=2)". */
export function convKind(model: Model, l: ConvolutionLayer): string {
  const C = model.shapes.tensors.get(l.inputs[0]!)![0];
  const [kh, kw] = l.kernelShape;
  const k = `${kh}x${kw}${l.strides[0] > 1 ? ` s${l.strides[0]}` : ""}`;
  if (l.group > 1 && l.group === C) return `depthwise ${k}${l.numOutput > C ? ` x${l.numOutput / C}` : ""}`;
  if (l.group > 1) return `grouped ${k}`;
  return `conv ${k}`;
}

/**
 * A contender that runs `plan` on `batch` test images per call, a different
 * slice of the test set each call (as the peers are fed); copying the images
 * into the context's input buffer is part of the call, as ORT's session.run
 * copies its input tensor into wasm memory.
 */
export function octetCnnContender(name: string, plan: Plan, batch: number, images: Float32Array): Contender {
  const runner = new ContextRunner(new ExecutionContext(plan, () => loadKernels("release"), batch));
  const count = images.length / 784;
  let at = 0;
  return {
    name, images: batch,
    call: () => {
      if (at + batch > count) at = 0;
      runner.input(batch).set(images.subarray(at * 784, (at + batch) * 784));
      at += batch;
      runner.run(batch);
    },
  };
}

/** Top-1 of an octet plan over the whole test set (batches of 250). */
export function octetTop1(plan: Plan, test: ImageSet, limit = test.count): number {
  return evaluate(new ContextRunner(new ExecutionContext(plan, () => loadKernels("release"), 250)), test, limit).top1;
}

export interface StepProfile {
  name: string;
  kind: string;
  device: string;
  /** Median time of this step per enqueue, ms. */
  medianMs: number;
  /** Share of the sum of all step medians. */
  share: number;
  /** Multiply-adds of the step per image (conv / fc layers in it). */
  macsPerImage: number;
  gmacs: number | null;
}

export interface PlanProfile {
  model: string;
  config: string;
  batch: number;
  enqueues: number;
  enqueueMedianMs: number;
  steps: StepProfile[];
  /** Shares summed by kind, largest first. */
  byKind: { kind: string; share: number; medianMs: number; gmacs: number | null }[];
}

function stepKind(model: Model, node: Plan["nodes"][number]): { kind: string; macs: number } {
  if (node.kind !== "compute") return { kind: node.kind, macs: 0 };
  const layers = node.step.layers.map((p) => p.layer);
  const macs = layers.reduce((s, l) => s + layerMacs(model, l), 0);
  if (node.device === "dla") return { kind: "DLA subgraph", macs };
  const main = layers.find((l) => l.type === "convolution" || l.type === "fully_connected") ?? layers[0]!;
  let kind: string;
  if (main.type === "convolution") kind = convKind(model, main);
  else if (main.type === "fully_connected") kind = "fully connected";
  else if (main.type === "activation") kind = `activation ${main.fn}`;
  else if (main.type === "eltwise") kind = `eltwise ${main.op}`;
  else if (main.type === "pooling" || main.type === "global_pooling") kind = `${main.type === "global_pooling" ? "global " : ""}${main.method} pool`;
  else kind = main.type;
  if (layers.length > 1 && main.type === "convolution") kind += ` + ${layers.filter((l) => l !== main).map((l) => l.type === "eltwise" ? l.op : l.type === "activation" ? l.fn : l.type).join(" + ")}`;
  return { kind, macs };
}

/**
 * Where the time goes: the plan at `batch` with the profiler on (a range per
 * step), `enqueues` profiled enqueues after a warm-up; each step's median over
 * them, its share of the sum of medians, and GMAC/s for steps that multiply.
 */
export function profilePlan(c: CnnCase, p: CnnPlan, batch: number, images: Float32Array, enqueues = Number(process.env.OCTET_BENCH_PROFILE_ENQUEUES ?? 200)): PlanProfile {
  const model = cnnBuild(c).model;
  const ctx = new ExecutionContext(p.plan, () => loadKernels("release"), batch, { profile: true, profileSamples: enqueues });
  const runner = new ContextRunner(ctx);
  runner.input(batch).set(images.subarray(0, batch * 784));
  for (let i = 0; i < Math.min(20, enqueues); i++) runner.run(batch);
  const prof = ctx.profiler!;
  prof.reset();
  for (let i = 0; i < enqueues; i++) runner.run(batch);
  const steps: StepProfile[] = p.plan.nodes.map((node, i) => {
    const m = median(prof.durations(i + 1));
    const { kind, macs } = stepKind(model, node);
    return { name: node.name, kind, device: node.device, medianMs: m, share: 0, macsPerImage: macs, gmacs: macs > 0 ? (macs * batch) / (m * 1e6) : null };
  });
  const total = steps.reduce((s, x) => s + x.medianMs, 0);
  for (const s of steps) s.share = s.medianMs / total;
  const kinds = new Map<string, { share: number; medianMs: number; macs: number }>();
  for (const s of steps) {
    const k = kinds.get(s.kind) ?? { share: 0, medianMs: 0, macs: 0 };
    k.share += s.share; k.medianMs += s.medianMs; k.macs += s.macsPerImage;
    kinds.set(s.kind, k);
  }
  const byKind = [...kinds].map(([kind, k]) => ({ kind, share: k.share, medianMs: k.medianMs, gmacs: k.macs > 0 ? (k.macs * batch) / (k.medianMs * 1e6) : null }))
    .sort((a, b) => b.share - a.share);
  return { model: c.name, config: p.name, batch, enqueues, enqueueMedianMs: median(prof.durations(0)), steps, byKind };
}

/** Rounds and slice per contender for the interleaved timing: OCTET_BENCH_ROUNDS / OCTET_BENCH_SLICE_MS shorten a development run. */
export const ROUNDS = Number(process.env.OCTET_BENCH_ROUNDS ?? 5);
export const SLICE_MS = Number(process.env.OCTET_BENCH_SLICE_MS ?? 250);
/** Test images scored per contender for top-1 (OCTET_BENCH_TOP1_IMAGES; all 10,000 by default). */
export const TOP1_IMAGES = Number(process.env.OCTET_BENCH_TOP1_IMAGES ?? 10_000);

export const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
