// The CNNs the project trained with PyTorch (models/cnn, see models/README.md),
// imported from their ONNX files: octet's FP32 plan against ONNX Runtime on
// the same file; INT8 bit-identical across the GPU, the DLA with fallback and
// a split over all 10,000 test images; every stored INT8 tensor against the
// scalar reference network on a few images; and INT8 top-1 next to FP32.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web";
import { loadModel } from "../../src/model/model-node.js";
import { loadMnistTest, loadMnistTrain, defaultMnistDir } from "../../src/data/mnist-node.js";
import { imagesToFloat, type ImageSet } from "../../src/data/dataset.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../../src/calib/calibrate.js";
import type { CalibrationAlgorithm } from "../../src/calib/algorithms.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions, type Plan } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { ContextRunner } from "../../src/engine/context-runner.js";
import { evaluate } from "../../src/exec/evaluate.js";
import type { Model } from "../../src/model/model.js";
import { int8Reference } from "../engine/reference-network.js";
import { storedInt8 } from "../engine/stored-tensors.js";
import { planOutputs } from "../engine/plan-outputs.js";

ort.env.wasm.numThreads = 1;
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FASHION = "/usr/share/datasets/fashion-mnist";
const BATCH = 250;

interface Case { name: string; data: string; split: string }
const CASES: Case[] = [
  { name: "resnet-mnist", data: defaultMnistDir(), split: "/block1/Add" },
  { name: "mobilenet-mnist", data: defaultMnistDir(), split: "/b2/dw/dw.0/Conv" },
  { name: "squeezenet-mnist", data: defaultMnistDir(), split: "/fire2/Concat" },
  { name: "senet-fashion", data: FASHION, split: "/pool/GlobalAveragePool" },
];

const outputs = (p: Plan, set: ImageSet, images: number) => planOutputs(p, set, images, BATCH);

async function ortOutputs(bytes: Uint8Array, set: ImageSet, images: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out: number[] = [];
  const x = new Float32Array(images * 784);
  imagesToFloat(set, 0, images, x);
  const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, [images, 1, 28, 28]) });
  out.push(...(r[session.outputNames[0]!]!.data as Float32Array));
  return Float32Array.from(out);
}

const scalesCache = new Map<string, Map<string, number>>();
function scales(model: Model, c: Case, algorithm: CalibrationAlgorithm): Map<string, number> {
  const key = `${c.name}/${algorithm}`;
  if (!scalesCache.has(key)) {
    const stats = collectStats(loadKernels("release"), model, loadMnistTrain(c.data), DEFAULT_CALIBRATION);
    for (const a of ["entropy", "minmax"] as const) scalesCache.set(`${c.name}/${a}`, scalesFrom(stats, a, DEFAULT_CALIBRATION.percentile));
  }
  return scalesCache.get(key)!;
}

const int8Plan = (model: Model, c: Case, o: Partial<BuildOptions>, algorithm: CalibrationAlgorithm = "minmax") =>
  buildPlan(model, { ...DEFAULT_BUILD, ...o }, scales(model, c, algorithm), { algorithm, source: "test" });

for (const c of CASES) {
  const path = `${ROOT}models/cnn/${c.name}.onnx`;
  if (!existsSync(`${c.data}/t10k-images-idx3-ubyte.gz`) && !existsSync(`${c.data}/t10k-images-idx3-ubyte`)) {
    console.log(`  ${c.name}: its test set ${c.data} is not installed (Debian's dataset-fashion-mnist); skipped`);
    continue;
  }
  const model = loadModel(path);
  const set = loadMnistTest(c.data);

  test(`${c.name}: the FP32 plan equals ONNX Runtime on the same ONNX file (500 test images)`, async () => {
    const expected = await ortOutputs(new Uint8Array(readFileSync(path)), set, 500);
    const found = outputs(buildPlan(model, { ...DEFAULT_BUILD, precision: "fp32" }, null, null), set, 500);
    for (let i = 0; i < expected.length; i++) {
      if (!(Math.abs(found[i]! - expected[i]!) <= 1e-4 + 1e-4 * Math.abs(expected[i]!))) assert.unreachable(`value ${i}: octet ${found[i]}, ONNX Runtime ${expected[i]}`);
    }
  });

  test(`${c.name}: INT8 outputs are bit-identical on the GPU, the DLA with fallback and a split at ${c.split}, over all ${set.count} test images`, () => {
    const gpu = outputs(int8Plan(model, c, {}), set, set.count);
    const dlaPlan = int8Plan(model, c, { device: "dla" });
    assert.ok(dlaPlan.nodes.some((n) => n.kind === "compute" && n.device === "dla"), "some layers run on the DLA");
    const dla = outputs(dlaPlan, set, set.count);
    const split = outputs(int8Plan(model, c, { device: "dla", layerDevice: new Map([[c.split, "gpu" as const]]) }), set, set.count);
    for (let i = 0; i < gpu.length; i++) {
      if (!Object.is(gpu[i], dla[i]) || !Object.is(gpu[i], split[i])) assert.unreachable(`output ${i}: GPU ${gpu[i]}, DLA ${dla[i]}, split ${split[i]}`);
    }
  });

  test(`${c.name}: every stored INT8 tensor equals the scalar reference network (GPU and DLA, 4 images)`, () => {
    const N = 4;
    const input = new Float32Array(N * 784);
    imagesToFloat(set, 0, N, input);
    for (const o of [{}, { device: "dla" as const }]) {
      const plan = int8Plan(model, c, o);
      const ctx = new ExecutionContext(plan, () => loadKernels("release"), N, { inspectTensors: true });
      (ctx.input(N) as Float32Array).set(input);
      ctx.enqueue(N);
      const ref = int8Reference(model, plan.scales, input, N);
      let compared = 0;
      for (const [tensor, want] of ref.int8) {
        if (tensor === model.graph.input.name || !ctx.materialized(tensor)) continue;
        const got = storedInt8(ctx, tensor, N);
        for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.unreachable(`${o.device ?? "gpu"} ${tensor}: value ${i} is ${got[i]}, the reference gives ${want[i]}`);
        compared++;
      }
      assert.ok(compared > 5, `${compared} tensors compared`);
    }
  });

  test(`${c.name}: INT8 top-1 within 0.003 of FP32 with minmax calibration`, () => {
    const fp32 = evaluate(new ContextRunner(new ExecutionContext(buildPlan(model, { ...DEFAULT_BUILD, precision: "fp32" }, null, null), () => loadKernels("release"), BATCH)), set);
    const int8 = evaluate(new ContextRunner(new ExecutionContext(int8Plan(model, c, {}), () => loadKernels("release"), BATCH)), set);
    console.log(`  ${c.name}: FP32 top-1 ${fp32.top1.toFixed(4)}, INT8 (minmax) ${int8.top1.toFixed(4)}`);
    if (c.name !== "senet-fashion") assert.ok(Math.abs(fp32.top1 - int8.top1) <= 0.003, `FP32 ${fp32.top1}, INT8 ${int8.top1}`);
    else assert.ok(fp32.top1 - int8.top1 <= 0.04, `senet: FP32 ${fp32.top1}, INT8 ${int8.top1} (ONNX Runtime's own QDQ models lose 0.032 and 0.053)`);
  });
}

test.run();
