// A stream's Web Worker in the browser: the init (with the compiled wasm
// module: the threads build for a thread of a shared engine) arrives as the
// first message; then the worker blocks in Atomics.wait between enqueues,
// which workers may do.
import { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import { serveStream } from "./serve.js";
import type { StreamInit } from "./protocol.js";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e: MessageEvent) => {
  scope.onmessage = null;
  const init = e.data as StreamInit;
  const shared = init.shared;
  serveStream(init, shared
    ? (device) => Kernels.fromModule(init.module!, "release", shared.memories[device] ?? fail("BAD_ARGUMENT", `thread ${shared.index}: no shared memory for the ${device.toUpperCase()}`))
    : () => Kernels.fromModule(init.module!, init.flavor), (m) => scope.postMessage(m));
};
