// The browser demo: a thin shell over the octet library. It loads the wasm,
// LeNet (a prebuilt GPU INT8 plan, the model and its calibration cache, to
// build the other placements in the page) and the list of trained CNNs; a
// CNN chosen in the page is imported from its ONNX file (the importer is a
// chunk of its own, loaded then) and built in the page from a TensorRT-format
// calibration cache made at demo-build time. It runs what you draw, and shows
// the prediction, the placement graph, the timeline and the profile.
import {
  chooseKernelFactory, deserializePlan, buildPlan, parseGraph, decodeWeights, assembleModel, parseCalibrationTable,
  ExecutionContext, DEFAULT_BUILD, mnistPreprocess, profileTable, chromeTrace, summarize,
  startBrowserThreads, browserStreamsAvailable,
  type Plan, type BuildOptions, type Device, type KernelFactory, type Model, type IsaRequest,
} from "../../src/index.js";
import { DrawPad } from "./draw-pad.js";
import { renderGraph } from "./graph-view.js";
import { renderTimeline } from "./timeline-view.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchText(url: string): Promise<string> {
  return new TextDecoder().decode(await fetchBytes(url));
}

/** One entry of models.json (written by demo/build.mjs). */
interface ModelEntry {
  id: string;
  label: string;
  format: "octet" | "onnx";
  /** The split placement's default: DLA up to and including this layer. */
  split: string;
  calibration: "entropy" | "minmax" | "percentile";
}

interface LoadedModel {
  entry: ModelEntry;
  model: Model;
  scales: Map<string, number>;
  cacheFile: string;
  /** LeNet's GPU INT8 plan, loaded from its plan file. */
  prebuilt: Plan | null;
  /** Where the model came from, for the plan source line. */
  origin: string;
  /** The network ends in logits (the CNNs): the page takes the softmax. */
  logits: boolean;
}

interface State {
  kernels: KernelFactory;
  calibrationImages: number;
  entries: ModelEntry[];
  loaded: Map<string, LoadedModel>;
  current: LoadedModel;
  /** The model the chooser asked for last (a slower earlier load must not win). */
  wanted: string;
  plan: Plan | null;
  ctx: ExecutionContext | null;
  /** The same plan without profiling, for burst timing. */
  plain: ExecutionContext | null;
  input: Float32Array | null;
}

async function main(): Promise<void> {
  const [wasm, planBytes, graphText, weights, cache, digits, manifest] = await Promise.all([
    fetchBytes("octet.wasm"), fetchBytes("lenet-gpu-int8.plan"), fetchText("lenet.json"),
    fetchBytes("lenet.weights"), fetchText("lenet.cache"), fetchBytes("digits.bin"), fetchText("models.json"),
  ]);
  const { models: entries, calibrationImages } = JSON.parse(manifest) as { models: ModelEntry[]; calibrationImages: number };
  const lenet: LoadedModel = {
    entry: entries.find((e) => e.id === "lenet")!,
    model: assembleModel(parseGraph(graphText, "lenet.json"), decodeWeights(weights, "lenet.weights"), "lenet.weights"),
    scales: parseCalibrationTable(cache, "lenet.cache").scales, cacheFile: "lenet.cache",
    prebuilt: deserializePlan(planBytes, "lenet-gpu-int8.plan"), origin: "lenet.json and lenet.weights", logits: false,
  };
  // ?isa=simd128|relaxed forces the kernels' instruction set (the CLI's --isa); by default the probe and race choose.
  const isaRequest = (new URLSearchParams(location.search).get("isa") ?? "auto") as IsaRequest;
  const { factory, choice } = await chooseKernelFactory(wasm as Uint8Array<ArrayBuffer>, () => fetchBytes("octet.relaxed.wasm") as Promise<Uint8Array<ArrayBuffer>>, isaRequest);
  document.body.dataset.isa = choice.isa;
  const state: State = {
    kernels: factory, calibrationImages, entries, loaded: new Map([["lenet", lenet]]), current: lenet, wanted: "lenet",
    plan: null, ctx: null, plain: null, input: null,
  };
  const chooser = $<HTMLSelectElement>("model");
  for (const e of entries) chooser.add(new Option(e.id === "lenet" ? e.label : `${e.id}: ${e.label}`, e.id));
  chooser.value = "lenet";
  const pad = new DrawPad($("pad"), () => classify(state, mnistPreprocess(pad.intensities(), pad.canvas.width, pad.canvas.height)));
  $("clear").addEventListener("click", () => pad.clear());
  buildStrip(digits, (pixels, label) => {
    pad.showDigit(pixels);
    $("strip").dataset.picked = String(label);
    classify(state, mnistPreprocess(pad.intensities(), pad.canvas.width, pad.canvas.height));
  });
  $("placement").addEventListener("change", () => applyPlacement(state));
  chooser.addEventListener("change", () => {
    switchModel(state, chooser.value).catch((e) => showError(e as Error));
  });
  $("trace").addEventListener("click", () => downloadTrace(state));
  $("burst").addEventListener("click", () => burst(state));
  $("threaded-burst").addEventListener("click", () => {
    threadedBurst(state).catch((e) => showError(e as Error));
  });
  useModel(state, lenet);
  $("status").textContent = `Ready: ${(wasm.length / 1024).toFixed(1)} KB wasm, plan ${(planBytes.length / 1024).toFixed(0)} KB. Kernels: ${choice.reason}.`;
  document.body.dataset.ready = "true";
}

async function switchModel(state: State, id: string): Promise<void> {
  state.wanted = id;
  let m = state.loaded.get(id);
  if (!m) {
    document.body.dataset.busy = "true";
    $("status").textContent = `Loading ${id}.onnx…`;
    const entry = state.entries.find((e) => e.id === id)!;
    const [{ importOnnx }, bytes, cache] = await Promise.all([
      import("../../src/onnx/import.js"), fetchBytes(`${id}.onnx`), fetchText(`${id}.cache`),
    ]);
    const t = performance.now();
    const model = importOnnx(bytes, `${id}.onnx`);
    const ms = performance.now() - t;
    m = {
      entry, model, scales: parseCalibrationTable(cache, `${id}.cache`).scales, cacheFile: `${id}.cache`, prebuilt: null, logits: model.graph.layers.at(-1)?.type !== "softmax",
      origin: `${id}.onnx (${(bytes.length / 1024).toFixed(0)} KB, imported with importOnnx in ${ms.toFixed(0)} ms: ${model.graph.layers.length} layers)`,
    };
    state.loaded.set(id, m);
    delete document.body.dataset.busy;
  }
  if (state.wanted !== id) return;
  useModel(state, m);
  $("status").textContent = `${id}: ${m.origin}.`;
}

/** Makes `m` the page's model: its split choices, then the checked placement. */
function useModel(state: State, m: LoadedModel): void {
  state.current = m;
  const split = $<HTMLSelectElement>("split-at");
  split.length = 0;
  for (const l of m.model.graph.layers.slice(0, -2)) split.add(new Option(l.name, l.name));
  split.value = m.entry.split;
  $("model-info").textContent = m.entry.format === "onnx"
    ? `${m.entry.label}, trained with PyTorch on MNIST (models/cnn); ends in logits, so the page shows their softmax.`
    : "LeNet as TensorRT's sample_int8 uses it, trained by octet.";
  applyPlacement(state);
  document.body.dataset.model = m.entry.id;
}

function applyPlacement(state: State): void {
  usePlacement(state, ($("placement") as HTMLFormElement).placement.value as string, $<HTMLSelectElement>("split-at").value);
  if (state.input) classify(state, state.input);
}

function buildStrip(digits: Uint8Array, pick: (pixels: Float32Array, label: number) => void): void {
  const count = Math.floor(digits.length / 785);
  for (let i = 0; i < count; i++) {
    const pixels = Float32Array.from(digits.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    const label = digits[count * 784 + i]!;
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    c.dataset.label = String(label);
    c.title = `MNIST test digit ${i} (a ${label})`;
    const img = new ImageData(28, 28);
    pixels.forEach((v, k) => img.data.set([v * 255, v * 255, v * 255, 255], k * 4));
    c.getContext("2d")!.putImageData(img, 0, 0);
    c.addEventListener("click", () => pick(pixels, label));
    $("strip").append(c);
  }
}

function usePlacement(state: State, which: string, splitAt: string): void {
  const m = state.current;
  let plan: Plan;
  let source: string;
  const calibration = `the calibration cache ${m.cacheFile} (${m.entry.calibration}, ${state.calibrationImages} MNIST training images, written by octet at demo-build time)`;
  if (which === "gpu-int8" && m.prebuilt) {
    plan = m.prebuilt;
    source = "Prebuilt plan file lenet-gpu-int8.plan, loaded without rebuilding.";
  } else {
    const layerDevice = new Map<string, Device>();
    if (which === "split") {
      const names = m.model.graph.layers.map((l) => l.name);
      for (const l of names.slice(names.indexOf(splitAt) + 1)) layerDevice.set(l, "gpu");
    }
    const options: BuildOptions = {
      ...DEFAULT_BUILD, layerDevice, layerPrecision: new Map(),
      precision: which === "gpu-fp32" ? "fp32" : "int8",
      device: which === "dla" || which === "split" ? "dla" : "gpu",
    };
    const t = performance.now();
    plan = buildPlan(m.model, options, options.precision === "fp32" ? null : m.scales, { algorithm: m.entry.calibration, source: m.cacheFile });
    source = `Built in this page in ${(performance.now() - t).toFixed(0)} ms from ${m.origin}` + (options.precision === "fp32" ? "." : ` and ${calibration}.`);
  }
  state.plan = plan;
  state.ctx = new ExecutionContext(plan, state.kernels, 1, { profile: true, profileDlaLayers: true, profileSamples: 512 });
  state.plain = new ExecutionContext(plan, state.kernels, 1);
  $("plan-source").textContent = source;
  const graph = $("graph");
  graph.innerHTML = renderGraph(plan);
  // At its own size; a graph a little wider than the panel is scaled down to it, a wider one scrolls.
  const svg = graph.querySelector("svg")!;
  if (Number(svg.getAttribute("width")) <= graph.clientWidth * 1.35) Object.assign(svg.style, { maxWidth: "100%", height: "auto" });
  $("burst-result").textContent = "–";
  graph.dataset.shows = `${m.entry.id}/${which}`;
}

function softmax(logits: Float32Array): Float64Array {
  const max = Math.max(...logits);
  const e = Float64Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

function classify(state: State, input: Float32Array): void {
  state.input = input;
  const ctx = state.ctx!;
  (ctx.input(1) as Float32Array).set(input);
  ctx.enqueue(1);
  const out = ctx.output(1);
  const probs = state.current.logits ? softmax(out) : out;
  const best = out.indexOf(Math.max(...out));
  const pred = $("prediction");
  pred.textContent = String(best);
  pred.dataset.label = String(best);
  pred.dataset.probs = Array.from(probs).join(",");
  pred.dataset.output = Array.from(out).join(",");
  pred.dataset.model = state.current.entry.id;
  $("bars").innerHTML = Array.from(probs, (p, d) =>
    `<div class="bar"><span>${d}</span><span class="track"><span class="fill" style="display:block;width:${(p * 100).toFixed(1)}%"></span></span><span>${(p * 100).toFixed(1)}%</span></div>`).join("");
  $("timeline").innerHTML = renderTimeline(ctx.profiler!);
  $("profile").textContent = profileTable(ctx.profiler!).join("\n");
}

function burst(state: State): void {
  const ctx = state.plain!;
  if (state.input) (ctx.input(1) as Float32Array).set(state.input);
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    ctx.enqueue(1);
    times.push(performance.now() - t);
  }
  const total = performance.now() - start;
  const s = summarize(times);
  $("burst-result").textContent = `500 runs at batch 1: median latency ${(s.median * 1000).toFixed(1)} us, p99 ${(s.p99 * 1000).toFixed(1)} us, ` +
    `${Math.round((500 * 1000) / total).toLocaleString("en-US")} images/s, without the profiler (${state.current.entry.id}).`;
}

let threadsBuild: Promise<WebAssembly.Module> | null = null;

/**
 * Two threads sharing one engine of the current plan (the weights once, in
 * shared wasm memories: the threads build, fetched on first use), each a Web
 * Worker with its own context, run batches of 8 copies of the current digit
 * at the same time; their probabilities are
 * compared bit for bit with one context on the page's thread running the
 * same batch, and the two threads' enqueues are drawn on one clock.
 */
async function threadedBurst(state: State): Promise<void> {
  const out = $("threads-result");
  if (!browserStreamsAvailable()) {
    out.textContent = "This page is not cross-origin isolated (no SharedArrayBuffer): it runs on one thread.";
    return;
  }
  document.body.dataset.busy = "threads";
  const B = 8, RUNS = 40;
  // The same batch on this thread (FP32 sums depend on how images are grouped, so the batch matters).
  const single = new ExecutionContext(state.plan!, state.kernels, B);
  const input = state.input ?? new Float32Array(single.input(1).length);
  for (let i = 0; i < B; i++) (single.input(B) as Float32Array).set(input, i * input.length);
  single.enqueue(B);
  const want = Float32Array.from(single.output(B));
  threadsBuild ??= fetchBytes("octet.threads.wasm").then((b) => WebAssembly.compile(b as Uint8Array<ArrayBuffer>));
  const streams = await startBrowserThreads("stream-worker.js", await threadsBuild, state.plan!, B, 2);
  try {
    const spans: { start: number; end: number }[][] = [[], []];
    let identical = true, first = "";
    const t0 = performance.now();
    await Promise.all(streams.map(async (s, k) => {
      for (let i = 0; i < B; i++) (s.input(B) as Float32Array).set(input, i * input.length);
      for (let r = 0; r < RUNS; r++) {
        const e0 = performance.now();
        await s.enqueueAsync(B);
        spans[k]!.push({ start: e0, end: performance.now() });
        const got = s.output(B);
        for (let i = 0; i < got.length; i++) {
          if (Object.is(got[i], want[i])) continue;
          if (identical) first = ` (thread ${k}, run ${r}, value ${i}: ${got[i]} vs ${want[i]})`;
          identical = false;
        }
      }
    }));
    const wall = performance.now() - t0;
    out.textContent = `2 threads x ${RUNS} runs at batch ${B}: ${Math.round((2 * RUNS * B * 1000) / wall).toLocaleString("en-US")} images/s together; ` +
      `probabilities ${identical ? "bit-identical to" : "DIFFERENT from"} the single-thread run${first} (${state.current.entry.id}).`;
    out.dataset.identical = String(identical);
    $("threads-timeline").innerHTML = threadsTimeline(spans, t0, wall);
  } finally {
    await Promise.all(streams.map((s) => s.dispose()));
    delete document.body.dataset.busy;
  }
}

/** One row per thread, each enqueue a bar, on one clock. */
function threadsTimeline(spans: { start: number; end: number }[][], t0: number, wall: number): string {
  const W = 640, row = 18;
  const bars = spans.flatMap((list, k) => list.map((s) =>
    `<rect x="${((s.start - t0) / wall) * W}" y="${k * row + 2}" width="${Math.max(1, ((s.end - s.start) / wall) * W)}" height="${row - 4}" class="thread-${k}"><title>thread ${k}: ${(s.end - s.start).toFixed(2)} ms</title></rect>`));
  const labels = spans.map((_, k) => `<text x="${W + 6}" y="${k * row + 13}">thread ${k}</text>`);
  return `<svg width="${W + 70}" height="${spans.length * row}" role="img" aria-label="the two threads' enqueues over time">${bars.join("")}${labels.join("")}</svg>`;
}

function downloadTrace(state: State): void {
  const trace = JSON.stringify(chromeTrace(state.ctx!.profiler!, { demo: true, model: state.current.entry.id }));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([trace], { type: "application/json" }));
  a.download = "octet-trace.json";
  a.click();
}

function showError(e: Error): void {
  $("status").textContent = `Error: ${e.message}`;
  document.body.dataset.error = e.message;
  delete document.body.dataset.busy;
}

main().catch((e) => showError(e as Error));
