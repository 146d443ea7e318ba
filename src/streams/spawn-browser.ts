// The browser's side of streams: a module Web Worker running the bundled
// stream-worker-browser entry, given the compiled wasm module. Needs a
// cross-origin isolated page (SharedArrayBuffer); browserStreamsAvailable
// says whether this page has it.
import type { Plan } from "../engine/plan.js";
import { Stream, type Spawn, type StreamOptions } from "./stream.js";
import { startSharedEngine } from "./shared-engine.js";

export function browserStreamsAvailable(): boolean {
  return typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof Atomics.waitAsync === "function";
}

export function browserSpawn(workerUrl: string | URL): Spawn {
  return (init) => {
    const worker = new Worker(workerUrl, { type: "module" });
    let exit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => (exit = resolve));
    worker.postMessage(init);
    return {
      onMessage: (f) => worker.addEventListener("message", (e) => f((e as MessageEvent).data)),
      onError: (f) => worker.addEventListener("error", f),
      exited,
      ref: () => {},
      unref: () => {},
      terminate: async () => {
        worker.terminate();
        exit(0);
      },
    };
  };
}

/** A stream of `plan` on a Web Worker started from `workerUrl` (the bundled stream worker), with the page's compiled wasm. */
export function createBrowserStream(workerUrl: string | URL, module: WebAssembly.Module, plan: Plan, maxBatch: number, options: StreamOptions = {}): Promise<Stream> {
  return Stream.start(browserSpawn(workerUrl), plan, maxBatch, options, module);
}

/**
 * `count` threads sharing one engine of `plan` (the weights once, in shared
 * wasm memories), each a Web Worker with its own context; `threadsModule` is
 * the compiled threads build (octet.threads.wasm).
 */
export function startBrowserThreads(workerUrl: string | URL, threadsModule: WebAssembly.Module, plan: Plan, maxBatch: number, count: number): Promise<Stream[]> {
  return startSharedEngine(browserSpawn(workerUrl), plan, maxBatch, count, { module: threadsModule });
}
