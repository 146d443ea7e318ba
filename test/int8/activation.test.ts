// Activations: the FP32 functions of src/int8/activation-table.ts against
// ONNX's definitions; buildActivationTable; lut_{nchw4,nc32hw32}_s8 and
// prelu_{nchw4,nc32hw32}_s8 (debug and release builds) bit for bit against
// the scalar references, padding lanes exactly 0 even where the function
// maps 0 elsewhere and with garbage in the input's padding.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import {
  buildActivationTable, clip, hardSigmoid, hardSwish, leakyRelu, relu, relu6, sigmoid, tanh,
} from "../../src/int8/activation-table.js";
import { packPrelu, uploadF32 } from "../../src/int8/channel-params.js";
import { lutS8, preluS8, uploadTable } from "../../src/int8/ops-activation.js";
import { lutS8Ref, preluS8Ref } from "../../src/reference/activation-s8.js";
import { firstDiff, randomI8 } from "./helpers.js";
import { builds, outBlocked, pick, putBlocked, randomQuant, readBlocked } from "./quant-helpers.js";
import { expectOctetError } from "../helpers.js";

const SHAPES = [[1, 3, 5, 7], [3, 5, 4, 3], [1, 33, 3, 2], [3, 37, 2, 5], [2, 4, 1, 1], [1, 1, 9, 1], [1, 64, 2, 3]] as const;
const XS = [-7, -3.5, -3, -2.9999998, -1, -0.25, 0, 1e-7, 0.3, 1, 2.5, 3, 3.0000002, 6, 8];

test("activation functions equal ONNX's definitions", () => {
  for (const x of XS) {
    assert.is(hardSigmoid()(x), Math.max(0, Math.min(1, 0.2 * x + 0.5)), `HardSigmoid default alpha 0.2, beta 0.5 at ${x}`);
    assert.is(hardSigmoid(0.3, 0.1)(x), Math.max(0, Math.min(1, 0.3 * x + 0.1)), `HardSigmoid(0.3, 0.1) at ${x}`);
    assert.is(hardSwish(x), x * Math.max(0, Math.min(1, x / 6 + 1 / 2)), `HardSwish at ${x}`);
    assert.is(sigmoid(x), 1 / (1 + Math.exp(-x)), `Sigmoid at ${x}`);
    assert.is(tanh(x), Math.tanh(x), `Tanh at ${x}`);
    assert.is(leakyRelu()(x), x < 0 ? 0.01 * x : x, `LeakyRelu default alpha 0.01 at ${x}`);
    assert.is(leakyRelu(0.2)(x), x < 0 ? 0.2 * x : x, `LeakyRelu(0.2) at ${x}`);
    assert.is(relu(x), Math.max(0, x), `Relu at ${x}`);
    assert.is(relu6(x), Math.min(Math.max(x, 0), 6), `Relu6 at ${x}`);
    assert.is(clip(-1, 2)(x), Math.min(Math.max(x, -1), 2), `Clip(-1, 2) at ${x}`);
    assert.is(clip()(x), x, `Clip() at ${x}`);
  }
  assert.is(hardSwish(-3), -0);
  assert.is(hardSwish(3), 3);
  assert.is(sigmoid(0), 0.5);
  expectOctetError(() => clip(2, 1), "BAD_ARGUMENT", /min <= max/);
});

test("buildActivationTable: table[q + 128] quantizes fn of the dequantized q with both zero points", () => {
  // ReLU with the same (scale, zero point) in and out: max(q, z).
  const t = buildActivationTable(relu, 0.05, -20, 0.05, -20);
  for (let q = -128; q < 128; q++) assert.is(t[q + 128], Math.max(q, -20), `relu at ${q}`);
  // Sigmoid into [0, 1] at scale 1/255, zero point -128: monotone, 0 -> 0.5 -> q = 0 (127.5 rounds to even 128 - 128).
  const s = buildActivationTable(sigmoid, 0.1, 10, 1 / 255, -128);
  for (let q = -127; q < 128; q++) assert.ok(s[q + 128]! >= s[q + 127]!, `sigmoid table monotone at ${q}`);
  assert.is(s[10 + 128], 0);
  assert.is(s[0], -128);
  assert.is(s[255], 127);
  // Identity with a scale change: the quantize of the dequantized value.
  const id = buildActivationTable((x) => x, 0.02, 3, 0.04, -5);
  assert.is(id[3 + 128], -5);
  assert.is(id[4 + 128], -5); // 0.02 / 0.04 = 0.5 -> 0
  assert.is(id[6 + 128], -3); // 1.5 -> 2
  expectOctetError(() => buildActivationTable(relu, 0, 0, 1, 0), "BAD_ARGUMENT", /sIn/);
  expectOctetError(() => buildActivationTable(relu, 1, 0, 1, 200), "BAD_ARGUMENT", /zOut/);
});

test("lut_*_s8: y = table[x + 128] in both layouts, into another buffer and in place; padding lanes 0", () => {
  const tables = [
    buildActivationTable(sigmoid, 0.08, 5, 1 / 256, -128),
    buildActivationTable(hardSwish, 0.05, -10, 0.04, -20),
    buildActivationTable(tanh, 0.03, 0, 1 / 127, 0),
    Int8Array.from({ length: 256 }, (_, i) => (i * 37) % 256 - 128), // table[128] = 0x80 ^ ...: non-zero at x = 0
  ];
  for (const [build, k] of builds()) {
    const rng = new Rng(31);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        for (const table of tables) {
          const mark = k.arena.mark();
          const x = randomI8(rng, N * C * H * W);
          const tp = uploadTable(k, table);
          const xp = putBlocked(k, x, N, C, H, W, layout, true);
          const yp = outBlocked(k, N, C, H, W, layout);
          lutS8(k, layout, tp, { x: xp, N, C, H, W, y: yp });
          const out = readBlocked(k, yp, N, C, H, W, layout);
          const what = `${build} lut ${layout} ${[N, C, H, W]}`;
          assert.is(out.badPadding, 0, `${what}: padding`);
          assert.is(firstDiff(out.y, lutS8Ref(x, table)), "none", what);
          lutS8(k, layout, tp, { x: xp, N, C, H, W, y: xp });
          const inPlace = readBlocked(k, xp, N, C, H, W, layout);
          assert.is(inPlace.badPadding, 0, `${what} in place: padding`);
          assert.is(firstDiff(inPlace.y, lutS8Ref(x, table)), "none", `${what} in place`);
          k.arena.release(mark);
        }
      }
    }
  }
  expectOctetError(() => uploadTable(builds()[0]![1], new Int8Array(255)), "BAD_ARGUMENT", /256/);
});

test("prelu_*_s8: bit-exact vs reference, per-channel slopes, zero points; padding lanes 0", () => {
  for (const [build, k] of builds()) {
    const rng = new Rng(32);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        for (const zMax of [0, 60]) {
          const mark = k.arena.mark();
          const slopes = Float32Array.from({ length: C }, () => pick(rng, [0, 0.25, -0.5, 1, 1.7, rng.uniform(-1, 1)]));
          const qx = randomQuant(rng, zMax), qy = randomQuant(rng, zMax);
          const x = randomI8(rng, N * C * H * W);
          const packed = packPrelu(slopes, layout, qx, qy);
          const mNeg = uploadF32(k, packed.mNeg);
          const xp = putBlocked(k, x, N, C, H, W, layout, true);
          const yp = outBlocked(k, N, C, H, W, layout);
          preluS8(k, packed, mNeg, { x: xp, N, C, H, W, y: yp });
          const out = readBlocked(k, yp, N, C, H, W, layout);
          const what = `${build} prelu ${layout} ${[N, C, H, W]} ${JSON.stringify([qx, qy])}`;
          assert.is(out.badPadding, 0, `${what}: padding`);
          assert.is(firstDiff(out.y, preluS8Ref(x, N, C, H, W, slopes, qx, qy)), "none", what);
          k.arena.release(mark);
        }
      }
    }
  }
});

test("prelu wrapper refuses a channel count other than the packed one", () => {
  const [, k] = builds()[0]!;
  const q = { scale: 0.1, zeroPoint: 0 };
  const packed = packPrelu(new Float32Array(3), "nchw4", q, q);
  expectOctetError(() => preluS8(k, packed, 64, { x: 64, N: 1, C: 4, H: 1, W: 1, y: 64 }), "BAD_ARGUMENT", /packed slopes/);
  expectOctetError(() => packPrelu(new Float32Array([Infinity]), "nchw4", q, q), "BAD_ARGUMENT", /multiplier/);
});

test.run();
