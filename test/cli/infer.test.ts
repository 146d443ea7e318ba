// `octet infer` end to end as a user runs it, on small image counts: the
// INT8 report, calibration caches, plans, exports, errors and --compare.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { encodeWeights } from "../../src/model/weights-file.js";
import type { Io } from "../../src/cli/io.js";

const dir = mkdtempSync(join(tmpdir(), "octet-infer-"));
const quick = ["--images", "300", "--iterations", "5", "--warmup", "1", "--batch", "20"];

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function topOne(out: string, label: "FP32" | "INT8"): number {
  const m = new RegExp(`\\[I\\] ${label} run:.*\\n\\[I\\] Top1: ([\\d.]+)`).exec(out);
  assert.ok(m, `no ${label} Top1 in:\n${out}`);
  return Number(m![1]);
}

test("default run: INT8 build summary, FP32 vs INT8 accuracy, performance summary and profile", async () => {
  const r = await run(["infer", ...quick]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Build: INT8, default device GPU/);
  assert.match(r.out, /conv1 input reformatter 0\s+data\s+fp32:nchw -> int8:nchw4 on GPU\s+edge \(network input\) -> conv1/);
  assert.ok(Math.abs(topOne(r.out, "FP32") - topOne(r.out, "INT8")) <= 0.01);
  assert.match(r.out, /sample_int8 check: PASSED/);
  assert.match(r.out, /Throughput: [\d.]+ qps/);
  assert.match(r.out, /Latency: min = [\d.e-]+ ms, max = .* percentile\(99%\) = [\d.e-]+ ms/);
  assert.match(r.out, /Profiler overhead:/);
  assert.match(r.out, /Range:\s+100.00%.*\s+5\s+.*ExecutionContext::enqueue/);
  assert.match(r.out, /GPU compute:.*ip1 \+ relu1/);
  assert.match(r.out, /&&&& PASSED octet infer/);
});

test("DLA: TensorRT's fused subgraph, the softmax fallback reason, layers inside the subgraph, exports", async () => {
  const trace = join(dir, "t.json"), profile = join(dir, "p.json");
  const r = await run(["infer", "--device", "dla", "--profile-dla-layers", "--skip-accuracy", "--export-trace", trace, "--export-profile", profile, ...quick]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /prob\s+softmax\s+GPU\s+FP32\s+unsupported on DLA \(softmax\); switching this layer's device type to GPU/);
  assert.match(r.out, /Layers running on DLA:\n\[I\] \{conv1,pool1,conv2,pool2,ip1,relu1,ip2\}/);
  assert.match(r.out, /\{conv1,pool1,conv2,pool2,ip1,relu1,ip2\} output reformatter 0/);
  assert.match(r.out, /DLA layer:.*\{conv1,pool1,conv2,pool2,ip1,relu1,ip2\} > conv2/);
  const t = JSON.parse(readFileSync(trace, "utf8"));
  assert.ok(t.traceEvents.some((e: { name: string; tid: number }) => e.name.endsWith("> conv1") && e.tid === 3));
  const p = JSON.parse(readFileSync(profile, "utf8"));
  assert.equal(p[0], { count: 5 });
  assert.ok(p.some((e: { name: string }) => e.name === "copy data gpu->dla"));
});

test("placement errors name the layers and options", async () => {
  let r = await run(["infer", "--device", "dla", "--no-gpu-fallback", ...quick]);
  assert.is(r.code, 2);
  assert.match(r.err, /GPU fallback is off[\s\S]*prob: unsupported on DLA \(softmax\)/);
  r = await run(["infer", "--layer-device", "ip3=gpu", ...quick]);
  assert.match(r.err, /--layer-device: no layer named "ip3"/);
  r = await run(["infer", "--layer-device", "ip1:gpu", ...quick]);
  assert.match(r.err, /option --layer-device: expected layer=value pairs/);
  r = await run(["infer", "--layer-precision", "conv1=int4", ...quick]);
  assert.match(r.err, /option --layer-precision: conv1=int4: expected one of int8, fp32/);
});

test("calibration cache: written, then read instead of calibrating; other algorithms and gaps handled", async () => {
  const cache = join(dir, "lenet.cache");
  let r = await run(["infer", "--calib-cache", cache, "--skip-accuracy", ...quick]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Calibrating with EntropyCalibration2/);
  const text = readFileSync(cache, "utf8");
  assert.match(text, /^TRT-8601-EntropyCalibration2\ndata: [0-9a-f]{8}\nconv1: [0-9a-f]{8}\n/);
  r = await run(["infer", "--calib-cache", cache, "--skip-accuracy", ...quick]);
  assert.match(r.out, /Calibration cache .*lenet.cache \(TRT-8601-EntropyCalibration2\): 7 scales; skipping calibration/);
  assert.not.match(r.out, /Calibrating with/);
  r = await run(["infer", "--calib-cache", cache, "--calib", "minmax", "--skip-accuracy", ...quick]);
  assert.match(r.out, /was made with EntropyCalibration2, not MinMaxCalibration: ignoring it and recalibrating/);
  assert.match(readFileSync(cache, "utf8"), /^TRT-8601-MinMaxCalibration/);
  const gap = join(dir, "gap.cache");
  writeFileSync(gap, "TRT-7000-EntropyCalibration2\ndata: 3c010204\nconv1: 3c88e7e4\n");
  r = await run(["infer", "--calib-cache", gap, ...quick]);
  assert.is(r.code, 2);
  assert.match(r.err, /cache .*gap.cache: no scale for tensor "conv2" \(output of conv2\)/);
  writeFileSync(gap, "TRT-7000-EntropyCalibration2\ndata: 3c010204\nconv1 3c88e7e4\n");
  r = await run(["infer", "--calib-cache", gap, ...quick]);
  assert.match(r.err, /gap.cache:3: malformed line "conv1 3c88e7e4"/);
});

test("a saved plan loads without rebuilding and scores the same", async () => {
  const planFile = join(dir, "lenet.plan");
  const a = await run(["infer", "--device", "dla", "--layer-device", "ip1=gpu", "--save-plan", planFile, ...quick]);
  assert.is(a.code, 0, a.err);
  assert.ok(existsSync(planFile));
  const b = await run(["infer", "--load-plan", planFile, ...quick]);
  assert.is(b.code, 0, b.err);
  assert.match(b.out, /Loaded plan .*lenet.plan \(format v\d+, lenet\); nothing rebuilt/);
  assert.not.match(b.out, /Calibrating/);
  assert.match(b.out, /\{conv1,pool1,conv2,pool2\}/);
  assert.is(topOne(b.out, "INT8"), topOne(a.out, "INT8"));
  const d = await run(["infer", "--load-plan", planFile, "--device", "dla", ...quick]);
  assert.match(d.err, /--load-plan runs a plan as it was built; drop --device/);
  writeFileSync(planFile, readFileSync(planFile).subarray(0, 100));
  const c = await run(["infer", "--load-plan", planFile, ...quick]);
  assert.is(c.code, 2);
  assert.match(c.err, /lenet.plan: plan is 100 bytes, its header says \d+ \(truncated\)/);
});

test("--dump-calibration shows every algorithm's amax and each layer's INT8 error", async () => {
  const r = await run(["infer", "--dump-calibration", "--skip-accuracy", "--no-profile", ...quick]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Tensor\s+entropy\s+minmax\s+percentile\s+plan \(scale\*127\)/);
  assert.match(r.out, /\n\[I\]\s+ip2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+/);
  const snr = /\n\[I\]\s+ip2\s+[\d.e-]+\s+[\d.e-]+\s+([\d.]+)\n/.exec(r.out);
  assert.ok(snr && Number(snr[1]) > 20, `ip2 SNR: ${snr?.[1]}`);
});

test("a model whose input does not match the data is refused, naming both shapes", async () => {
  const graph = {
    format: "octet-model", version: 1, name: "tiny16", input: { name: "data", shape: [1, 16, 16] },
    layers: [
      { name: "conv", type: "convolution", input: "data", output: "conv", numOutput: 2, kernel: 3 },
      { name: "fc", type: "fully_connected", input: "conv", output: "fc", numOutput: 10 },
      { name: "prob", type: "softmax", input: "fc", output: "prob" },
    ],
    output: "prob", weights: "tiny16.weights",
  };
  writeFileSync(join(dir, "tiny16.json"), JSON.stringify(graph));
  writeFileSync(join(dir, "tiny16.weights"), encodeWeights(new Map([
    ["conv.weight", { dims: [2, 1, 3, 3], data: new Float32Array(18) }], ["conv.bias", { dims: [2], data: new Float32Array(2) }],
    ["fc.weight", { dims: [10, 392], data: new Float32Array(3920) }], ["fc.bias", { dims: [10], data: new Float32Array(10) }],
  ])));
  const r = await run(["infer", "--model", join(dir, "tiny16.json"), ...quick]);
  assert.is(r.code, 2);
  assert.match(r.err, /tiny16.json: input data is \[N, 1, 16, 16\], the data's images are \[N, 1, 28, 28\]/);
});

test("--compare runs every placement and names the fastest", async () => {
  const r = await run(["infer", "--compare", ...quick]);
  assert.is(r.code, 0, r.err);
  for (const label of ["GPU FP32 \\(reference\\)", "GPU INT8", "DLA INT8 \\+ GPU fallback", "DLA \\{conv1\\} then GPU", "DLA \\{conv1,pool1,conv2,pool2,ip1,relu1\\} then GPU"]) {
    assert.match(r.out, new RegExp(`\\[I\\]\\s+${label}\\s+[\\d,]+\\s+[\\d.]+ us\\s+0\\.\\d{4}\\s+[\\d.]+%`));
  }
  assert.match(r.out, /Fastest INT8 placement: /);
  assert.match(r.out, /Every INT8 placement scores the same top-1/);
});

test.run();
