// The QDQ models ONNX Runtime's quantize_static made from the project's
// trained nets (models/cnn/*-qdq-{u8,s8}.onnx, provenance.json: uint8
// asymmetric activations with per-tensor weights, and symmetric int8 with
// per-channel weights), run as octet imports them, with the model's own
// scales, zero points and int8 weights, against ONNX Runtime Web running the
// same file, on all 10,000 test images: top-1 the same on at least 99.9% of
// images, and the logits within one output step on at least 99.9% of values,
// none beyond three (a rounding tie decided the other way moves a value by a
// step inside the net, and deeper layers can carry that to two or three at
// the output: each model's count and largest distance are printed). Every stored INT8 tensor
// also equals the scalar reference network (zero points included), and the
// symmetric forms give bit-identical outputs on the GPU and the DLA.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web";
import { loadModel } from "../../src/model/model-node.js";
import { loadMnistTest, defaultMnistDir } from "../../src/data/mnist-node.js";
import { imagesToFloat, type ImageSet } from "../../src/data/dataset.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions, type Plan } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import type { Model } from "../../src/model/model.js";
import { int8Reference } from "../engine/reference-network.js";
import { storedInt8 } from "../engine/stored-tensors.js";

ort.env.wasm.numThreads = 1;
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FASHION = "/usr/share/datasets/fashion-mnist";
const BATCH = 250;
const NETS: [string, string][] = [["lenet", defaultMnistDir()], ["resnet-mnist", defaultMnistDir()], ["mobilenet-mnist", defaultMnistDir()], ["squeezenet-mnist", defaultMnistDir()], ["senet-fashion", FASHION]];

function run(p: Plan, x: Float32Array, images: number, perImage: number): Float32Array {
  const ctx = new ExecutionContext(p, () => loadKernels("release"), BATCH);
  const out = new Float32Array(images * ctx.outputSize);
  for (let s = 0; s < images; s += BATCH) {
    const n = Math.min(BATCH, images - s);
    (ctx.input(n) as Float32Array).set(x.subarray(s * perImage, (s + n) * perImage));
    ctx.enqueue(n);
    out.set(ctx.output(n), s * ctx.outputSize);
  }
  return out;
}

const argmax = (a: Float32Array, i: number, C: number) => {
  let b = 0;
  for (let c = 1; c < C; c++) if (a[i * C + c]! > a[i * C + b]!) b = c;
  return b;
};

const plan = (m: Model, o: Partial<BuildOptions> = {}) => buildPlan(m, { ...DEFAULT_BUILD, ...o }, m.quantization!.scales, { algorithm: "explicit (QDQ)", source: m.quantization!.source });

for (const [net, data] of NETS) {
  if (!existsSync(`${data}/t10k-images-idx3-ubyte.gz`) && !existsSync(`${data}/t10k-images-idx3-ubyte`)) {
    console.log(`  ${net}: its test set ${data} is not installed (Debian's dataset-fashion-mnist); skipped`);
    continue;
  }
  for (const form of ["u8", "s8"]) {
    const file = `${ROOT}models/cnn/${net}-qdq-${form}.onnx`;
    test(`${net}-qdq-${form}: octet INT8 with the model's numbers agrees with ONNX Runtime on the same file over 10,000 images`, async () => {
      const m = loadModel(file);
      const set: ImageSet = loadMnistTest(data);
      const images = set.count, per = 784;
      const x = new Float32Array(images * per);
      imagesToFloat(set, 0, images, x);
      const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
      const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, [images, 1, 28, 28]) });
      const want = r[session.outputNames[0]!]!.data as Float32Array;
      const p = plan(m);
      const got = run(p, x, images, per);
      const C = want.length / images;
      // LeNet ends in a softmax, which octet runs in FP32 while the file quantizes its output:
      // octet's probabilities are put on the file's output grid before comparing.
      const outGrid = m.quantization!.scales.get(p.graph.output);
      const step = p.scales[p.graph.output] ?? outGrid!;
      const onGrid = (v: number) => (p.scales[p.graph.output] === undefined ? Math.round(v / step) * step : v);
      let worst = 0, beyond = 0, agree = 0;
      for (let i = 0; i < got.length; i++) {
        const d = Math.abs(onGrid(got[i]!) - want[i]!) / step;
        worst = Math.max(worst, d);
        if (d > 1.001) beyond++;
      }
      for (let i = 0; i < images; i++) if (argmax(got, i, C) === argmax(want, i, C)) agree++;
      console.log(`  ${net}-qdq-${form}: top-1 the same on ${agree} of ${images} images; ${beyond} of ${got.length} values beyond one step (largest ${worst.toFixed(2)})`);
      assert.ok(agree >= 0.999 * images, `top-1 agrees on ${agree} of ${images}`);
      assert.ok(beyond <= 0.001 * got.length, `${beyond} values beyond one output step`);
      assert.ok(worst <= 3.001, `largest distance ${worst} steps`);

      const N = 3;
      const small = x.subarray(0, N * per);
      const ctx = new ExecutionContext(p, () => loadKernels("debug"), N, { inspectTensors: true });
      (ctx.input(N) as Float32Array).set(small);
      ctx.enqueue(N);
      const ref = int8Reference(m, p.scales, small, N, p.zeroPoints);
      let compared = 0;
      for (const [tensor, q] of ref.int8) {
        if (tensor === m.graph.input.name || !ctx.materialized(tensor)) continue;
        const found = storedInt8(ctx, tensor, N);
        for (let i = 0; i < q.length; i++) if (found[i] !== q[i]) assert.unreachable(`${tensor}: value ${i} is ${found[i]}, the scalar reference gives ${q[i]}`);
        compared++;
      }
      assert.ok(compared >= 5, `${compared} tensors compared`);
      if (form === "s8") {
        const dla = plan(m, { device: "dla" });
        assert.ok(dla.nodes.some((nd) => nd.kind === "compute" && nd.device === "dla"), "symmetric layers run on the DLA");
        const onDla = run(dla, x, 1000, per);
        for (let i = 0; i < onDla.length; i++) if (!Object.is(onDla[i], got[i])) assert.unreachable(`DLA output ${i}: ${onDla[i]}, GPU ${got[i]}`);
      } else {
        const dla = plan(m, { device: "dla" });
        assert.ok(dla.placement.some((pl) => /symmetric quantization only/.test(pl.reason)), "asymmetric layers stay on the GPU, saying why");
      }
    });
  }
}

test.run();
