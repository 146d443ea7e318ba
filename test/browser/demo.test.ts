// The browser demo in real Chromium (driven by playwright-core; see chromium.ts):
// draw MNIST test digits with the mouse, pick digits from the strip, switch
// placements, and check predictions, bit-identical INT8 results and the
// timeline. Saves a screenshot to build/demo-screenshot.png.
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

async function choose(placement: string): Promise<void> {
  await page.check(`input[name=placement][value=${placement}]`);
  await page.waitForFunction((p) => document.querySelector(`#graph svg`) !== null && (document.querySelector(`input[value=${p}]`) as HTMLInputElement).checked, placement);
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

test.run();
