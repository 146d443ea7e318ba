// Node-only helpers: files on disk (models, MNIST, wasm builds), ONNX.
export { loadKernels, wasmPath } from "./runtime/wasm-source-node.js";
export { loadModel, defaultModelPath, saveWeights } from "./model/model-node.js";
export { loadMnist, loadMnistTest, loadMnistTrain, defaultMnistDir, readIdxFile } from "./data/mnist-node.js";
export { importOnnx } from "./onnx/import.js";
export { exportOnnx } from "./onnx/export.js";
export { resolveScales } from "./calib/resolve-node.js";
export * from "./index.js";
