// The one requantization function: round half to even, clamp, ReLU, in the
// TypeScript definition and through the wasm SIMD path (an FC with a 1x1x1
// input, weight 1: acc = x + bias), which must agree bit for bit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  quantize, requantize, roundHalfEven, quantizeWeights, quantizeBias, requantMultiplier, dequantize,
} from "../../src/int8/numerics.js";
import { packFc } from "../../src/int8/pack-fc.js";
import { fcS8, uploadParams } from "../../src/int8/ops.js";
import { debugKernels, getI8, putI8 } from "./helpers.js";

test("roundHalfEven", () => {
  const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, -0], [-1.5, -2], [-2.5, -2], [2.4999, 2], [-3.5, -4], [7, 7]];
  for (const [v, want] of cases) assert.is(roundHalfEven(v), want, `round(${v})`);
});

test("quantize / dequantize", () => {
  const s = Math.fround(0.5);
  assert.is(quantize(0.25, s), 0);
  assert.is(quantize(0.75, s), 2);
  assert.is(quantize(-0.75, s), -2);
  assert.is(quantize(1000, s), 127);
  assert.is(quantize(-1000, s), -128);
  assert.is(quantize(NaN, s), 0);
  assert.is(dequantize(-128, Math.fround(0.1)), Math.fround(-128 * Math.fround(0.1)));
});

test("weights per channel, bias, multiplier", () => {
  const { q, scales } = quantizeWeights(new Float32Array([1, -2, 0.5, 0, 0, 0]), 2);
  assert.is(scales[0], Math.fround(2 / 127));
  assert.is(scales[1], 1); // all-zero channel
  assert.equal(Array.from(q), [64, -127, 32, 0, 0, 0]);
  const b = quantizeBias(new Float32Array([1, 1e30]), 0.5, new Float32Array([0.25, 1]));
  assert.equal(Array.from(b), [8, 2147483647]);
  assert.is(requantMultiplier(0.5, 0.25, 2), Math.fround(0.0625));
});

test("requantize: ties to even, clamp, relu (TypeScript and wasm agree)", () => {
  const k = debugKernels();
  const accs = [3, 5, -3, -5, 1, -1, 0, 7, 255, 256, 257, -255, -256, -257, 1000, -1000, 2147483647, -2147483648];
  const m = 0.5;
  const expect = [2, 2, -2, -2, 0, -0, 0, 4, 127, 127, 127, -128, -128, -128, 127, -128, 127, -128];
  for (const relu of [false, true]) {
    for (let i = 0; i < accs.length; i++) {
      const want = relu ? Math.max(0, expect[i]!) : expect[i]!;
      assert.is(requantize(accs[i]!, m, relu) + 0, want + 0, `requantize(${accs[i]}, ${m}, ${relu})`);
    }
  }
  // wasm: N = accs.length images of one int8 value x = 1, weight 1, bias acc - 1.
  for (const layout of ["nchw4", "nc32hw32"] as const) {
    for (const relu of [false, true]) {
      for (let i = 0; i < accs.length; i++) {
        const mark = k.arena.mark();
        const bias = new Int32Array([(accs[i]! - 1) | 0]);
        const packed = packFc(new Int8Array([1]), bias, new Float32Array([m]), 1, 1, 1, 1, layout);
        const dev = uploadParams(k, packed);
        const G = layout === "nchw4" ? 4 : 32;
        const x = new Int8Array(G);
        x[0] = 1;
        const xp = putI8(k, x);
        const yp = k.arena.alloc(G);
        fcS8(k, packed, dev, { x: xp, N: 1, relu, y: yp });
        assert.is(getI8(k, yp, 1)[0], requantize((accs[i]! - 1 + 1) | 0, m, relu) + 0, `wasm requant acc=${accs[i]} relu=${relu} ${layout}`);
        k.arena.release(mark);
      }
    }
  }
});

test.run();
