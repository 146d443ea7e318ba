// Node's side of streams: the worker is a worker_threads Worker running
// stream-worker.js, which reads the wasm build from disk.
import { Worker } from "node:worker_threads";
import type { Plan } from "../engine/plan.js";
import { Stream, type Spawn, type StreamOptions } from "./stream.js";

export const nodeSpawn: Spawn = (init) => {
  const worker = new Worker(new URL("./stream-worker.js", import.meta.url), { workerData: init });
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
