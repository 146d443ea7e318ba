// octet against its peers on the same LeNet weights (exported to ONNX by
// octet) and the same 10,000 MNIST test images, one thread each:
// onnxruntime-web (wasm) FP32 and QDQ INT8, TensorFlow.js wasm FP32, and
// native onnxruntime-node INT8 and FP32 as the ceiling. The peers live in
// their own package, bench/peers/, installed by `npm run bench:peers`.
// Then the four trained CNNs (bench/cnn.ts): octet INT8 (GPU placement, and
// DLA + fallback for the ResNet) and FP32 against ONNX Runtime Web on the same
// ONNX file in FP32 and in its two QDQ forms (u8 asymmetric, s8 symmetric),
// on the model's own test images (MNIST, Fashion-MNIST for the SENet).
// `npm run bench -- peers [lenet|cnn|<model>]` runs a part.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadModel, loadMnistTest, exportOnnx } from "../src/node.js";
import { imagesToFloat, type Plan } from "../src/index.js";
import { interleave, speedup, type Contender, type Timing } from "./harness.js";
import { tfjsLenet } from "./tfjs-lenet.js";
import { lenetPlans, octetContender } from "./e2e.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import { loadKernels, loadMnistTrain } from "../src/node.js";
import { availableCnns, cnnBuild, cnnFile, octetCnnContender, octetTop1, wants, fmtInt, ROUNDS, SLICE_MS, TOP1_IMAGES } from "./cnn.js";

export const PEERS_DIR = fileURLToPath(new URL("../../bench/peers/", import.meta.url));

export function peersInstalled(): boolean {
  return existsSync(join(PEERS_DIR, "node_modules", "onnxruntime-web")) && existsSync(join(PEERS_DIR, "native", "node_modules", "onnxruntime-node"));
}

export async function importPeer(name: string, dir = PEERS_DIR): Promise<any> {
  const require = createRequire(join(dir, "package.json"));
  return import(pathToFileURL(require.resolve(name)).href);
}

export function peerDir(name: string): string {
  return join(PEERS_DIR, "node_modules", name);
}

/** All 10,000 test images as FP32 NCHW, so input preparation is never timed. */
export function allImages(): Float32Array {
  const test = loadMnistTest();
  const x = new Float32Array(test.count * 784);
  imagesToFloat(test, 0, test.count, x);
  return x;
}

export interface Peer {
  name: string;
  /** Runs a batch (NCHW FP32) and returns class scores [batch, 10]. */
  run(x: Float32Array, batch: number): Promise<Float32Array> | Float32Array;
}

export async function ortPeer(mod: any, name: string, bytes: Uint8Array, options: object): Promise<Peer> {
  const session = await mod.InferenceSession.create(bytes, options);
  const input = session.inputNames[0], output = session.outputNames[0];
  return {
    name,
    async run(x, batch) {
      const r = await session.run({ [input]: new mod.Tensor("float32", x, [batch, 1, 28, 28]) });
      return r[output].data as Float32Array;
    },
  };
}

/** TF.js's wasm backend; `threads` is set once per process, before the backend starts (what it really got: getThreadsCount). */
export async function tfjsPeer(threads = 1): Promise<Peer & { threads: number }> {
  const tf = await importPeer("@tensorflow/tfjs-core");
  const wasm = await importPeer("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(join(peerDir("@tensorflow/tfjs-backend-wasm"), "dist") + "/");
  wasm.setThreadsCount?.(threads);
  await tf.setBackend("wasm");
  await tf.ready();
  const got = wasm.getThreadsCount?.() ?? 1;
  const run = tfjsLenet(tf, loadModel());
  return {
    name: "TF.js wasm FP32",
    threads: got,
    run,
  };
}

export interface PeerRow {
  name: string;
  batch: number;
  imagesPerSecond: number;
  medianLatencyUs: number;
  top1: number | null;
  cpuPerWall: number;
}

export interface PeerRatio {
  octet: string;
  peer: string;
  batch: number;
  ratio: number;
}

async function accuracy(peer: Peer, images: Float32Array, labels: Uint8Array): Promise<number> {
  let correct = 0;
  for (let s = 0; s < labels.length; s += 500) {
    const n = Math.min(500, labels.length - s);
    const out = await peer.run(images.subarray(s * 784, (s + n) * 784), n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (out[i * 10 + c]! > out[i * 10 + best]!) best = c;
      if (best === labels[s + i]) correct++;
    }
  }
  return correct / labels.length;
}

export function cycling(name: string, batch: number, images: Float32Array, run: (x: Float32Array) => unknown): Contender {
  let at = 0;
  const count = images.length / 784;
  return {
    name, images: batch,
    call: () => {
      if (at + batch > count) at = 0;
      const x = images.subarray(at * 784, (at + batch) * 784);
      at += batch;
      return run(x);
    },
  };
}

export interface CnnPeerRow extends PeerRow {
  model: string;
}

export interface CnnSummary {
  model: string;
  batch: number;
  octetInt8: number;
  /** The faster of ORT Web's u8 and s8 QDQ models at this batch. */
  ortWebInt8: string;
  ortWebInt8ImagesPerSecond: number;
  /** octet INT8 (GPU) / ORT Web INT8 (the faster QDQ form): median of per-round ratios. */
  ratio: number;
  /** The target of issue 15 (>= 2x at batch 32). */
  meetsTarget: boolean | null;
}

export interface PeersResult {
  rows: PeerRow[];
  ratios: PeerRatio[];
  cnn: { rows: CnnPeerRow[]; ratios: (PeerRatio & { model: string })[]; summary: CnnSummary[] };
}

const ORT_U8 = "ORT Web INT8 (QDQ u8)", ORT_S8 = "ORT Web INT8 (QDQ s8)", ORT_FP32 = "ORT Web FP32";

async function runCnnPeers(ortWeb: any, filter: string): Promise<PeersResult["cnn"]> {
  const web = { executionProviders: ["wasm"] };
  const rows: CnnPeerRow[] = [];
  const ratios: (PeerRatio & { model: string })[] = [];
  const summary: CnnSummary[] = [];
  for (const c of availableCnns(filter)) {
    const b = cnnBuild(c);
    const peers: Peer[] = [
      await ortPeer(ortWeb, ORT_FP32, new Uint8Array(readFileSync(cnnFile(c.name))), web),
      await ortPeer(ortWeb, ORT_U8, new Uint8Array(readFileSync(cnnFile(c.name, "-qdq-u8"))), web),
      await ortPeer(ortWeb, ORT_S8, new Uint8Array(readFileSync(cnnFile(c.name, "-qdq-s8"))), web),
    ];
    const n = Math.min(TOP1_IMAGES, b.test.count);
    const top1 = new Map<string, number>();
    for (const p of b.plans) top1.set(`octet ${p.name}`, octetTop1(p.plan, b.test, n));
    for (const p of peers) top1.set(p.name, await accuracy(p, b.images.subarray(0, n * 784), b.test.labels.subarray(0, n)));
    for (const batch of [1, 32]) {
      const contenders: Contender[] = [
        ...b.plans.map((p) => octetCnnContender(`octet ${p.name}`, p.plan, batch, b.images)),
        ...peers.map((p) => cycling(p.name, batch, b.images, (x) => p.run(x, batch))),
      ];
      const t = await interleave(contenders, ROUNDS, SLICE_MS);
      const by = new Map<string, Timing>(t.map((x) => [x.name, x]));
      for (const x of t) rows.push({ model: c.name, name: x.name, batch, imagesPerSecond: x.imagesPerSecond, medianLatencyUs: x.medianMs * 1000, top1: top1.get(x.name) ?? null, cpuPerWall: x.cpuPerWall });
      const best = by.get(ORT_U8)!.imagesPerSecond >= by.get(ORT_S8)!.imagesPerSecond ? ORT_U8 : ORT_S8;
      const pairs: [string, string][] = [
        ["octet INT8 gpu", ORT_U8], ["octet INT8 gpu", ORT_S8], ["octet INT8 gpu", ORT_FP32], ["octet FP32 gpu", ORT_FP32],
        ...(c.dla ? [["octet INT8 dla+fallback", ORT_U8], ["octet INT8 dla+fallback", ORT_S8]] as [string, string][] : []),
      ];
      for (const [a, p] of pairs) ratios.push({ model: c.name, octet: a, peer: p, batch, ratio: speedup(by.get(p)!, by.get(a)!) });
      const ratio = speedup(by.get(best)!, by.get("octet INT8 gpu")!);
      summary.push({
        model: c.name, batch, octetInt8: by.get("octet INT8 gpu")!.imagesPerSecond, ortWebInt8: best, ortWebInt8ImagesPerSecond: by.get(best)!.imagesPerSecond,
        ratio, meetsTarget: batch === 32 ? ratio >= 2 : null,
      });
    }
  }
  if (rows.length === 0) return { rows, ratios, summary };
  console.log(`Trained CNNs vs ONNX Runtime Web (one thread each; median of ${ROUNDS} interleaved rounds; same ONNX file, the model's test images; top-1 on ${fmtInt(Math.min(TOP1_IMAGES, 10_000))} test images):`);
  for (const r of rows) {
    console.log(`  ${`${r.model} ${r.name} b${r.batch}`.padEnd(48)} ${fmtInt(r.imagesPerSecond).padStart(8)} images/s  median ${r.medianLatencyUs.toFixed(1).padStart(8)} us/batch  cpu/wall ${r.cpuPerWall.toFixed(2)}${r.top1 !== null ? `  top-1 ${r.top1.toFixed(4)}` : ""}`);
  }
  for (const r of ratios) console.log(`  ${r.model} ${r.octet} b${r.batch} vs ${r.peer}: ${r.ratio.toFixed(2)}x`);
  console.log("octet INT8 (GPU placement) / ORT Web INT8 (the faster of QDQ u8 and s8); target >= 2x at batch 32:");
  for (const s of summary) {
    console.log(`  ${s.model.padEnd(18)} b${String(s.batch).padEnd(3)} ${fmtInt(s.octetInt8).padStart(7)} vs ${fmtInt(s.ortWebInt8ImagesPerSecond).padStart(7)} images/s (${s.ortWebInt8.replace("ORT Web INT8 (QDQ ", "QDQ ").replace(")", "")}): ${s.ratio.toFixed(2)}x${s.meetsTarget === null ? "" : s.meetsTarget ? "  target met" : "  TARGET MISSED"}`);
  }
  return { rows, ratios, summary };
}

export async function runPeers(filter = ""): Promise<PeersResult> {
  if (!peersInstalled()) {
    console.log("peers: not installed; run `npm run bench:peers` (installs bench/peers/ and runs this suite)");
    return { rows: [], ratios: [], cnn: { rows: [], ratios: [], summary: [] } };
  }
  const ortWeb = await importPeer("onnxruntime-web");
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = join(peerDir("onnxruntime-web"), "dist") + "/";
  const lenet = wants(filter, "lenet") ? await runLenetPeers(ortWeb) : { rows: [], ratios: [] };
  const cnn = await runCnnPeers(ortWeb, filter);
  return { ...lenet, cnn };
}

async function runLenetPeers(ortWeb: any): Promise<{ rows: PeerRow[]; ratios: PeerRatio[] }> {
  const model = loadModel();
  const scales = scalesFrom(collectStats(loadKernels(), model, loadMnistTrain(), DEFAULT_CALIBRATION), "entropy", 99.99);
  const fp32Onnx = exportOnnx(model), qdqOnnx = exportOnnx(model, { scales });
  const ortNode = await importPeer("onnxruntime-node", join(PEERS_DIR, "native"));
  // onnxruntime-node lives in bench/peers/native with its own onnxruntime-common:
  // sharing one with onnxruntime-web would mix their backend registries.
  const web = { executionProviders: ["wasm"] };
  const single = { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" };
  const peers: Peer[] = [
    await ortPeer(ortWeb, "ORT Web INT8 (QDQ)", qdqOnnx, web),
    await ortPeer(ortWeb, "ORT Web FP32", fp32Onnx, web),
    await tfjsPeer(),
    await ortPeer(ortNode, "ORT native INT8 (QDQ)", qdqOnnx, single),
    await ortPeer(ortNode, "ORT native FP32", fp32Onnx, single),
  ];
  const images = allImages();
  const labels = loadMnistTest().labels;
  const top1 = new Map<string, number>();
  for (const p of peers) top1.set(p.name, await accuracy(p, images, labels));
  const plans: { name: string; plan: Plan }[] = lenetPlans().map((p) => ({ name: `octet ${p.name}`, plan: p.plan }));
  const rows: PeerRow[] = [];
  const ratios: PeerRatio[] = [];
  for (const batch of [1, 32]) {
    const octet = plans.map((p) => {
      const c = octetContender(`${p.name}`, p.plan, batch);
      return c;
    });
    const contenders: Contender[] = [...octet, ...peers.map((p) => cycling(p.name, batch, images, (x) => p.run(x, batch)))];
    const t = await interleave(contenders, ROUNDS, SLICE_MS);
    const by = new Map<string, Timing>(t.map((x) => [x.name, x]));
    for (const x of t) rows.push({ name: x.name, batch, imagesPerSecond: x.imagesPerSecond, medianLatencyUs: x.medianMs * 1000, top1: top1.get(x.name) ?? null, cpuPerWall: x.cpuPerWall });
    const pairs: [string, string][] = [
      ["octet INT8 gpu", "ORT Web INT8 (QDQ)"], ["octet INT8 gpu", "ORT Web FP32"], ["octet FP32 gpu", "ORT Web FP32"],
      ["octet FP32 gpu", "TF.js wasm FP32"], ["octet INT8 gpu", "ORT native INT8 (QDQ)"], ["octet INT8 dla+fallback", "ORT Web INT8 (QDQ)"],
    ];
    for (const [a, b] of pairs) ratios.push({ octet: a, peer: b, batch, ratio: speedup(by.get(b)!, by.get(a)!) });
  }
  console.log(`LeNet vs peers (one thread each; median of ${ROUNDS} interleaved rounds; same weights, MNIST test images):`);
  for (const r of rows) {
    console.log(`  ${`${r.name} b${r.batch}`.padEnd(30)} ${Math.round(r.imagesPerSecond).toLocaleString("en-US").padStart(8)} images/s  median ${r.medianLatencyUs.toFixed(1).padStart(8)} us/batch  cpu/wall ${r.cpuPerWall.toFixed(2)}${r.top1 !== null ? `  top-1 ${r.top1.toFixed(4)}` : ""}`);
  }
  for (const r of ratios) console.log(`  ${r.octet} b${r.batch} vs ${r.peer}: ${r.ratio.toFixed(2)}x`);
  return { rows, ratios };
}
