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
  assert.match(r.out, /Streams: 3 execution contexts of the plan at once, each on its own thread, over 900 images in batches of 32/);
  assert.match(r.out, /aggregate [\d,]+ images\/s, [\d.]+x one stream's [\d,]+/);
  const rows = [...r.out.matchAll(/\[I\] {3}stream (\d) +(\d+) +[\d.]+ ms +\d+% +(0\.\d{4})/g)];
  assert.is(rows.length, 3, r.out);
  assert.is(rows.reduce((a, m) => a + Number(m[2]), 0), 900);
  const file = trace.replace(/\.json$/, ".streams.json");
  assert.ok(existsSync(file), "the streams trace");
  const events = JSON.parse(readFileSync(file, "utf8")).traceEvents as { ph: string; tid: number; name: string }[];
  assert.equal([...new Set(events.filter((e) => e.ph === "X").map((e) => e.tid))].sort(), [1, 2, 3]);
});

test("--compare: the concurrent rows GPU alone, GPU + DLA core 0, GPU + DLA cores 0 and 1, and the recommendation", async () => {
  const r = await run(["infer", "--compare", "--images", "600", "--iterations", "3", "--warmup", "1"]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Concurrent contexts \(each on its own thread; batch 32, 600 test images shared out by batch\):/);
  for (const row of ["GPU alone", "GPU \\+ DLA core 0", "GPU \\+ DLA cores 0 and 1"]) assert.match(r.out, new RegExp(`\\[I\\] {3}${row} +[\\d,]+ +[\\d.]+x +GPU [\\d.]+ ms, \\d+%, 0\\.\\d{4}`));
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
