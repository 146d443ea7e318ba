// `npm run demo:build`: writes the static demo to demo/dist/ — the page,
// its bundle (the octet library + the demo shell), the wasm, the model, a
// calibration cache, a prebuilt GPU INT8 plan and a strip of MNIST digits.
// Uses the library as built by `npm install` (build/).
import { build } from "esbuild";
import { mkdirSync, copyFileSync, writeFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, "demo/dist");

export async function buildDemo(out = OUT) {
  const lib = await import(join(ROOT, "build/src/node.js"));
  const { collectStats, scalesFrom, DEFAULT_CALIBRATION } = await import(join(ROOT, "build/src/calib/calibrate.js"));
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "demo/src/app.ts")], outfile: join(out, "app.js"),
    bundle: true, minify: true, format: "esm", platform: "browser", target: "es2022", legalComments: "none", logLevel: "warning",
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(ROOT, "demo", f), join(out, f));
  copyFileSync(join(ROOT, "build/wasm/octet.wasm"), join(out, "octet.wasm"));
  copyFileSync(join(ROOT, "models/lenet.json"), join(out, "lenet.json"));
  copyFileSync(join(ROOT, "models/lenet.weights"), join(out, "lenet.weights"));
  const model = lib.loadModel();
  const scales = scalesFrom(collectStats(lib.loadKernels(), model, lib.loadMnistTrain(), DEFAULT_CALIBRATION), "entropy", 99.99);
  writeFileSync(join(out, "lenet.cache"), lib.writeCalibrationTable("entropy", scales));
  const plan = lib.buildPlan(model, lib.DEFAULT_BUILD, scales, { algorithm: "entropy", source: "calibrated on 500 training images" });
  writeFileSync(join(out, "lenet-gpu-int8.plan"), lib.serializePlan(plan));
  const test = lib.loadMnistTest();
  const n = 24;
  const digits = new Uint8Array(n * 785);
  digits.set(test.pixels.subarray(0, n * 784));
  digits.set(test.labels.subarray(0, n), n * 784);
  writeFileSync(join(out, "digits.bin"), digits);
  const size = (f) => readFileSync(join(out, f)).length;
  return { out, bytes: { js: size("app.js"), wasm: size("octet.wasm"), plan: size("lenet-gpu-int8.plan") } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { out, bytes } = await buildDemo();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`Wrote ${out}: app.js ${kb(bytes.js)} + octet.wasm ${kb(bytes.wasm)} + plan ${kb(bytes.plan)} (JS + wasm ${kb(bytes.js + bytes.wasm)})`);
}
