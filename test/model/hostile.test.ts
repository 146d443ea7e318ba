// Loading a model from hostile files: a graph naming a device, a folder or a
// huge file as its weights, and weights with a NaN, are refused by name before
// any unbounded read.
import { test } from "uvu";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadModel, loadGraph, defaultModelPath } from "../../src/model/model-node.js";
import { decodeWeights, encodeWeights } from "../../src/model/weights-file.js";
import { expectOctetError } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "octet-model-hostile-"));
const lenet = JSON.parse(readFileSync(defaultModelPath(), "utf8"));

function graphNaming(weights: string): string {
  const path = join(dir, `g${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ ...lenet, weights }));
  return path;
}

test("weights that are a device, a folder or missing are refused without reading them", () => {
  expectOctetError(() => loadModel(graphNaming(relative(dir, "/dev/zero"))), "WEIGHTS_FORMAT", /\/dev\/zero: is not a regular file, expected a weights file/);
  mkdirSync(join(dir, "w-folder"));
  expectOctetError(() => loadModel(graphNaming("w-folder")), "WEIGHTS_FORMAT", /w-folder: is a folder, expected a weights file/);
  expectOctetError(() => loadModel(graphNaming("none.weights")), "WEIGHTS_FORMAT", /none.weights: cannot read \(ENOENT\)/);
});

test("a graph file that is a folder, a device or larger than 16 MiB is refused before parsing", () => {
  expectOctetError(() => loadGraph(dir), "MODEL_FORMAT", /is a folder, expected a graph/);
  expectOctetError(() => loadGraph("/dev/zero"), "MODEL_FORMAT", /\/dev\/zero: is not a regular file, expected a graph/);
  const big = join(dir, "big.json");
  writeFileSync(big, " ".repeat(16 * 2 ** 20 + 1));
  expectOctetError(() => loadGraph(big), "MODEL_FORMAT", /big.json: 16777217 bytes is more than a graph may be \(16777216 bytes\)/);
  expectOctetError(() => loadModel(join(dir, "x.onnx")), "MODEL_FORMAT", /x.onnx: cannot read \(ENOENT\)/);
});

test("a NaN weight in the committed LeNet is refused through loadModel, naming the tensor and index", () => {
  const weights = decodeWeights(readFileSync(defaultModelPath().replace(/\.json$/, ".weights")), "lenet.weights");
  weights.get("ip1.weight")!.data[1234] = NaN;
  writeFileSync(join(dir, "nan.weights"), encodeWeights(weights));
  expectOctetError(() => loadModel(graphNaming("nan.weights")), "WEIGHTS_FORMAT", /nan.weights: tensor "ip1.weight": value 1234 is NaN; weights must be finite numbers/);
});

test.run();
