// INT8 results are bit-identical across layouts and devices: all-GPU (nchw4),
// DLA with GPU fallback (nc32hw32) and a split placement, over all 10,000
// MNIST test images. And the INT8 accuracy bar for every calibrator.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { plan, runner, test } from "./fixtures.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { evaluate } from "../../src/exec/evaluate.js";
import type { Plan } from "../../src/engine/plan.js";

function allOutputs(p: Plan, batch = 100): Float32Array {
  const r = runner(p, batch);
  const out = new Float32Array(test.count * r.outputSize);
  for (let start = 0; start < test.count; start += batch) {
    imagesToFloat(test, start, batch, r.input(batch));
    r.run(batch);
    out.set(r.output(batch), start * r.outputSize);
  }
  return out;
}

it("gpu, dla with fallback and a split give bit-identical outputs on 10,000 images", () => {
  const gpu = allOutputs(plan({ device: "gpu" }));
  const dla = allOutputs(plan({ device: "dla" }));
  const split = allOutputs(plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"], ["ip2", "gpu"]]) }));
  const int8Input = allOutputs(plan({ device: "dla", inputFormat: { dtype: "s8", layout: "nc32hw32" } }));
  for (const [name, other] of [["dla", dla], ["split", split], ["int8 input", int8Input]] as const) {
    let differ = 0;
    for (let i = 0; i < gpu.length; i++) if (gpu[i] !== other[i]) differ++;
    assert.is(differ, 0, `${name}: ${differ} output values differ from gpu`);
  }
});

it("INT8 top-1 stays within 0.002 of FP32 on the 10,000 test images for every calibrator", () => {
  const fp32 = evaluate(runner(plan({ precision: "fp32" }), 100), test);
  assert.ok(fp32.top1 >= 0.99, `FP32 top-1 ${fp32.top1}`);
  for (const algorithm of ["entropy", "minmax", "percentile"] as const) {
    const int8 = evaluate(runner(plan({}, algorithm), 100), test);
    assert.ok(Math.abs(fp32.top1 - int8.top1) <= 0.002, `${algorithm}: FP32 ${fp32.top1} vs INT8 ${int8.top1}`);
  }
});

it("a mixed-precision plan (conv2 in FP32) still classifies well and runs in the debug build", () => {
  const r = evaluate(runner(plan({ layerPrecision: new Map([["conv2", "fp32"]]) }), 50, "debug"), test, 1000);
  assert.ok(r.top1 >= 0.98, `top-1 ${r.top1}`);
});

it.run();
