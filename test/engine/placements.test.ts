// Every INT8 placement of LeNet (committed weights, calibrated scales), run
// through the production path (buildPlan -> lowering -> ExecutionContext),
// against the scalar reference network (reference-network.ts): every stored
// int8 tensor equal, value for value, on 64 MNIST test images. The
// placements cover both layouts (nchw4 on the GPU, nc32hw32 on the DLA),
// reformatters and copies between them, and a ReLU that cannot be fused: on
// the GPU alone (relu_s8) and on the DLA alone (the engine's relu opcode).
// And the INT8 accuracy bar for every calibrator.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { model, plan, runner, test } from "./fixtures.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { evaluate } from "../../src/exec/evaluate.js";
import type { BuildOptions } from "../../src/engine/plan.js";
import type { Device } from "../../src/builder/capabilities.js";
import { int8Reference, type Int8Reference } from "./reference-network.js";
import { int8Diff, storedInt8, storedInt8Tensors } from "./stored-tensors.js";
import { assertClose } from "../helpers.js";

const IMAGES = 64, FIRST = 1000;
const input = new Float32Array(IMAGES * 28 * 28);
imagesToFloat(test, FIRST, IMAGES, input);

const references = new Map<string, Int8Reference>();
function referenceFor(scales: Record<string, number>): Int8Reference {
  const key = JSON.stringify(scales);
  let r = references.get(key);
  if (!r) references.set(key, (r = int8Reference(model, scales, input, IMAGES)));
  return r;
}

const layerDevice = (o: Record<string, Device>) => new Map(Object.entries(o));

const PLACEMENTS: [string, Partial<BuildOptions>, string][] = [
  ["all GPU (nchw4)", { device: "gpu" }, "ip1 + relu1"],
  ["DLA with GPU fallback (nc32hw32)", { device: "dla" }, "{conv1,pool1,conv2,pool2,ip1,relu1,ip2}"],
  ["split: pool2 and ip2 on the GPU", { device: "dla", layerDevice: layerDevice({ pool2: "gpu", ip2: "gpu" }) }, "{ip1,relu1}"],
  ["relu1 alone on the GPU (relu_s8)", { device: "dla", layerDevice: layerDevice({ relu1: "gpu" }) }, "relu1"],
  ["relu1 alone on the DLA (relu opcode)", { device: "gpu", layerDevice: layerDevice({ relu1: "dla" }) }, "{relu1}"],
  ["int8:nc32hw32 input", { device: "dla", inputFormat: { dtype: "s8", layout: "nc32hw32" } }, "{conv1,pool1,conv2,pool2,ip1,relu1,ip2}"],
];

for (const [label, options, step] of PLACEMENTS) {
  it(`${label}: every stored int8 tensor equals the scalar reference network on ${IMAGES} images`, () => {
    const p = plan(options);
    assert.ok(p.nodes.some((n) => n.kind === "compute" && n.name === step), `${label}: no step ${step} in ${p.nodes.map((n) => n.name).join(", ")}`);
    const r = runner(p, IMAGES, "release", false, true);
    r.input(IMAGES).set(input);
    r.run(IMAGES);
    const ref = referenceFor(p.scales);
    const tensors = storedInt8Tensors(r.ctx);
    assert.equal(tensors, ["conv1", "pool1", "conv2", "pool2", "ip1", "ip2"]);
    for (const t of tensors) {
      const want = ref.int8.get(t)!;
      assert.ok(new Set(want).size >= 8, `${t}: degenerate reference`);
      assert.is(int8Diff(storedInt8(r.ctx, t, IMAGES), want, r.ctx.shapes.tensors.get(t)!), "none", `${label}: ${t}`);
    }
    assertClose(r.output(IMAGES), ref.prob, `${label}: prob vs softmax of the reference logits`, 1e-5, 1e-6);
  });
}

for (const device of ["gpu", "dla"] as const) {
  it(`INT8 softmax (--layer-precision prob=int8), default device ${device}: every int8 tensor and the uint8 probabilities equal the scalar reference`, () => {
    const p = plan({ device, layerPrecision: new Map([["prob", "int8"]]) });
    const placed = p.placement.find((x) => x.layer === "prob")!;
    assert.equal([placed.device, placed.precision], ["gpu", "int8"]);
    assert.equal(p.zeroPoints, { prob: -128 });
    assert.is(p.scales["prob"], Math.fround(1 / 256));
    const r = runner(p, IMAGES, "debug", false, true);
    r.input(IMAGES).set(input);
    r.run(IMAGES);
    const ref = referenceFor(p.scales);
    const tensors = storedInt8Tensors(r.ctx);
    assert.equal(tensors, ["conv1", "pool1", "conv2", "pool2", "ip1", "ip2", "prob"]);
    for (const t of tensors) assert.is(int8Diff(storedInt8(r.ctx, t, IMAGES), ref.int8.get(t)!, r.ctx.shapes.tensors.get(t)!), "none", `${device}: ${t}`);
    const out = r.output(IMAGES);
    for (let i = 0; i < out.length; i++) if (out[i] !== ref.prob[i]) assert.unreachable(`probability ${i}: ${out[i]}, the reference gives ${ref.prob[i]}`);
  });
}

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
