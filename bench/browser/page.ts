// The browser peer bench's page (bundled by bench/browser-peers.ts, run in
// Chromium): LeNet on the same weights and MNIST test images, one thread
// each, in the page's main thread: octet INT8 and FP32 (the kernels the
// start-up probe picks), ONNX Runtime Web wasm (QDQ INT8 and FP32 ONNX files
// octet exported), TF.js wasm FP32, and LiteRT.js (XNNPACK's int8 kernels) on
// the INT8 .tflite octet exported (`octet export --tflite`, one file per
// batch: TFLite shapes are static). Interleaved rounds (bench/harness.ts);
// top-1 over the test images; the result goes to window.__benchResult.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as ort from "onnxruntime-web/wasm";
import * as tf from "@tensorflow/tfjs-core";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";
import * as litert from "@litertjs/core";
import {
  chooseKernelFactory, deserializePlan, ExecutionContext, ContextRunner, parseGraph, decodeWeights, assembleModel, imagesToFloat,
  type ImageSet, type KernelFactory,
} from "../../src/index.js";
import { interleave, speedup, type Contender, type Timing } from "../harness.js";
import { tfjsLenet } from "../tfjs-lenet.js";

interface Config { batches: number[]; rounds: number; sliceMs: number; top1Images: number }

interface Peer { name: string; batchFiles?: boolean; run(x: Float32Array, batch: number): Promise<Float32Array> | Float32Array }

const get = async (url: string) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};
const text = async (url: string) => new TextDecoder().decode(await get(url));
const log = (s: string) => console.log(s);

function octetPeer(name: string, kernels: KernelFactory, planBytes: Uint8Array): Peer {
  const plan = deserializePlan(planBytes, name);
  const runners = new Map<number, ContextRunner>();
  return {
    name,
    run(x, batch) {
      let r = runners.get(batch);
      if (!r) runners.set(batch, (r = new ContextRunner(new ExecutionContext(plan, kernels, batch))));
      r.input(batch).set(x);
      r.run(batch);
      return r.output(batch);
    },
  };
}

async function ortPeer(name: string, bytes: Uint8Array): Promise<Peer> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const input = session.inputNames[0]!, output = session.outputNames[0]!;
  return {
    name,
    async run(x, batch) {
      const r = await session.run({ [input]: new ort.Tensor("float32", x, [batch, 1, 28, 28]) });
      return r[output]!.data as Float32Array;
    },
  };
}

/** LiteRT.js on the CPU (its wasm accelerator, XNNPACK), one compiled model per batch. */
async function litertPeer(files: Map<number, Uint8Array>): Promise<Peer> {
  await litert.loadLiteRt("litert/");
  const models = new Map<number, any>();
  for (const [batch, bytes] of files) models.set(batch, await litert.loadAndCompile(bytes, { accelerator: "wasm", cpuOptions: { numThreads: 1 } }));
  return {
    name: "LiteRT.js INT8 (.tflite)",
    async run(x, batch) {
      const model = models.get(batch)!;
      // The file's input is NHWC [N, 28, 28, 1]: with one channel, the same bytes as NCHW.
      const t = new litert.Tensor(x, [batch, 28, 28, 1]);
      const out = await model.run(t);
      t.delete();
      const probs = Float32Array.from(out[0].toTypedArray() as Float32Array);
      for (const o of out) o.delete();
      return probs;
    },
  };
}

async function top1(peer: Peer, set: ImageSet, images: Float32Array, n: number, batch: number): Promise<number> {
  let correct = 0;
  for (let s = 0; s + batch <= n; s += batch) {
    const out = await peer.run(images.subarray(s * 784, (s + batch) * 784), batch);
    for (let i = 0; i < batch; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (out[i * 10 + c]! > out[i * 10 + best]!) best = c;
      if (best === set.labels[s + i]) correct++;
    }
  }
  return correct / (Math.floor(n / batch) * batch);
}

async function main(): Promise<void> {
  const config = JSON.parse(await text("config.json")) as Config;
  const pixels = await get("images.bin"), labels = await get("labels.bin");
  const set: ImageSet = { count: labels.length, rows: 28, cols: 28, pixels, labels };
  const images = new Float32Array(set.count * 784);
  imagesToFloat(set, 0, set.count, images);

  const { factory, choice } = await chooseKernelFactory(await get("octet.wasm"), () => get("octet.relaxed.wasm"));
  log(`octet kernels: ${choice.reason}`);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL("ort/", location.href).href;
  tfWasm.setWasmPaths(new URL("tfjs/", location.href).href);
  await tf.setBackend("wasm");
  await tf.ready();
  const model = assembleModel(parseGraph(await text("lenet.json"), "lenet.json"), decodeWeights(await get("lenet.weights"), "lenet.weights"), "lenet.weights");
  const tflite = new Map<number, Uint8Array>();
  for (const b of config.batches) tflite.set(b, await get(`lenet-int8-b${b}.tflite`));
  const peers: Peer[] = [
    octetPeer("octet INT8 gpu", factory, await get("lenet-int8-gpu.plan")),
    octetPeer("octet FP32 gpu", factory, await get("lenet-fp32-gpu.plan")),
    await ortPeer("ORT Web INT8 (QDQ)", await get("lenet-qdq.onnx")),
    await ortPeer("ORT Web FP32", await get("lenet-fp32.onnx")),
    { name: "TF.js wasm FP32", run: tfjsLenet(tf, model) },
    await litertPeer(tflite),
  ];
  const accuracy: Record<string, number> = {};
  for (const p of peers) {
    // The largest batch the bench uses: LiteRT's files have no other.
    accuracy[p.name] = await top1(p, set, images, Math.min(config.top1Images, set.count), Math.max(...config.batches));
    log(`top-1 ${p.name}: ${accuracy[p.name]!.toFixed(4)}`);
  }
  const rows: { name: string; batch: number; imagesPerSecond: number; medianLatencyUs: number; top1: number }[] = [];
  const ratios: { octet: string; peer: string; batch: number; ratio: number }[] = [];
  for (const batch of config.batches) {
    const contenders: Contender[] = peers.map((p) => {
      let at = 0;
      return {
        name: p.name, images: batch,
        call: () => {
          if (at + batch > set.count) at = 0;
          const x = images.subarray(at * 784, (at + batch) * 784);
          at += batch;
          return p.run(x, batch);
        },
      };
    });
    const t = await interleave(contenders, config.rounds, config.sliceMs);
    const by = new Map<string, Timing>(t.map((x) => [x.name, x]));
    for (const x of t) rows.push({ name: x.name, batch, imagesPerSecond: x.imagesPerSecond, medianLatencyUs: x.medianMs * 1000, top1: accuracy[x.name]! });
    const pairs: [string, string][] = [
      ["octet INT8 gpu", "ORT Web INT8 (QDQ)"], ["octet INT8 gpu", "LiteRT.js INT8 (.tflite)"], ["octet INT8 gpu", "ORT Web FP32"],
      ["octet FP32 gpu", "ORT Web FP32"], ["octet FP32 gpu", "TF.js wasm FP32"],
    ];
    for (const [a, b] of pairs) ratios.push({ octet: a, peer: b, batch, ratio: speedup(by.get(b)!, by.get(a)!) });
    log(`batch ${batch} done`);
  }
  (globalThis as any).__benchResult = { userAgent: navigator.userAgent, octetKernels: choice.reason, rows, ratios };
}

main().catch((e) => {
  (globalThis as any).__benchResult = { error: String((e as Error)?.stack ?? e) };
});
