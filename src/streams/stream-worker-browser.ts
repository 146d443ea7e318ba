// A stream's Web Worker in the browser: the init (with the compiled wasm
// module) arrives as the first message; then the worker blocks in
// Atomics.wait between enqueues, which workers may do.
import { Kernels } from "../runtime/kernels.js";
import { serveStream } from "./serve.js";
import type { StreamInit } from "./protocol.js";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e: MessageEvent) => {
  scope.onmessage = null;
  const init = e.data as StreamInit;
  serveStream(init, () => Kernels.fromModule(init.module!, init.flavor), (m) => scope.postMessage(m));
};
