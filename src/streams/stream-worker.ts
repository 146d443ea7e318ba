// A stream's worker thread in Node: the init arrives as workerData, the wasm
// is read from the build on disk (the threads build, on the shared memories,
// for a thread of a shared engine).
import { parentPort, workerData } from "node:worker_threads";
import { loadKernels, loadSharedKernels, requestIsa } from "../runtime/wasm-source-node.js";
import { fail } from "../errors.js";
import { serveStream } from "./serve.js";
import type { StreamInit } from "./protocol.js";

const init = workerData as StreamInit;
const shared = init.shared;
if (init.isa) requestIsa(init.isa);
serveStream(init, shared
  ? (device) => loadSharedKernels(shared.memories[device] ?? fail("BAD_ARGUMENT", `thread ${shared.index}: no shared memory for the ${device.toUpperCase()}`))
  : () => loadKernels(init.flavor), (m) => parentPort!.postMessage(m));
