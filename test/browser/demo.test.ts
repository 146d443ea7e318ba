// The browser demo in real Chromium (driven by playwright-core; see chromium.ts):
// draw MNIST test digits with the mouse, pick digits from the strip, switch
// placements, and check predictions, bit-identical INT8 results and the
// timeline; then choose the trained CNNs (imported from ONNX in the page) and
// check the same, and that the placement graph is a DAG. Saves screenshots to
// build/demo-screenshot.png (LeNet) and build/demo-screenshot-<model>.png.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const mnist = loadMnistTest();

// Set-up at module level: a failure here fails the run (uvu does not fail on a throwing before hook).
const { buildDemo } = await import(pathToFileURL(join(ROOT, "demo/build.mjs")).href);
const { serve } = await import(pathToFileURL(join(ROOT, "demo/serve.mjs")).href);
const { out } = await buildDemo(mkdtempSync(join(tmpdir(), "octet-demo-")));
const server: { url: string; close: () => Promise<void> } = await serve(out, 0);
const browser: Browser = await launchChromium();
const page: Page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
const pageErrors: string[] = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
await page.goto(server.url);
try {
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
} catch {
  const status = await page.textContent("#status");
  await browser.close();
  await server.close();
  throw new Error(`demo did not start: ${status} ${pageErrors.join("; ")}`);
}

test.after(async () => {
  await browser.close();
  await server.close();
  assert.equal(pageErrors, [], "no uncaught errors in the page");
});

/** Redraws MNIST test digit k on the pad with the mouse, row by row, as strokes over its ink. */
async function drawDigit(k: number): Promise<void> {
  await page.click("#clear");
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await page.locator("#pad").boundingBox())!;
  const s = box.width / 28;
  for (let y = 0; y < 28; y++) {
    let x = 0;
    while (x < 28) {
      if (mnist.pixels[k * 784 + y * 28 + x]! < 128) {
        x++;
        continue;
      }
      const start = x;
      while (x < 28 && mnist.pixels[k * 784 + y * 28 + x]! >= 128) x++;
      await page.mouse.move(box.x + (start + 0.5) * s, box.y + (y + 0.5) * s);
      await page.mouse.down();
      await page.mouse.move(box.x + (x - 0.5) * s, box.y + (y + 0.5) * s, { steps: 2 });
      await page.mouse.up();
    }
  }
}

const prediction = async () => Number(await page.getAttribute("#prediction", "data-label"));
const probs = async () => (await page.getAttribute("#prediction", "data-probs"))!;

const output = async () => (await page.getAttribute("#prediction", "data-output"))!;

async function choose(placement: string): Promise<void> {
  await page.check(`input[name=placement][value=${placement}]`);
  await page.waitForFunction((p) => document.querySelector(`#graph svg`) !== null && (document.querySelector(`input[value=${p}]`) as HTMLInputElement).checked &&
    document.getElementById("graph")!.dataset.shows === `${document.body.dataset.model}/${p}`, placement);
}

async function chooseModel(id: string): Promise<void> {
  await page.selectOption("#model", id);
  await page.waitForSelector(`body[data-model="${id}"]:not([data-busy])`, { timeout: 20000 });
  await page.waitForFunction((m) => document.getElementById("graph")!.dataset.shows?.startsWith(`${m}/`), id);
}

/** The placement graph's edges into each node whose layers include `type`, by node. */
async function joinsOf(type: string): Promise<number[]> {
  return page.evaluate((t) => Array.from(document.querySelectorAll<SVGGElement>("#graph g.step"))
    .filter((g) => g.dataset.types!.split(" ").includes(t))
    .map((g) => document.querySelectorAll(`#graph path.edge[data-to="${g.dataset.id}"]`).length), type);
}

test("the page is cross-origin isolated (the server sends COOP and COEP)", async () => {
  assert.is(await page.evaluate(() => globalThis.crossOriginIsolated), true);
});

test("digits drawn with the mouse are recognised", async () => {
  for (const k of [0, 1, 2, 3, 4]) {
    await drawDigit(k);
    assert.is(await prediction(), mnist.labels[k], `drawn test digit ${k}`);
  }
});

test("strip digits are recognised, and every INT8 placement gives bit-identical probabilities", async () => {
  const strip = page.locator("#strip canvas");
  assert.is(await strip.count(), 24);
  for (const i of [5, 8, 11, 17]) {
    await choose("gpu-int8");
    await strip.nth(i).click();
    const label = Number(await strip.nth(i).getAttribute("data-label"));
    assert.is(await prediction(), label, `strip digit ${i}`);
    const gpu = await probs();
    await choose("dla");
    assert.is(await probs(), gpu, `DLA probabilities for strip digit ${i}`);
    await choose("split");
    assert.is(await probs(), gpu, `split probabilities for strip digit ${i}`);
    await choose("gpu-fp32");
    assert.is(await prediction(), label, `FP32 prediction for strip digit ${i}`);
  }
});

test("kernels: Chromium runs relaxed SIMD exactly (the start-up probe says so), and ?isa=relaxed gives the SIMD128 probabilities bit for bit", async () => {
  const status = (await page.textContent("#status"))!;
  console.log(`  demo in Chromium: ${status.slice(status.indexOf("Kernels:"))}`);
  assert.match(status, /Kernels: (relaxed SIMD \(exact; its int8 dot ran [\d.]+x the int16 dot at start-up\)|SIMD128 \(relaxed SIMD is exact here, but its int8 dot ran [\d.]+x)/);
  const stripProbs = async (isa: string) => {
    const p = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    p.on("pageerror", (e) => pageErrors.push(`?isa=${isa}: ${e.message}`));
    await p.goto(`${server.url}?isa=${isa}`);
    await p.waitForSelector("body[data-ready=true]", { timeout: 20000 });
    assert.is(await p.getAttribute("body", "data-isa"), isa);
    const out: string[] = [];
    for (const i of [0, 3, 9, 14, 22]) {
      await p.locator("#strip canvas").nth(i).click();
      out.push((await p.getAttribute("#prediction", "data-probs"))!);
    }
    await p.close();
    return out;
  };
  const simd = await stripProbs("simd128");
  assert.equal(await stripProbs("relaxed"), simd);
});

test("a threaded burst: two Web Workers run the plan at once, their probabilities bit-identical to the single-thread run, drawn on one clock", async () => {
  assert.is(await page.evaluate(() => globalThis.crossOriginIsolated), true);
  await page.locator("#strip canvas").nth(1).click();
  await page.click("#threaded-burst");
  await page.waitForFunction(() => document.getElementById("threads-result")!.dataset.identical !== undefined, null, { timeout: 60_000 });
  const text = (await page.textContent("#threads-result"))!;
  assert.match(text, /^2 threads x 40 runs at batch 8: [\d,]+ images\/s together; probabilities bit-identical to the single-thread run/);
  assert.is(await page.locator("#threads-timeline rect.thread-0").count(), 40);
  assert.is(await page.locator("#threads-timeline rect.thread-1").count(), 40);
});

test("the graph and the timeline show devices, reformatters and the layers inside the DLA subgraph", async () => {
  await choose("dla");
  await page.locator("#strip canvas").nth(2).click();
  const dlaSteps = await page.locator('#graph g.step[data-device="dla"]').count();
  const moves = await page.locator("#graph g.move").count();
  assert.is(dlaSteps, 1, "one fused DLA subgraph");
  assert.is(moves, 4, "two reformatters and two copies");
  assert.ok(await page.locator('#timeline g.range[data-device="gpu"]').count() >= 3);
  assert.is(await page.locator('#timeline g.range[data-kind="dla-layer"]').count(), 6);
  await page.click("#burst");
  assert.match((await page.textContent("#burst-result"))!, /500 runs at batch 1: median latency [\d.]+ us/);
  const download = page.waitForEvent("download");
  await page.click("#trace");
  const trace = await download;
  assert.is(trace.suggestedFilename(), "octet-trace.json");
  await page.screenshot({ path: join(ROOT, "build/demo-screenshot.png"), fullPage: true });
});

test("the model chooser lists LeNet and the trained CNNs; the ONNX importer is loaded only when a CNN is chosen", async () => {
  const options = await page.locator("#model option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.equal(options, ["lenet", "resnet-mnist", "mobilenet-mnist", "squeezenet-mnist"]);
  const scripts = await page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name).filter((n) => n.endsWith(".js")));
  assert.not.ok(scripts.some((n) => /\/import-[\w-]+\.js$/.test(n)), `no importer chunk before a CNN is chosen: ${scripts.join(", ")}`);
});

/** join: the layer type where two branches meet (the residual Add; SqueezeNet's Concat). */
const CNNS = [
  // With the DLA, ResNet's and MobileNet's Adds fall back (unequal INT8 input ranges) and show as GPU joins;
  // SqueezeNet's Concats give their inputs the Concat's scale (TensorRT's rule) and stay inside one subgraph.
  { id: "resnet-mnist", join: "eltwise", dlaSubgraphs: 3, gpuJoinsWithDla: 2 },
  { id: "mobilenet-mnist", join: "eltwise", dlaSubgraphs: 3, gpuJoinsWithDla: 2 },
  { id: "squeezenet-mnist", join: "concat", dlaSubgraphs: 1, gpuJoinsWithDla: 0 },
];

for (const c of CNNS) {
  test(`${c.id}: strip digits are recognised, DLA with fallback and a split give bit-identical outputs to GPU INT8, FP32 agrees`, async () => {
    await chooseModel(c.id);
    const strip = page.locator("#strip canvas");
    for (const i of [0, 7, 11, 18]) {
      await choose("gpu-int8");
      await strip.nth(i).click();
      assert.is(await page.getAttribute("#prediction", "data-model"), c.id);
      const label = Number(await strip.nth(i).getAttribute("data-label"));
      assert.is(await prediction(), label, `${c.id} GPU INT8, strip digit ${i}`);
      const [gpu, gpuOut] = [await probs(), await output()];
      const p = gpu.split(",").map(Number);
      assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9 && p[label]! > 0.5, `softmax of the logits: ${gpu}`);
      await choose("dla");
      assert.is(await output(), gpuOut, `${c.id} DLA outputs for strip digit ${i}`);
      assert.is(await probs(), gpu, `${c.id} DLA probabilities for strip digit ${i}`);
      await choose("split");
      assert.is(await probs(), gpu, `${c.id} split probabilities for strip digit ${i}`);
      await choose("gpu-fp32");
      assert.is(await prediction(), label, `${c.id} FP32 prediction for strip digit ${i}`);
    }
  });

  test(`${c.id}: the placement graph is a DAG (where branches join, a node has two incoming edges) with the DLA subgraphs, copies and reformatters`, async () => {
    await chooseModel(c.id);
    await choose("gpu-int8");
    await page.locator("#strip canvas").nth(3).click();
    const gpuJoins = await joinsOf(c.join);
    assert.ok(gpuJoins.length >= 2 && gpuJoins.every((n) => n === 2), `GPU INT8: ${c.join} steps with their incoming edges: ${gpuJoins}`);
    assert.is(await page.locator('#graph g.step[data-device="dla"]').count(), 0);
    await choose("dla");
    const dla = page.locator('#graph g.step[data-device="dla"]');
    assert.is(await dla.count(), c.dlaSubgraphs, "DLA subgraphs");
    if (c.gpuJoinsWithDla > 0) {
      const dlaJoins = await joinsOf(c.join);
      assert.ok(dlaJoins.length >= c.gpuJoinsWithDla && dlaJoins.every((n) => n === 2), `DLA with fallback: ${c.join} steps on the GPU with their incoming edges: ${dlaJoins}`);
    } else {
      const types = await dla.first().getAttribute("data-types");
      assert.match(types!, new RegExp(c.join), `the DLA subgraph holds the ${c.join} layers: ${types}`);
    }
    const ops = await dla.evaluateAll((gs) => gs.reduce((s, g) => s + Number((g as SVGGElement).dataset.ops), 0));
    assert.is(await page.locator('#timeline g.range[data-kind="dla-layer"]').count(), ops, "every layer inside the DLA subgraphs (a ReLU fused into its conv) on the timeline");
    const moves = await page.locator("#graph g.move").count();
    const edges = await page.locator("#graph path.edge").count();
    const nodes = await page.locator("#graph g.step, #graph g.move, #graph g.io").count();
    assert.ok(moves >= 4 * c.dlaSubgraphs, `${moves} reformatters and copies`);
    // With the whole net in one DLA subgraph the DLA graph is a chain of moves around it; the GPU graph above showed the joins.
    if (c.gpuJoinsWithDla > 0) assert.ok(edges > nodes - 1, `${edges} edges over ${nodes} nodes: not a chain`);
    else assert.is(edges, nodes - 1, "one DLA subgraph between its reformatters and copies");
    await page.click("#burst");
    assert.match((await page.textContent("#burst-result"))!, new RegExp(`500 runs at batch 1: median latency [\\d.]+ us.*\\(${c.id}\\)`));
    await page.screenshot({ path: join(ROOT, `build/demo-screenshot-${c.id}.png`), fullPage: true });
  });
}

test("a digit drawn with the mouse is recognised by resnet-mnist, and LeNet comes back as it was", async () => {
  await chooseModel("resnet-mnist");
  await choose("gpu-int8");
  for (const k of [0, 1]) {
    await drawDigit(k);
    assert.is(await prediction(), mnist.labels[k], `drawn test digit ${k}`);
  }
  await chooseModel("lenet");
  await choose("dla");
  await page.locator("#strip canvas").nth(2).click();
  assert.is(await page.getAttribute("#prediction", "data-model"), "lenet");
  assert.is(await page.locator('#graph g.step[data-device="dla"]').count(), 1);
  assert.is(await page.locator("#graph g.move").count(), 4);
  assert.is(await page.locator("#graph path.edge").count(), await page.locator("#graph g.step, #graph g.move, #graph g.io").count() - 1, "LeNet's graph is a chain");
});

test.run();
