// The committed FP32 weights on all 10,000 MNIST test images.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadModel } from "../../src/model/model-node.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { Fp32Network } from "../../src/exec/fp32-network.js";
import { evaluate } from "../../src/exec/evaluate.js";
import { expectOctetError } from "../helpers.js";

test("committed LeNet weights reach FP32 top-1 >= 0.990 on the 10,000 test images", () => {
  const net = new Fp32Network(loadKernels("release"), loadModel(), 100);
  const r = evaluate(net, loadMnistTest());
  assert.is(r.images, 10000);
  assert.ok(r.top1 >= 0.99, `top-1 ${r.top1}`);
  assert.ok(r.top5 >= r.top1 && r.top5 > 0.999, `top-5 ${r.top5}`);
});

test("batch size does not change the result", () => {
  const model = loadModel();
  const a = evaluate(new Fp32Network(loadKernels("release"), model, 1), loadMnistTest(), 300);
  const b = evaluate(new Fp32Network(loadKernels("release"), model, 37), loadMnistTest(), 300);
  assert.is(a.top1, b.top1);
  assert.is(a.top5, b.top5);
});

test("a label outside the network's classes is an error, not a silent score", () => {
  const set = loadMnistTest();
  const bad = { ...set, count: 2, pixels: set.pixels.subarray(0, 2 * 784), labels: new Uint8Array([3, 10]) };
  const net = new Fp32Network(loadKernels("release"), loadModel(), 2);
  expectOctetError(() => evaluate(net, bad), "BAD_ARGUMENT", /label 10 of image 1 is not one of the network's 10 classes/);
});

test.run();
