// Node's side of streams: the worker is a worker_threads Worker running
// stream-worker.js, which reads the wasm build from disk.
import { Worker } from "node:worker_threads";
import type { Plan } from "../engine/plan.js";
import { Stream, type Spawn, type StreamOptions } from "./stream.js";
import { releaseIsa } from "../runtime/wasm-source-node.js";

export const nodeSpawn: Spawn = (init) => {
  // The worker runs the caller's instruction set, without probing again.
  const worker = new Worker(new URL("./stream-worker.js", import.meta.url), { workerData: { ...init, isa: init.flavor === "release" ? releaseIsa().isa : undefined } });
  return {
    onMessage: (f) => worker.on("message", f),
    onError: (f) => worker.on("error", f),
    exited: new Promise((resolve) => worker.once("exit", resolve)),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: async () => {
      await worker.terminate();
    },
  };
};

/** A stream of `plan` on a Node worker thread. */
export function createStream(plan: Plan, maxBatch: number, options: StreamOptions = {}): Promise<Stream> {
  return Stream.start(nodeSpawn, plan, maxBatch, options);
}
