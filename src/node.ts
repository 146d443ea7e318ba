// Node-only helpers: files on disk (models, MNIST, wasm builds), and ONNX
// (kept out of the browser bundle: protobuf decoding would triple its size).
export { loadKernels, wasmPath } from "./runtime/wasm-source-node.js";
export { loadModel, defaultModelPath, saveWeights } from "./model/model-node.js";
export { loadMnist, loadMnistTest, loadMnistTrain, defaultMnistDir, readIdxFile } from "./data/mnist-node.js";
export { importOnnx, importNotes } from "./onnx/import.js";
export { inspectOnnx, formatInspection, deviceCapability, type Inspection } from "./onnx/inspect.js";
export { exportOnnx } from "./onnx/export.js";
export { resolveScales } from "./calib/resolve-node.js";
export { createStream, nodeSpawn } from "./streams/spawn-node.js";
export { ThreadedContext, defaultThreadCount } from "./streams/threaded.js";
export { runConcurrent, type ConcurrentResult, type StreamResult } from "./streams/concurrent.js";
export * from "./index.js";
