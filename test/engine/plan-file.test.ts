// Plans round-trip through their file with identical outputs; damaged,
// truncated or foreign files are refused; and a plan whose checksum is valid
// but whose contents disagree with its graph (the reproducers of issue 14)
// is refused with a PLAN_FORMAT error naming the first difference, before
// any kernel runs.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { plan, runner, test } from "./fixtures.js";
import { serializePlan, deserializePlan } from "../../src/engine/plan-file.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { expectOctetError } from "../helpers.js";
import type { Plan } from "../../src/engine/plan.js";
import { editPlan, splitPlan } from "./plan-edit.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { KERNEL_ABI } from "../../src/runtime/kernel-abi.js";
import { verifyPlan } from "../../src/engine/plan-verify.js";

function outputs(p: Plan): Float32Array {
  const r = runner(p, 64);
  imagesToFloat(test, 0, 64, r.input(64));
  r.run(64);
  return r.output(64).slice();
}

const gpuBytes = serializePlan(plan());
const dlaBytes = serializePlan(plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) }));
const fp32Bytes = serializePlan(plan({ precision: "fp32" }));

it("a saved DLA plan loads and gives identical outputs without rebuilding", () => {
  const original = plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) });
  const bytes = serializePlan(original);
  const loaded = deserializePlan(bytes, "lenet.plan");
  assert.equal(loaded.nodes.map((n) => n.name), original.nodes.map((n) => n.name));
  assert.equal(loaded.scales, original.scales);
  assert.equal(Array.from(outputs(loaded)), Array.from(outputs(original)));
  assert.equal(serializePlan(loaded), bytes, "re-serializing gives the same bytes");
  assert.is(loaded.kernelAbi, KERNEL_ABI);
});

it("corrupted, truncated, foreign and future-version plans are refused", () => {
  const bytes = gpuBytes;
  const flipped = bytes.slice();
  flipped[bytes.length - 100] ^= 1;
  expectOctetError(() => deserializePlan(flipped, "a.plan"), "PLAN_FORMAT", /a.plan: plan checksum mismatch \(corrupted file\)/);
  expectOctetError(() => deserializePlan(bytes.subarray(0, bytes.length - 7), "b.plan"), "PLAN_FORMAT", /b.plan: plan is \d+ bytes, its header says \d+ \(truncated\)/);
  expectOctetError(() => deserializePlan(new TextEncoder().encode("TRT-7000-EntropyCalibration2\n"), "c.plan"), "PLAN_FORMAT", /c.plan: not an octet plan/);
  const v2 = bytes.slice();
  v2[4] = 2;
  expectOctetError(() => deserializePlan(v2, "d.plan"), "PLAN_FORMAT", /d.plan: plan format version 2, this octet reads version 5/);
  expectOctetError(() => deserializePlan(new Uint8Array(3), "e.plan"), "PLAN_FORMAT", /e.plan: 3 bytes is too short/);
});

type Edit = (json: any, blob: Uint8Array) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
const refuse = (bytes: Uint8Array, edit: Edit, pattern: RegExp) =>
  expectOctetError(() => deserializePlan(editPlan(bytes, edit), "x.plan"), "PLAN_FORMAT", pattern);
const computeNode = (json: { nodes: { kind: string; name: string }[] }, name: string) => json.nodes.find((n) => n.kind === "compute" && n.name === name) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

it("zero points: an INT8 softmax's round-trips; a changed, added or missing one is refused, naming it", () => {
  const p = plan({ layerPrecision: new Map([["prob", "int8"]]) });
  const bytes = serializePlan(p);
  assert.equal(deserializePlan(bytes, "sm.plan").zeroPoints, { prob: -128 });
  refuse(bytes, (j) => { j.zeroPoints.prob = -127; }, /x.plan: stored zeroPoints differ .*zeroPoints\.prob: -127, expected -128/);
  // pool1 keeps conv1's grid; conv1 with a zero point needs the general kernel's packing.
  refuse(gpuBytes, (j) => { j.zeroPoints.pool1 = 3; }, /x.plan: stored zeroPoints differ from what the graph and options give: zeroPoints.pool1: unexpected field/);
  refuse(gpuBytes, (j) => { j.zeroPoints.conv1 = 3; j.zeroPoints.pool1 = 3; }, /x.plan: stored placement differ .*placement\[0\]\.reason: "default device GPU", expected "default device GPU; asymmetric INT8/);
  refuse(bytes, (j) => { delete j.zeroPoints; }, /x.plan: .*zeroPoints/);
});

it("a step's pad or stride changed behind the graph's back is refused, naming the field", () => {
  refuse(gpuBytes, (j) => { computeNode(j, "conv1").step.layers[0].layer.pads[0] = 2; }, /x.plan: stored nodes differ .*nodes\[\d+\]\.step\.layers\[0\]\.layer\.pads\[0\]: 2, expected 0/);
  refuse(gpuBytes, (j) => { computeNode(j, "conv2").step.layers[0].layer.strides = [2, 2]; }, /layer\.strides\[0\]: 2, expected 1/);
  refuse(gpuBytes, (j) => { computeNode(j, "conv2").step.layers[0].layer.strides[1] = "2"; }, /layer\.strides\[1\]: "2", expected 1/);
  // Changed consistently in the graph too, the network changes shape, and the packed weights no longer fit it.
  refuse(gpuBytes, (j) => {
    j.graph.layers[0].pads = [2, 2, 2, 2];
    computeNode(j, "conv1").step.layers[0].layer.pads = [2, 2, 2, 2];
    j.placement[0].reason = j.placement[0].reason;
  }, /x.plan: params\.(conv2|ip1)\.weights: expected \d+ bytes \(the int8 values of the packing\) or \d+ \(the packing\)/);
  refuse(gpuBytes, (j) => { j.graph.layers[2].strides = ["1", 1]; }, /x.plan: graph: layer conv2: field "strides\[0\]" is "1", expected an integer >= 1/);
});

it("removed nodes, a changed input format and missing fields are refused", () => {
  refuse(gpuBytes, (j) => { j.nodes.splice(j.nodes.findIndex((n: { name: string }) => n.name === "pool1"), 1); }, /stored nodes differ/);
  refuse(gpuBytes, (j) => { j.options.inputFormat = "int8:nchw4"; }, /stored nodes differ .*nodes\[0\]/);
  refuse(gpuBytes, (j) => { delete j.options; }, /x.plan: plan: field "options" is missing/);
  refuse(gpuBytes, (j) => { delete j.nodes[0].from; }, /nodes\[0\]\.from: missing/);
  refuse(gpuBytes, (j) => { delete j.graph.layers[1].type; }, /x.plan: graph: layer pool1: unknown layer type/);
  refuse(gpuBytes, (j) => { j.options.device = "tpu"; }, /options\.device: expected one of gpu, dla, found "tpu"/);
  refuse(gpuBytes, (j) => { j.extra = 1; }, /unexpected field "extra"/);
  refuse(gpuBytes, (j) => { j.kernelAbi = 1; }, /packed for kernel ABI 0x1, this octet's kernels implement 0x[0-9a-f]+; rebuild the plan/);
  refuse(dlaBytes, (j) => { j.options.layerDevice = {}; }, /stored placement differ/);
});

it("shortened, misaligned or out-of-range weight arrays are refused", () => {
  refuse(fp32Bytes, (j) => { j.params.ip1.weight.$blob[2] -= 1; }, /params\.ip1\.weight: expected Float32Array\(400000\), found Float32Array\(399999\)/);
  refuse(gpuBytes, (j) => { j.params.ip1.bias.$blob[2] -= 1; }, /params\.ip1: bias has 499 values, expected 500/);
  refuse(gpuBytes, (j) => { j.params.conv2.weights.$blob[1] += 1; j.params.conv2.weights.$blob[0] = "i32"; }, /blob reference/);
  refuse(gpuBytes, (j) => { j.params.conv2.weights.$blob[2] = 1e12; }, /blob reference \["i8",\d+,1000000000000\]/);
  refuse(gpuBytes, (j) => { j.params.conv1.layout = "nc32hw32"; }, /params\.conv1\.layout: expected "nchw4" \(the layer runs on GPU\)/);
  refuse(gpuBytes, (j) => { j.scales.pool1 *= 2; }, /stored scales differ .*scales\.pool1/);
  refuse(gpuBytes, (j) => { j.scales.data = 1e-45; }, /scales\.data: expected a scale: a normal float/);
});

it("a plan file keeps the int8 values of the packed weights, one byte each, the Winograd block derived on load; padding bytes are checked", () => {
  const json = splitPlan(gpuBytes).json as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const [, conv2At, conv2Bytes] = json.params.conv2.weights.$blob as [string, number, number];
  const [, ip1At, ip1Bytes] = json.params.ip1.weights.$blob as [string, number, number];
  assert.is(conv2Bytes, 52 * 504, "conv2: the direct rows [K4 = 52][Kp = 504], one byte per weight, no Winograd block");
  assert.is(ip1Bytes, 500 * 13 * 4 * 16, "ip1: [O4 = 500][Kl = 13 blocks x 4 lanes x 16 pixels], one byte per weight");
  const loaded = deserializePlan(gpuBytes, "x.plan");
  const built = plan();
  for (const layer of ["conv1", "conv2", "ip1", "ip2"]) {
    assert.equal(Array.from((loaded.params[layer] as { weights: Int8Array }).weights), Array.from((built.params[layer] as { weights: Int8Array }).weights), `${layer}: loaded packing = built packing`);
  }
  refuse(gpuBytes, (_j, blob) => { blob[conv2At + 500] = 3; }, /params\.conv2: packed weight byte \d+ is 3, the packing of the plan's own weights gives 0/);
  refuse(gpuBytes, (_j, blob) => { blob[ip1At + 12 * 16 * 4 + 2] = 5; }, /params\.ip1: packed weight \d+ is 5 at a padding channel, expected 0/);
  const fj = splitPlan(fp32Bytes).json as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const [, w] = fj.params.ip1.weight.$blob as [string, number, number];
  const nan = (blob: Uint8Array) => new DataView(blob.buffer, blob.byteOffset).setFloat32(w + 40, NaN, true);
  refuse(fp32Bytes, (_j, blob) => nan(blob), /params\.ip1\.weight\[10\] is NaN, expected a finite number within \+-65504/);
});

it("a plan object's packed weights must be the packing of int8 values: out-of-range and Winograd bytes are checked", () => {
  const p = plan();
  const withConv2 = (edit: (w16: Int16Array) => void): Plan => {
    const w = (p.params.conv2 as { weights: Int8Array }).weights.slice();
    edit(new Int16Array(w.buffer));
    return { ...p, params: { ...p.params, conv2: { ...p.params.conv2!, weights: w } as Plan["params"][string] } };
  };
  expectOctetError(() => verifyPlan(withConv2((w) => { w[0] = 300; }), "plan"), "PLAN_FORMAT", /params\.conv2: packed weight 0 is 300, outside int8/);
  expectOctetError(() => verifyPlan(withConv2((w) => { w[52 * 504] ^= 1; }), "plan"), "PLAN_FORMAT", /params\.conv2: packed weight byte \d+ is -?\d+, the packing of the plan's own weights gives -?\d+/);
});

it("a plan object that did not come from buildPlan or a file is checked by the execution context too", () => {
  const p = plan();
  const forged: Plan = { ...p, nodes: p.nodes.filter((n) => n.name !== "pool1") };
  expectOctetError(() => new ExecutionContext(forged, () => loadKernels("debug"), 4), "PLAN_FORMAT", /plan: stored nodes differ/);
  const ok = deserializePlan(serializePlan(p), "p.plan");
  const ctx = new ExecutionContext(ok, () => loadKernels("debug"), 4);
  ctx.enqueue(4);
});

it.run();
