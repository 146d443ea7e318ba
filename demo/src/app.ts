// The browser demo: a thin shell over the octet library. It loads the wasm,
// a prebuilt plan (GPU INT8), the model and its calibration cache (to build
// the other placements in the page), runs what you draw, and shows the
// prediction, the placement graph, the timeline and the profile.
import {
  kernelFactory, deserializePlan, buildPlan, parseGraph, decodeWeights, assembleModel, parseCalibrationTable,
  ExecutionContext, DEFAULT_BUILD, mnistPreprocess, profileTable, chromeTrace, summarize,
  type Plan, type BuildOptions, type Device, type KernelFactory, type Model,
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

interface State {
  kernels: KernelFactory;
  /** The same plan without profiling, for burst timing. */
  plain: ExecutionContext | null;
  model: Model;
  scales: Map<string, number>;
  gpuPlan: Plan;
  ctx: ExecutionContext | null;
  input: Float32Array | null;
}

async function main(): Promise<void> {
  const [wasm, planBytes, graphText, weights, cache, digits] = await Promise.all([
    fetchBytes("octet.wasm"), fetchBytes("lenet-gpu-int8.plan"), fetch("lenet.json").then((r) => r.text()),
    fetchBytes("lenet.weights"), fetch("lenet.cache").then((r) => r.text()), fetchBytes("digits.bin"),
  ]);
  const model = assembleModel(parseGraph(graphText, "lenet.json"), decodeWeights(weights, "lenet.weights"), "lenet.weights");
  const state: State = {
    kernels: await kernelFactory(wasm), model, scales: parseCalibrationTable(cache, "lenet.cache").scales,
    gpuPlan: deserializePlan(planBytes, "lenet-gpu-int8.plan"), ctx: null, plain: null, input: null,
  };
  const pad = new DrawPad($("pad"), () => classify(state, mnistPreprocess(pad.intensities(), pad.canvas.width, pad.canvas.height)));
  $("clear").addEventListener("click", () => pad.clear());
  buildStrip(digits, (pixels, label) => {
    pad.showDigit(pixels);
    $("strip").dataset.picked = String(label);
    classify(state, mnistPreprocess(pad.intensities(), pad.canvas.width, pad.canvas.height));
  });
  const split = $<HTMLSelectElement>("split-at");
  for (const l of model.graph.layers.slice(0, -2)) split.add(new Option(l.name, l.name));
  split.value = "conv2";
  const onPlacement = () => {
    usePlacement(state, ($("placement") as HTMLFormElement).placement.value as string, split.value);
    if (state.input) classify(state, state.input);
  };
  $("placement").addEventListener("change", onPlacement);
  $("trace").addEventListener("click", () => downloadTrace(state));
  $("burst").addEventListener("click", () => burst(state));
  usePlacement(state, "gpu-int8", split.value);
  $("status").textContent = `Ready: ${(wasm.length / 1024).toFixed(1)} KB wasm, plan ${(planBytes.length / 1024).toFixed(0)} KB.`;
  document.body.dataset.ready = "true";
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
  let plan: Plan;
  let source: string;
  if (which === "gpu-int8") {
    plan = state.gpuPlan;
    source = "Prebuilt plan file lenet-gpu-int8.plan, loaded without rebuilding.";
  } else {
    const layerDevice = new Map<string, Device>();
    if (which === "split") {
      const names = state.model.graph.layers.map((l) => l.name);
      for (const l of names.slice(names.indexOf(splitAt) + 1)) layerDevice.set(l, "gpu");
    }
    const options: BuildOptions = {
      ...DEFAULT_BUILD, layerDevice, layerPrecision: new Map(),
      precision: which === "gpu-fp32" ? "fp32" : "int8",
      device: which === "dla" || which === "split" ? "dla" : "gpu",
    };
    plan = buildPlan(state.model, options, options.precision === "fp32" ? null : state.scales, { algorithm: "entropy", source: "lenet.cache" });
    source = "Built in this page from lenet.json, lenet.weights and the calibration cache lenet.cache.";
  }
  state.ctx = new ExecutionContext(plan, state.kernels, 1, { profile: true, profileDlaLayers: true, profileSamples: 512 });
  state.plain = new ExecutionContext(plan, state.kernels, 1);
  $("plan-source").textContent = source;
  $("graph").innerHTML = renderGraph(plan);
}

function classify(state: State, input: Float32Array): void {
  state.input = input;
  const ctx = state.ctx!;
  (ctx.input(1) as Float32Array).set(input);
  ctx.enqueue(1);
  const probs = ctx.output(1);
  const best = probs.indexOf(Math.max(...probs));
  const pred = $("prediction");
  pred.textContent = String(best);
  pred.dataset.label = String(best);
  pred.dataset.probs = Array.from(probs).join(",");
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
    `${Math.round((500 * 1000) / total).toLocaleString("en-US")} images/s, without the profiler.`;
}

function downloadTrace(state: State): void {
  const trace = JSON.stringify(chromeTrace(state.ctx!.profiler!, { demo: true }));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([trace], { type: "application/json" }));
  a.download = "octet-trace.json";
  a.click();
}

main().catch((e) => {
  $("status").textContent = `Error: ${(e as Error).message}`;
  document.body.dataset.error = (e as Error).message;
});
