// `npm run bench -- threads`: octet's LeNet INT8 GPU plan on 1 and 2 threads
// (a batch split over threaded contexts) and as 2 concurrent streams (both
// sharing one engine's weights in shared wasm memory, as --streams does), and a
// GPU context with a DLA context at once, against one thread and against
// ONNX Runtime Web INT8 (the same QDQ export) with numThreads 2 (when
// bench/peers is installed); interleaved rounds, batch 1 and 32.
import { cpus } from "node:os";
import { join } from "node:path";
import { interleave, type Contender } from "./harness.js";
import { ThreadedContext } from "../src/streams/threaded.js";
import { nodeSpawn } from "../src/streams/spawn-node.js";
import { startSharedEngine } from "../src/streams/shared-engine.js";
import type { Stream } from "../src/streams/stream.js";
import { startSplitEngine, type SplitContext } from "../src/streams/split-context.js";
import { stepOwners } from "../src/streams/device-steps.js";
import { loadModel } from "../src/model/model-node.js";
import { loadMnistTest, loadMnistTrain } from "../src/data/mnist-node.js";
import { imagesToFloat } from "../src/data/dataset.js";
import { loadKernels } from "../src/runtime/wasm-source-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import { buildPlan, DEFAULT_BUILD } from "../src/engine/plan.js";
import { exportOnnx } from "../src/onnx/export.js";
import { octetContender } from "./e2e.js";
import { allImages, cycling, importPeer, peersInstalled, PEERS_DIR, ortPeer, peerDir, tfjsPeer, type Peer } from "./peers.js";

const ROUNDS = Number(process.env.OCTET_BENCH_ROUNDS ?? 5);

async function threaded(name: string, plan: ReturnType<typeof buildPlan>, threads: number, batch: number): Promise<Contender & { dispose(): Promise<void> }> {
  const ctx = await ThreadedContext.create(plan, batch, threads);
  imagesToFloat(loadMnistTest(), 0, batch, ctx.input(batch));
  return { name, images: batch, call: () => ctx.enqueueAsync(batch), dispose: () => ctx.dispose() };
}

/**
 * Two streams, each running a batch, awaited together: one call is 2
 * batches. Streams of one plan share an engine; a plan with steps on both
 * devices is a split context (a thread per device), as --streams runs it,
 * unless splitDevices is off (a GPU and a DLA context, one thread each).
 */
async function pair(name: string, plans: ReturnType<typeof buildPlan>[], batch: number, splitDevices = true): Promise<Contender & { dispose(): Promise<void> }> {
  const start = (p: ReturnType<typeof buildPlan>, count: number): Promise<(Stream | SplitContext)[]> =>
    splitDevices && new Set(stepOwners(p)).size > 1 ? startSplitEngine(nodeSpawn, p, batch, count) : startSharedEngine(nodeSpawn, p, batch, count);
  const streams = plans[0] === plans[1] ? await start(plans[0]!, 2) : (await Promise.all(plans.map((p) => start(p, 1)))).flat();
  for (const s of streams) imagesToFloat(loadMnistTest(), 0, batch, s.input(batch) as Float32Array);
  return { name, images: batch * streams.length, call: () => Promise.all(streams.map((s) => s.enqueueAsync(batch))), dispose: async () => { await Promise.all(streams.map((s) => s.dispose())); } };
}

export async function runThreads(): Promise<unknown> {
  const model = loadModel();
  const scales = scalesFrom(collectStats(loadKernels(), model, loadMnistTrain(), DEFAULT_CALIBRATION), "entropy", 99.99);
  const info = { algorithm: "entropy", source: "calibrated on 500 training images" };
  const gpu = buildPlan(model, DEFAULT_BUILD, scales, info);
  const dla = buildPlan(model, { ...DEFAULT_BUILD, device: "dla" }, scales, info);
  const qdq = exportOnnx(model, { scales });
  const haveOrt = peersInstalled();
  const results: Record<string, unknown>[] = [];
  console.log(`LeNet INT8, ${cpus().length} cores; median of ${ROUNDS} interleaved rounds:`);
  const rows: { batch: number; name: string; imagesPerSecond: number; medianMs: number; cpuPerWall: number }[] = [];
  for (const batch of [1, 32]) {
    const contenders: (Contender & { dispose?(): Promise<void> })[] = [
      octetContender("octet 1 thread (main thread)", gpu, batch),
      await threaded("octet 1 thread (worker)", gpu, 1, batch),
      await threaded("octet 2 threads (batch split)", gpu, 2, batch),
      await pair("octet 2 streams (GPU, GPU)", [gpu, gpu], batch),
      await pair("octet GPU + DLA core 0 streams", [gpu, dla], batch, false),
      await pair("octet 2 DLA-plan split contexts", [dla, dla], batch),
    ];
    const t = await interleave(contenders, ROUNDS, 250);
    for (const c of contenders) await c.dispose?.();
    rows.push(...t.map((x) => ({ batch, ...x })));
  }
  if (haveOrt) {
    // After octet's rows, each peer timed on its own: idle ORT and TF.js pool threads spin and would take
    // a core from any contender beside them. ORT Web and TF.js set their thread count once per process,
    // at their first session: 2 here (their one-thread figures are the peers suite's); native ORT takes
    // intraOpNumThreads per session, 1 and 2.
    const ortWeb = await importPeer("onnxruntime-web");
    ortWeb.env.wasm.numThreads = 2;
    ortWeb.env.wasm.wasmPaths = join(peerDir("onnxruntime-web"), "dist") + "/";
    const ortNode = await importPeer("onnxruntime-node", join(PEERS_DIR, "native"));
    const native = (threads: number) => ({ executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" });
    const tfjs = await tfjsPeer(2);
    // ORT Web's pool starts with its first session: last, so its spinning threads overlap no other peer.
    const peers: (() => Promise<Peer>)[] = [
      () => ortPeer(ortNode, "ORT native INT8 (QDQ), 1 thread", qdq, native(1)),
      () => ortPeer(ortNode, "ORT native INT8 (QDQ), 2 threads", qdq, native(2)),
      async () => ({ ...tfjs, name: `TF.js wasm FP32, setThreadsCount(2): got ${tfjs.threads}` }),
      () => ortPeer(ortWeb, "ORT Web INT8 (QDQ), numThreads 2", qdq, { executionProviders: ["wasm"] }),
    ];
    const images = allImages();
    for (const make of peers) {
      const p = await make();
      for (const batch of [1, 32]) {
        const [r] = await interleave([cycling(`${p.name} (timed after)`, batch, images, (x) => p.run(x, batch))], ROUNDS, 250);
        rows.push({ batch, ...r! });
      }
    }
  }
  for (const batch of [1, 32]) {
    const here = rows.filter((r) => r.batch === batch);
    const one = here.find((x) => x.name === "octet 1 thread (main thread)")!;
    for (const x of here) {
      console.log(`  b${String(batch).padEnd(3)} ${x.name.padEnd(48)} ${Math.round(x.imagesPerSecond).toLocaleString("en-US").padStart(8)} images/s  median ${(x.medianMs * 1000).toFixed(1).padStart(8)} us/call  ${(x.imagesPerSecond / one.imagesPerSecond).toFixed(2)}x one thread  cpu/wall ${x.cpuPerWall.toFixed(2)}`);
      results.push({ batch, name: x.name, imagesPerSecond: x.imagesPerSecond, medianMs: x.medianMs, vsOneThread: x.imagesPerSecond / one.imagesPerSecond, cpuPerWall: x.cpuPerWall });
    }
  }
  return results;
}
