// MNIST-style preprocessing: a digit redrawn large and off-centre comes back
// as a 20-pixel, mass-centred 28x28 image the network still recognises.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mnistPreprocess } from "../../src/data/preprocess.js";
import { loadMnistTest } from "../../src/data/mnist-node.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { loadModel } from "../../src/model/model-node.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { Fp32Network } from "../../src/exec/fp32-network.js";

test("an empty drawing gives an empty image", () => {
  assert.ok(mnistPreprocess(new Float32Array(100 * 80), 100, 80).every((v) => v === 0));
});

test("the ink's box becomes 20 pixels on its long side, centred by mass", () => {
  const w = 200, h = 150;
  const img = new Float32Array(w * h);
  for (let y = 10; y < 110; y++) for (let x = 150; x < 175; x++) img[y * w + x] = 1; // a 25 x 100 bar
  const out = mnistPreprocess(img, w, h);
  const rows = new Set<number>(), cols = new Set<number>();
  let mass = 0, cx = 0, cy = 0;
  out.forEach((v, i) => {
    if (v > 0.05) {
      rows.add(Math.floor(i / 28));
      cols.add(i % 28);
    }
    mass += v;
    cx += v * ((i % 28) + 0.5);
    cy += v * (Math.floor(i / 28) + 0.5);
  });
  assert.is(rows.size, 20);
  assert.is(cols.size, 5);
  assert.ok(Math.abs(cx / mass - 14) <= 0.5 && Math.abs(cy / mass - 14) <= 0.5, `centre of mass ${cx / mass}, ${cy / mass}`);
});

test("MNIST test digits blown up 10x at random offsets are still recognised", () => {
  const set = loadMnistTest();
  const net = new Fp32Network(loadKernels("release"), loadModel(), 1);
  const digit = new Float32Array(784);
  let correct = 0;
  const n = 200;
  for (let k = 0; k < n; k++) {
    imagesToFloat(set, k, 1, digit);
    const W = 400, H = 360, s = 10, ox = (k * 37) % 100, oy = (k * 53) % 80;
    const big = new Float32Array(W * H);
    for (let y = 0; y < 28 * s; y++) for (let x = 0; x < 28 * s; x++) big[(oy + y) * W + ox + x] = digit[Math.floor(y / s) * 28 + Math.floor(x / s)]!;
    net.input(1).set(mnistPreprocess(big, W, H));
    net.run(1);
    const p = net.output(1);
    if (p.indexOf(Math.max(...p)) === set.labels[k]) correct++;
  }
  assert.ok(correct / n >= 0.95, `${correct}/${n} recognised`);
});

test.run();
