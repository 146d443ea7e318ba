// The relaxed-SIMD build (octet.relaxed.wasm) against independent oracles:
// its probe instruction against the spec's sums, its fully connected
// kernels against the scalar reference (fc-cases.ts), and whole networks
// (LeNet's GPU and DLA plans, the trained MobileNet) bit for bit against the
// SIMD128 build, which is itself checked against the reference and ONNX
// Runtime elsewhere. Needs an engine with working relaxed SIMD: relaxed.test.ts
// runs it in this process or in a child Node with the flags Node 20 needs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LAYOUTS } from "../../src/int8/layout.js";
import { Kernels } from "../../src/runtime/kernels.js";
import { wasmModule } from "../../src/runtime/wasm-source-node.js";
import { checkRelaxedDot, chooseIsa } from "../../src/runtime/isa.js";
import type { ImageSet } from "../../src/data/dataset.js";
import { planOutputs } from "../engine/plan-outputs.js";
import type { Plan } from "../../src/engine/plan.js";
import { buildPlan, DEFAULT_BUILD } from "../../src/engine/plan.js";
import { loadModel } from "../../src/model/model-node.js";
import { loadMnistTrain } from "../../src/data/mnist-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../../src/calib/calibrate.js";
import { fcCases, fcMismatch } from "./fc-cases.js";
import { plan, test as mnistTest } from "../engine/fixtures.js";

const relaxed = () => Kernels.fromModule(wasmModule("relaxed"), "release");
/** The relaxed kernels with bounds checks (every load and store inside the arena, or a typed error). */
const relaxedDebug = () => Kernels.fromModule(wasmModule("relaxed-debug"), "debug");
const simd128 = () => Kernels.fromModule(wasmModule("release"), "release");

test("relaxed build: the probe instruction gives the spec's sums, and --isa relaxed is granted", () => {
  const k = relaxed();
  assert.is(k.isa, "relaxed");
  assert.is(checkRelaxedDot(k), undefined);
  assert.is(chooseIsa("relaxed", () => wasmModule("relaxed")).isa, "relaxed");
});

for (const layout of LAYOUTS) {
  test(`relaxed build: fc ${layout} bit-exact vs the scalar reference over ${fcCases().length} shapes, release and bounds-checked (x, y or the weights last in the arena)`, () => {
    assert.is(fcMismatch(relaxed(), layout), "none");
    for (const last of ["y", "x", "weights"] as const) {
      const k = relaxedDebug();
      assert.is(k.isa, "relaxed");
      assert.is(fcMismatch(k, layout, last), "none", `bounds-checked, ${last} last in the arena`);
    }
  });
}

function assertSame(p: Plan, set: ImageSet, images: number, what: string): void {
  for (const batch of [1, 7]) {
    const want = planOutputs(p, set, images, batch, simd128), got = planOutputs(p, set, images, batch, relaxed);
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) assert.unreachable(`${what}, batch ${batch}: output ${i} relaxed ${got[i]}, SIMD128 ${want[i]}`);
    }
  }
}

test("relaxed build: LeNet's GPU and DLA plans equal the SIMD128 build bit for bit (1,000 test images, batch 1 and 7)", () => {
  assertSame(plan(), mnistTest, 1000, "GPU");
  assertSame(plan({ device: "dla" }), mnistTest, 1000, "DLA");
});

test("relaxed build: the trained MobileNet (its Gemm head) equals the SIMD128 build bit for bit (300 images)", () => {
  const m = loadModel(new URL("../../../models/cnn/mobilenet-mnist.onnx", import.meta.url).pathname);
  const scales = scalesFrom(collectStats(simd128(), m, loadMnistTrain(), DEFAULT_CALIBRATION), "minmax", DEFAULT_CALIBRATION.percentile);
  const p = buildPlan(m, DEFAULT_BUILD, scales, { algorithm: "minmax", source: "test" });
  assert.ok(p.graph.layers.some((l) => l.type === "fully_connected"), "the model has a fully connected layer");
  assertSame(p, mnistTest, 300, "MobileNet");
});

test.run();
