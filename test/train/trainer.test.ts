// The trainer's backward pass against finite differences, and a short run
// that must drive the loss down on real MNIST digits.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { parseGraph } from "../../src/model/graph.js";
import { Trainer, CAFFE_LENET_SOLVER } from "../../src/train/trainer.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";

const tiny = parseGraph(JSON.stringify({
  format: "octet-model", version: 1, name: "tiny", input: { name: "data", shape: [1, 28, 28] },
  layers: [
    { name: "conv1", type: "convolution", input: "data", output: "conv1", numOutput: 3, kernel: 5, stride: 2, pad: 1 },
    { name: "pool1", type: "pooling", input: "conv1", output: "pool1", method: "max", window: 2, stride: 2 },
    { name: "conv2", type: "convolution", input: "pool1", output: "conv2", numOutput: 4, kernel: 3 },
    { name: "ip1", type: "fully_connected", input: "conv2", output: "ip1", numOutput: 8 },
    { name: "relu1", type: "relu", input: "ip1", output: "ip1" },
    { name: "ip2", type: "fully_connected", input: "ip1", output: "ip2", numOutput: 10 },
    { name: "prob", type: "softmax", input: "ip2", output: "prob" },
  ],
  output: "prob", weights: "tiny.weights",
}), "tiny.json");

const digits = loadMnistTest();
const batch = new Uint32Array([0, 1, 2, 3, 4, 5]);

test("analytic gradients agree with central finite differences", () => {
  const trainer = new Trainer(loadKernels("debug"), tiny, { ...CAFFE_LENET_SOLVER, batch: batch.length, baseLr: 0, momentum: 0, weightDecay: 0 });
  trainer.step(digits, batch);
  const grads = trainer.gradients();
  const weights = trainer.weights();
  const eps = 1e-2;
  let checked = 0;
  for (const [name, g] of grads) {
    // The three largest-magnitude entries of each tensor: least affected by f32 rounding.
    const order = Array.from(g.data.keys()).sort((a, b) => Math.abs(g.data[b]!) - Math.abs(g.data[a]!)).slice(0, 3);
    for (const i of order) {
      const probe = (delta: number) => {
        const w = new Map(weights);
        const t = w.get(name)!;
        const data = t.data.slice();
        data[i] = data[i]! + delta;
        w.set(name, { dims: t.dims, data });
        trainer.setWeights(w);
        return trainer.step(digits, batch);
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      const analytic = g.data[i]!;
      assert.ok(Math.abs(numeric - analytic) <= 0.05 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 2e-4,
        `${name}[${i}]: analytic ${analytic}, numeric ${numeric}`);
      checked++;
    }
  }
  assert.is(checked, 24);
});

test("a few SGD steps on one batch drive the loss down", () => {
  const trainer = new Trainer(loadKernels("release"), tiny, { ...CAFFE_LENET_SOLVER, batch: batch.length, baseLr: 0.05 });
  const first = trainer.step(digits, batch);
  let last = first;
  for (let i = 0; i < 60; i++) last = trainer.step(digits, batch);
  assert.ok(first > 1.5, `initial loss ${first} should be near ln(10)`);
  assert.ok(last < 0.2 * first, `loss went from ${first} to ${last}`);
});

test.run();
