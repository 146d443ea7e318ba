// `npm run demo:build`: writes the static demo to demo/dist/ — the page,
// its bundle (the octet library + the demo shell, with the ONNX importer in a
// chunk of its own that the page loads only when a CNN is chosen), the wasm,
// LeNet (octet's format) with its calibration cache and a prebuilt GPU INT8
// plan, the trained CNNs as ONNX files (models/cnn) with a TensorRT-format
// calibration cache each, models.json (the chooser's list) and a strip of
// MNIST test digits. Uses the library as built by `npm install` (build/).
import { build } from "esbuild";
import { mkdirSync, copyFileSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, "demo/dist");

/**
 * The CNNs the page offers besides LeNet (all take MNIST digits). `split` is
 * the split placement's default: DLA up to and including that layer.
 * Calibrated with minmax: entropy calibration costs ResNet 7 points of top-1
 * (0.9219 against 0.9942 with minmax; MobileNet and SqueezeNet lose at most
 * 0.0013 either way), and minmax is what test/e2e/cnn-models.test.ts holds
 * within 0.003 of FP32.
 */
const CNNS = [
  { id: "resnet-mnist", label: "ResNet (2 residual blocks)", split: "/block1/Add" },
  { id: "mobilenet-mnist", label: "MobileNetV2-style (inverted residuals)", split: "/b2/dw/dw.0/Conv" },
  { id: "squeezenet-mnist", label: "SqueezeNet (Fire modules, Concat)", split: "/fire3/Concat" },
];
const CNN_CALIBRATION = "minmax";

export async function buildDemo(out = OUT) {
  const lib = await import(join(ROOT, "build/src/node.js"));
  const { collectStats, scalesFrom, DEFAULT_CALIBRATION } = await import(join(ROOT, "build/src/calib/calibrate.js"));
  mkdirSync(out, { recursive: true });
  rmSync(join(out, "chunks"), { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: { app: join(ROOT, "demo/src/app.ts"), "stream-worker": join(ROOT, "src/streams/stream-worker-browser.ts") },
    outdir: out, entryNames: "[name]", chunkNames: "chunks/[name]-[hash]",
    bundle: true, splitting: true, metafile: true, minify: true, format: "esm", platform: "browser", target: "es2022",
    legalComments: "none", logLevel: "warning",
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(ROOT, "demo", f), join(out, f));
  copyFileSync(join(ROOT, "build/wasm/octet.wasm"), join(out, "octet.wasm"));
  copyFileSync(join(ROOT, "build/wasm/octet.threads.wasm"), join(out, "octet.threads.wasm"));
  copyFileSync(join(ROOT, "build/wasm/octet.relaxed.wasm"), join(out, "octet.relaxed.wasm"));
  copyFileSync(join(ROOT, "models/lenet.json"), join(out, "lenet.json"));
  copyFileSync(join(ROOT, "models/lenet.weights"), join(out, "lenet.weights"));
  const kernels = lib.loadKernels();
  const train = lib.loadMnistTrain();
  const model = lib.loadModel();
  const scales = scalesFrom(collectStats(kernels, model, train, DEFAULT_CALIBRATION), "entropy", 99.99);
  writeFileSync(join(out, "lenet.cache"), lib.writeCalibrationTable("entropy", scales));
  const plan = lib.buildPlan(model, lib.DEFAULT_BUILD, scales, { algorithm: "entropy", source: "calibrated on 500 training images" });
  writeFileSync(join(out, "lenet-gpu-int8.plan"), lib.serializePlan(plan));
  const models = [{ id: "lenet", label: "LeNet (sample_int8's, trained by octet)", format: "octet", split: "conv2", calibration: "entropy" }];
  for (const c of CNNS) {
    const bytes = new Uint8Array(readFileSync(join(ROOT, "models/cnn", `${c.id}.onnx`)));
    writeFileSync(join(out, `${c.id}.onnx`), bytes);
    const cnn = lib.importOnnx(bytes, `${c.id}.onnx`);
    const cnnScales = scalesFrom(collectStats(kernels, cnn, train, DEFAULT_CALIBRATION), CNN_CALIBRATION, DEFAULT_CALIBRATION.percentile);
    writeFileSync(join(out, `${c.id}.cache`), lib.writeCalibrationTable(CNN_CALIBRATION, cnnScales));
    models.push({ ...c, format: "onnx", calibration: CNN_CALIBRATION });
  }
  writeFileSync(join(out, "models.json"), JSON.stringify({ calibrationImages: DEFAULT_CALIBRATION.images, models }, null, 1));
  const test = lib.loadMnistTest();
  const n = 24;
  const digits = new Uint8Array(n * 785);
  digits.set(test.pixels.subarray(0, n * 784));
  digits.set(test.labels.subarray(0, n), n * 784);
  writeFileSync(join(out, "digits.bin"), digits);
  const size = (f) => readFileSync(join(out, f)).length;
  // What the page loads at start (app.js and the chunks it imports statically), and what only a CNN needs (the ONNX importer).
  const outputs = metafile.outputs;
  const initial = new Set();
  const visit = (k) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const i of outputs[k].imports) if (i.kind === "import-statement" && outputs[i.path]) visit(i.path);
  };
  visit(Object.keys(outputs).find((k) => resolve(k) === join(resolve(out), "app.js")));
  const js = Object.keys(outputs).filter((k) => k.endsWith(".js"));
  const bytesOf = (ks) => ks.reduce((s, k) => s + readFileSync(resolve(k)).length, 0);
  return {
    out,
    bytes: {
      js: bytesOf([...initial]), onnxJs: bytesOf(js.filter((k) => !initial.has(k))), wasm: size("octet.wasm"), plan: size("lenet-gpu-int8.plan"),
      onnx: Object.fromEntries(CNNS.map((c) => [c.id, size(`${c.id}.onnx`)])),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { out, bytes } = await buildDemo();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`Wrote ${out}: JS ${kb(bytes.js)} (app.js and the chunk it imports) + octet.wasm ${kb(bytes.wasm)} + plan ${kb(bytes.plan)} (JS + wasm ${kb(bytes.js + bytes.wasm)}); ` +
    `the ONNX importer chunk ${kb(bytes.onnxJs)}, loaded when a CNN is chosen; ${Object.entries(bytes.onnx).map(([id, b]) => `${id}.onnx ${kb(b)}`).join(", ")}`);
}
