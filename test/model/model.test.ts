// Model loading: the committed LeNet loads; every malformed graph or weights
// file is refused with an error naming the file, layer and shapes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel, defaultModelPath } from "../../src/model/model-node.js";
import { parseGraph } from "../../src/model/graph.js";
import { assembleModel } from "../../src/model/model.js";
import { encodeWeights, decodeWeights, type WeightMap } from "../../src/model/weights-file.js";
import { expectOctetError } from "../helpers.js";

const lenetJson = readFileSync(defaultModelPath(), "utf8");

test("the committed LeNet loads with Caffe's shapes", () => {
  const m = loadModel();
  assert.equal(m.graph.layers.map((l) => l.name), ["conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2", "prob"]);
  assert.equal(m.shapes.tensors.get("pool2"), [50, 4, 4]);
  assert.equal(m.weights.get("ip1.weight")!.dims, [500, 800]);
  assert.equal(m.weights.get("conv2.weight")!.dims, [50, 20, 5, 5]);
  const params = [...m.weights.values()].reduce((s, t) => s + t.data.length, 0);
  assert.is(params, 431080);
});

test("weights round-trip through the binary format", () => {
  const w: WeightMap = new Map([["a.weight", { dims: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-7, -1e9]) }], ["a.bias", { dims: [2], data: new Float32Array([0.25, -0.5]) }]]);
  const back = decodeWeights(encodeWeights(w), "w");
  assert.equal([...back.keys()], ["a.weight", "a.bias"]);
  assert.equal(Array.from(back.get("a.weight")!.data), Array.from(w.get("a.weight")!.data));
});

test("corrupted, truncated and foreign weights files are refused", () => {
  const good = encodeWeights(loadModel().weights);
  const flipped = good.slice();
  flipped[1000] ^= 0x40;
  expectOctetError(() => decodeWeights(flipped, "lenet.weights"), "WEIGHTS_FORMAT", /lenet.weights: checksum mismatch/);
  expectOctetError(() => decodeWeights(good.subarray(0, 5000), "lenet.weights"), "WEIGHTS_FORMAT", /file is 5000 bytes, header says \d+ \(truncated\)/);
  expectOctetError(() => decodeWeights(new TextEncoder().encode("not a weights file at all"), "x"), "WEIGHTS_FORMAT", /x: magic is "not ", expected "OCTW"/);
  const v2 = good.slice();
  v2[4] = 2;
  expectOctetError(() => decodeWeights(v2, "x"), "WEIGHTS_FORMAT", /x: format version 2, expected 1/);
});

test("a weight whose shape disagrees with the graph names the layer and both shapes", () => {
  const graph = parseGraph(lenetJson, "lenet.json");
  const weights = loadModel().weights;
  const bad = new Map(weights);
  bad.set("ip1.weight", { dims: [500, 700], data: new Float32Array(500 * 700) });
  expectOctetError(() => assembleModel(graph, bad, "w.bin"), "SHAPE_MISMATCH", /w.bin: layer ip1: weight has shape \[500, 700\], the graph needs \[500, 800\]/);
  const missing = new Map(weights);
  missing.delete("conv2.bias");
  expectOctetError(() => assembleModel(graph, missing, "w.bin"), "SHAPE_MISMATCH", /layer conv2: missing bias tensor "conv2.bias" of shape \[50\]/);
  const extra = new Map(weights);
  extra.set("conv9.weight", { dims: [1], data: new Float32Array(1) });
  expectOctetError(() => assembleModel(graph, extra, "w.bin"), "SHAPE_MISMATCH", /tensor "conv9.weight" belongs to no layer/);
});

test("malformed graphs are refused with the field at fault", () => {
  const edit = (f: (g: any) => void) => {
    const g = JSON.parse(lenetJson);
    f(g);
    return JSON.stringify(g);
  };
  expectOctetError(() => parseGraph("{", "g.json"), "MODEL_FORMAT", /g.json: not valid JSON/);
  expectOctetError(() => parseGraph(edit((g) => (g.version = 9)), "g.json"), "MODEL_FORMAT", /field "version" is 9, expected one of 1, 2/);
  expectOctetError(() => parseGraph(edit((g) => (g.layers[0].type = "lstm")), "g.json"), "UNKNOWN_LAYER", /layer conv1: unknown layer type "lstm"/);
  expectOctetError(() => parseGraph(edit((g) => (g.layers[2].kernel = 0)), "g.json"), "MODEL_FORMAT", /layer conv2: field "kernel" is 0, expected an integer >= 1/);
  expectOctetError(() => parseGraph(edit((g) => (g.layers[1].method = "median")), "g.json"), "MODEL_FORMAT", /layer pool1: field "method" is "median"/);
  expectOctetError(() => parseGraph(edit((g) => (g.input.shape = [1, 28])), "g.json"), "MODEL_FORMAT", /field "input.shape" is \[1,28\]/);
  expectOctetError(() => parseGraph(edit((g) => (g.layers[4].name = "conv1")), "g.json"), "MODEL_FORMAT", /layer name "conv1" is used twice/);
  const wrongWiring = parseGraph(edit((g) => (g.layers[2].input = "nope")), "g.json");
  expectOctetError(() => assembleModel(wrongWiring, loadModel().weights), "MODEL_FORMAT", /layer conv2: reads tensor "nope", which no layer produces and which is not the network input "data"/);
  const reused = parseGraph(edit((g) => (g.layers[2].output = "conv1")), "g.json");
  expectOctetError(() => assembleModel(reused, loadModel().weights), "MODEL_FORMAT", /layer conv2: writes tensor "conv1", which layer conv1 already produces/);
  const early = parseGraph(edit((g) => (g.output = "pool2")), "g.json");
  expectOctetError(() => assembleModel(early, loadModel().weights), "MODEL_FORMAT", /layer prob: its output "prob" is read by no layer and is not the network output "pool2" \(a dangling output\)/);
  const tooBig = parseGraph(edit((g) => (g.layers[2].kernel = 13)), "g.json");
  expectOctetError(() => assembleModel(tooBig, loadModel().weights), "SHAPE_MISMATCH", /layer conv2: window 13x13 \(dilation 1x1\) does not fit input \[20, 12, 12\]/);
});

test("loadModel names a missing weights file", () => {
  const dir = mkdtempSync(join(tmpdir(), "octet-model-"));
  const path = join(dir, "m.json");
  writeFileSync(path, lenetJson);
  expectOctetError(() => loadModel(path), "WEIGHTS_FORMAT", /lenet.weights: cannot read \(ENOENT\)/);
});

test.run();
