// A stream's worker thread in Node: the init arrives as workerData, the wasm
// is read from the build on disk.
import { parentPort, workerData } from "node:worker_threads";
import { loadKernels } from "../runtime/wasm-source-node.js";
import { serveStream } from "./serve.js";
import type { StreamInit } from "./protocol.js";

const init = workerData as StreamInit;
serveStream(init, () => loadKernels(init.flavor), (m) => parentPort!.postMessage(m));
