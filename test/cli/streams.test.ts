// `npm run infer -- --streams N`: N contexts at once, each on its own thread,
// with aggregate throughput, per-stream latency, utilisation and top-1, and a
// Chrome trace with a track per stream; `--compare` adds the concurrent
// GPU / GPU + DLA rows and says which gives the most throughput. (Speed is
// the benchmark's business: these check the reports and their top-1.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli as run } from "./run-cli.js";


test("--streams 3: a row per stream, their images adding up to the test set, and a trace with a track per stream", async () => {
  const dir = mkdtempSync(join(tmpdir(), "octet-streams-"));
  const trace = join(dir, "t.json");
  const r = await run(["infer", "--streams", "3", "--skip-accuracy", "--images", "900", "--iterations", "3", "--warmup", "1", "--export-trace", trace]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Streams: 3 execution contexts of one engine \(weights once\) at once, each on its own thread, over 900 images in batches of 32/);
  assert.match(r.out, /aggregate [\d,]+ images\/s, [\d.]+x one stream's [\d,]+/);
  const rows = [...r.out.matchAll(/\[I\] {3}stream (\d) +(\d+) +[\d.]+ ms +\d+% +(0\.\d{4})/g)];
  assert.is(rows.length, 3, r.out);
  assert.is(rows.reduce((a, m) => a + Number(m[2]), 0), 900);
  const file = trace.replace(/\.json$/, ".streams.json");
  assert.ok(existsSync(file), "the streams trace");
  const events = JSON.parse(readFileSync(file, "utf8")).traceEvents as { ph: string; tid: number; name: string }[];
  assert.equal([...new Set(events.filter((e) => e.ph === "X").map((e) => e.tid))].sort(), [1, 2, 3]);
  assert.match(r.out, /device utilisation \(busy \/ wall, summed over the device's threads\): GPU \d+%/);
});

test("--device dla --streams 2: split contexts, a device thread each for the GPU fallback and the DLA steps; a trace track per device thread with overlapping GPU and DLA steps", async () => {
  const dir = mkdtempSync(join(tmpdir(), "octet-streams-"));
  const trace = join(dir, "t.json");
  const r = await run(["infer", "--device", "dla", "--streams", "2", "--skip-accuracy", "--images", "640", "--iterations", "3", "--warmup", "1", "--export-trace", trace]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /each device of each context on its own thread, steps ordered across devices by events, over 640 images/);
  const rows = [...r.out.matchAll(/\[I\] {3}stream (\d) +(\d+) +[\d.]+ ms +GPU \d+%, DLA \d+% +(0\.\d{4})/g)];
  assert.is(rows.length, 2, r.out);
  // The per-device step tables: every timed enqueue of both streams ran the DLA subgraph once (640 images / 32).
  assert.match(r.out, /\[I\] {5}GPU threads: [\d.]+[mu]?s busy running steps/);
  assert.match(r.out, /\[I\] {5}DLA threads: [\d.]+[mu]?s busy running steps/);
  assert.match(r.out, /\[I\] +[\d.]+% +[\d.]+[mu]?s +20 +.*  \{conv1,pool1,conv2,pool2,ip1,relu1,ip2\}$/m);
  const t = JSON.parse(readFileSync(trace.replace(/\.json$/, ".streams.json"), "utf8")).traceEvents as { ph: string; tid: number; name: string; ts: number; dur: number; args: { name?: string } }[];
  const track = (name: string) => t.find((e) => e.name === "thread_name" && e.args.name === name)!.tid;
  const ranges = (tid: number) => t.filter((e) => e.ph === "X" && e.tid === tid);
  const dla0 = ranges(track("stream 0 DLA thread")), gpu1 = ranges(track("stream 1 GPU thread"));
  assert.ok(dla0.length > 0 && gpu1.length > 0, "device tracks have steps");
  assert.ok(dla0.some((e) => e.name.startsWith("{")) && dla0.every((e) => e.name.startsWith("{") || / dla->gpu$/.test(e.name)), "the DLA thread runs the DLA subgraph and the copy out of the DLA");
  const overlapping = gpu1.filter((g) => dla0.some((d) => g.ts < d.ts + d.dur && d.ts < g.ts + g.dur));
  assert.ok(overlapping.length > 0, "stream 1's GPU steps run while stream 0's DLA steps do");
});

test("--compare: the concurrent rows GPU alone, GPU + DLA core 0, GPU + DLA cores 0 and 1, and the recommendation", async () => {
  const r = await run(["infer", "--compare", "--images", "600", "--iterations", "3", "--warmup", "1"]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Concurrent contexts \(one thread each, a DLA context's GPU fallback steps on its thread; batch 32, 600 test images shared out by batch\):/);
  for (const row of ["GPU alone", "GPU \\+ DLA core 0", "GPU \\+ DLA cores 0 and 1"]) {
    assert.match(r.out, new RegExp(`\\[I\\] {3}${row} +[\\d,]+ +[\\d.]+x +GPU \\d+%(, DLA \\d+%)? +GPU [\\d.]+ ms, \\d+%, 0\\.\\d{4}`));
    if (row !== "GPU alone") assert.match(r.out, new RegExp(`\\[I\\] {3}${row} .*GPU \\d+%, DLA \\d+% `), "per-device utilisation");
  }
  assert.match(r.out, /DLA core 1 [\d.]+ ms, \d+%, 0\.\d{4}/);
  assert.match(r.out, /Most throughput: GPU.* \([\d,]+ images\/s\); lowest latency: GPU.*\(median [\d.]+ ms per batch of 32\)\./);
});

test("where the platform has no Atomics.waitAsync, --streams and --threads say so and the run stays on one thread", async () => {
  const saved = Atomics.waitAsync;
  (Atomics as { waitAsync?: unknown }).waitAsync = undefined;
  try {
    const r = await run(["infer", "--streams", "2", "--threads", "2", "--skip-accuracy", "--iterations", "3", "--warmup", "1", "--no-profile"]);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /\[W\] --threads 2 \/ --streams 2: threads need Atomics.waitAsync, which this platform lacks; everything above ran on one thread/);
    assert.not.match(r.out, /\[I\] Streams:|\[I\] Threads:/);
    assert.match(r.out, /&&&& PASSED octet infer/);
  } finally {
    (Atomics as { waitAsync?: unknown }).waitAsync = saved;
  }
});

test.run();
