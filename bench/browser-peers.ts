// `npm run bench -- browser`: the peer bench in Chromium (the one the browser
// tests drive, test/browser/chromium.ts). Writes what the page needs into a
// temporary folder (octet's LeNet plans, the ONNX and .tflite files octet
// exports from the same weights and scales, the peers' wasm, the MNIST test
// set), bundles bench/browser/page.ts, serves the folder cross-origin
// isolated, and prints the page's table: images/s and median latency per
// batch, top-1, and octet's speed over each peer (medians of per-round
// ratios). The peers come from bench/peers/ (`npm run bench:peers`).
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { loadModel, loadMnistTest, loadMnistTrain, loadKernels, exportOnnx } from "../src/node.js";
import { buildPlan, DEFAULT_BUILD, serializePlan } from "../src/index.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import { exportTflite } from "../src/tflite/export.js";
import { launchChromium } from "../test/browser/chromium.js";
import { PEERS_DIR, peerDir } from "./peers.js";
import { ROUNDS, SLICE_MS, fmtInt } from "./cnn.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BATCHES = [1, 32];
const TOP1_IMAGES = Number(process.env.OCTET_BENCH_TOP1_IMAGES ?? 10_000);

export interface BrowserPeersResult {
  userAgent: string;
  octetKernels: string;
  rows: { name: string; batch: number; imagesPerSecond: number; medianLatencyUs: number; top1: number }[];
  ratios: { octet: string; peer: string; batch: number; ratio: number }[];
}

function missingPeers(): string | undefined {
  const need = [peerDir("@litertjs/core"), peerDir("@tensorflow/tfjs-backend-wasm"), peerDir("onnxruntime-web")];
  const gone = need.filter((d) => !existsSync(d));
  return gone.length ? `not installed (${gone.map((d) => d.replace(ROOT, "")).join(", ")}); run \`npm run bench:peers\` first` : undefined;
}

/** The folder the page is served from. */
function stage(): string {
  const dir = mkdtempSync(join(tmpdir(), "octet-browser-peers-"));
  const model = loadModel();
  const scales = scalesFrom(collectStats(loadKernels(), model, loadMnistTrain(), DEFAULT_CALIBRATION), "entropy", 99.99);
  const plan = (precision: "int8" | "fp32") => serializePlan(buildPlan(model, { ...DEFAULT_BUILD, precision }, precision === "fp32" ? null : scales, { algorithm: "entropy", source: "bench" }));
  writeFileSync(join(dir, "lenet-int8-gpu.plan"), plan("int8"));
  writeFileSync(join(dir, "lenet-fp32-gpu.plan"), plan("fp32"));
  writeFileSync(join(dir, "lenet-fp32.onnx"), exportOnnx(model));
  writeFileSync(join(dir, "lenet-qdq.onnx"), exportOnnx(model, { scales }));
  for (const b of BATCHES) writeFileSync(join(dir, `lenet-int8-b${b}.tflite`), exportTflite(model, { scales, batch: b }));
  copyFileSync(join(ROOT, "models/lenet.json"), join(dir, "lenet.json"));
  copyFileSync(join(ROOT, "models/lenet.weights"), join(dir, "lenet.weights"));
  for (const f of ["octet.wasm", "octet.relaxed.wasm"]) copyFileSync(join(ROOT, "build/wasm", f), join(dir, f));
  const test = loadMnistTest();
  writeFileSync(join(dir, "images.bin"), test.pixels);
  writeFileSync(join(dir, "labels.bin"), test.labels);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ batches: BATCHES, rounds: ROUNDS, sliceMs: SLICE_MS, top1Images: TOP1_IMAGES }));
  mkdirSync(join(dir, "ort"));
  for (const f of ["ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"]) copyFileSync(join(peerDir("onnxruntime-web"), "dist", f), join(dir, "ort", f));
  mkdirSync(join(dir, "tfjs"));
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]) copyFileSync(join(peerDir("@tensorflow/tfjs-backend-wasm"), "dist", f), join(dir, "tfjs", f));
  cpSync(join(peerDir("@litertjs/core"), "wasm"), join(dir, "litert"), { recursive: true });
  writeFileSync(join(dir, "index.html"), '<!doctype html><meta charset="utf-8"><title>octet browser peers</title><script type="module" src="page.js"></script>\n');
  return dir;
}

export async function runBrowserPeers(): Promise<BrowserPeersResult | { skipped: string }> {
  const missing = missingPeers();
  if (missing) {
    console.log(`browser peers: ${missing}`);
    return { skipped: missing };
  }
  const dir = stage();
  await build({
    entryPoints: [join(ROOT, "bench/browser/page.ts")], outfile: join(dir, "page.js"), bundle: true, format: "esm", platform: "browser",
    target: "es2022", nodePaths: [join(PEERS_DIR, "node_modules")], logLevel: "warning",
  });
  const { serve } = await import(pathToFileURL(join(ROOT, "demo/serve.mjs")).href) as { serve(dir: string, port: number): Promise<{ url: string; close(): Promise<void> }> };
  const server = await serve(dir, 0);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on("console", (m) => console.log(`  [page] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`  [page error] ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { __benchResult?: unknown }).__benchResult !== undefined, null, { timeout: 20 * 60_000, polling: 1000 });
    const r = await page.evaluate(() => (globalThis as { __benchResult?: unknown }).__benchResult) as BrowserPeersResult & { error?: string };
    if (r.error) throw new Error(`the browser peer bench failed in the page: ${r.error}`);
    print(r);
    return r;
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: BrowserPeersResult): void {
  console.log(`LeNet vs peers in Chromium (${r.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? r.userAgent}; page main thread, one thread each; median of ${ROUNDS} interleaved rounds; same weights and scales, MNIST test images):`);
  console.log(`  octet kernels: ${r.octetKernels}`);
  for (const x of r.rows) {
    console.log(`  ${`${x.name} b${x.batch}`.padEnd(32)} ${fmtInt(x.imagesPerSecond).padStart(8)} images/s  median ${x.medianLatencyUs.toFixed(1).padStart(8)} us/batch  top-1 ${x.top1.toFixed(4)}`);
  }
  for (const x of r.ratios) console.log(`  ${x.octet} b${x.batch} vs ${x.peer}: ${x.ratio.toFixed(2)}x`);
}
