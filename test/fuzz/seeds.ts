// Valid inputs the fuzz campaigns start from: the committed LeNet (graph and
// weights), a tiny model with LeNet's layer types (small enough that a case
// costs well under a millisecond) exported by octet's own ONNX exporter, FP32
// and QDQ, a slice of the real MNIST test set as IDX, and calibration caches
// written by octet.
import { readFileSync } from "node:fs";
import { defaultModelPath } from "../../src/model/model-node.js";
import { assembleModel, type Model } from "../../src/model/model.js";
import { parseGraph, type Graph } from "../../src/model/graph.js";
import { decodeWeights, encodeWeights } from "../../src/model/weights-file.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";
import { writeCalibrationTable } from "../../src/calib/cache.js";
import { randomF32 } from "../helpers.js";

export const lenetJson = readFileSync(defaultModelPath(), "utf8");
export const lenetWeights = new Uint8Array(readFileSync(defaultModelPath().replace(/\.json$/, ".weights")));

/** conv 3x3 pad 1 -> relu -> max pool -> conv 3x3 -> average pool -> fc -> relu (in place) -> fc -> softmax, on [1, 8, 8]. */
export const tinyGraphJson = {
  format: "octet-model", version: 1, name: "tiny", weights: "tiny.weights", output: "prob",
  input: { name: "data", shape: [1, 8, 8] },
  layers: [
    { name: "conv1", type: "convolution", input: "data", output: "conv1", numOutput: 3, kernel: 3, stride: 1, pad: 1 },
    { name: "relu0", type: "relu", input: "conv1", output: "relu0" },
    { name: "pool1", type: "pooling", input: "relu0", output: "pool1", method: "max", window: 2, stride: 2 },
    { name: "conv2", type: "convolution", input: "pool1", output: "conv2", numOutput: 4, kernel: 3, stride: 1, pad: 1 },
    { name: "pool2", type: "pooling", input: "conv2", output: "pool2", method: "average", window: 2, stride: 2 },
    { name: "ip1", type: "fully_connected", input: "pool2", output: "ip1", numOutput: 5 },
    { name: "relu1", type: "relu", input: "ip1", output: "ip1" },
    { name: "ip2", type: "fully_connected", input: "ip1", output: "ip2", numOutput: 3 },
    { name: "prob", type: "softmax", input: "ip2", output: "prob" },
  ],
};
export const tinyGraph: Graph = parseGraph(JSON.stringify(tinyGraphJson), "tiny.json");

export function tinyModel(): Model {
  const w = (name: string, dims: number[], seed: number) => [name, { dims, data: randomF32(dims.reduce((a, b) => a * b, 1), seed, -0.5, 0.5) }] as const;
  return assembleModel(tinyGraph, new Map([
    w("conv1.weight", [3, 1, 3, 3], 1), w("conv1.bias", [3], 2), w("conv2.weight", [4, 3, 3, 3], 3), w("conv2.bias", [4], 4),
    w("ip1.weight", [5, 16], 5), w("ip1.bias", [5], 6), w("ip2.weight", [3, 5], 7), w("ip2.bias", [3], 8),
  ]));
}

/** A scale for every tensor the tiny model's INT8 export quantizes. */
export const tinyScales = new Map([["data", 1 / 127], ["conv1", 0.01], ["relu0", 0.01], ["pool1", 0.01], ["conv2", 0.02], ["pool2", 0.02], ["ip1", 0.03], ["ip2", 0.05]]);

export const tinyWeights = encodeWeights(tinyModel().weights);
export const lenetWeightMap = decodeWeights(lenetWeights, "lenet.weights");

/** IDX files (images u8 [n, 28, 28], labels u8 [n]) of the first n real MNIST test digits. */
export function mnistIdx(n: number): { images: Uint8Array; labels: Uint8Array } {
  const set = loadMnistTest();
  return {
    images: idxFile(0x08, [n, set.rows, set.cols], set.pixels.subarray(0, n * set.rows * set.cols)),
    labels: idxFile(0x08, [n], set.labels.subarray(0, n)),
  };
}

export function idxFile(typeCode: number, dims: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = typeCode;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

/** A cache as octet writes it for LeNet, and one as TensorRT writes it (unnamed-layer tensors, another version). */
export const calibrationCaches: readonly string[] = [
  writeCalibrationTable("entropy", new Map([["data", 0.0078125], ["conv1", 0.0167], ["pool1", 0.0167], ["conv2", 0.0204], ["pool2", 0.0204], ["ip1", 0.0133], ["ip2", 0.0941]].map(([k, v]) => [k as string, Math.fround(v as number)]))),
  "TRT-7000-EntropyCalibration2\ndata: 3c008912\nconv1: 3c88e7e4\n(Unnamed Layer* 5) [Activation]_output: 3c5a5c4a\nprob: 3c010a14\n",
  "TRT-8601-MinMaxCalibration\r\ndata: 3c010204\r\nip2: 3dc0bc23\r\n",
];
