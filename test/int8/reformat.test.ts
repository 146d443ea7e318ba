// Reformatters (debug build) vs the scalar references: f32 nchw -> int8
// nchw4 / nc32hw32, back, and nchw4 <-> nc32hw32; padding channels zero.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, lanesOf, packBlocked, unpackBlocked, blockedBytes } from "../../src/int8/layout.js";
import { dequantizeFromS8, quantizeToS8, reblockS8 } from "../../src/int8/ops.js";
import { dequantizeRef, quantizeRef } from "../../src/reference/reformat-s8.js";
import { CHANNELS, debugKernels, dirtyPadding, firstDiff, garbageOut, getI8, putF32, putI8, randomF32, randomI8 } from "./helpers.js";

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [1, 7, 9], [2, 4, 4], [1, 28, 28]];

function f32Bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Random values with exact ties (q + 0.5) * s, out-of-range values and NaN. */
function nastyInput(rng: Rng, n: number, scale: number): Float32Array {
  const x = randomF32(rng, n, -160 * scale, 160 * scale);
  for (let i = 0; i < n; i += 7) x[i] = (Math.floor(rng.uniform(-130, 130)) + 0.5) * scale;
  if (n > 3) x[3] = NaN;
  if (n > 5) x[5] = -Infinity;
  return x;
}

for (const layout of LAYOUTS) {
  test(`quantize nchw f32 -> ${layout} and dequantize back, bit-exact`, () => {
    const k = debugKernels();
    const rng = new Rng(11);
    const scale = Math.fround(0.0123);
    for (const C of CHANNELS) {
      for (const [N, H, W] of SHAPES) {
        const mark = k.arena.mark();
        const n = N * C * H * W;
        const x = nastyInput(rng, n, scale);
        const bytes = blockedBytes(N, C, H, W, layout);
        const xp = putF32(k, x);
        const qp = garbageOut(k, bytes);
        quantizeToS8(k, layout, scale, { x: xp, N, C, H, W, y: qp });
        const q = quantizeRef(x, scale);
        assert.is(firstDiff(getI8(k, qp, bytes), packBlocked(q, N, C, H, W, layout)), "none", `quantize ${layout} C=${C} ${N}x${H}x${W}`);

        const yp = k.arena.allocF32(n);
        k.arena.f32(yp, n).fill(NaN);
        dequantizeFromS8(k, layout, scale, { x: qp, N, C, H, W, y: yp });
        const want = dequantizeRef(unpackBlocked(getI8(k, qp, bytes), N, C, H, W, layout), scale);
        assert.is(firstDiff(f32Bits(k.arena.f32(yp, n).slice()), f32Bits(want)), "none", `dequantize ${layout} C=${C} ${N}x${H}x${W}`);
        k.arena.release(mark);
      }
    }
  });
}

for (const [from, to] of [["nchw4", "nc32hw32"], ["nc32hw32", "nchw4"]] as const) {
  test(`reformat ${from} -> ${to}: exact permutation, padding zero even from dirty input padding`, () => {
    const k = debugKernels();
    const rng = new Rng(12);
    for (const C of CHANNELS) {
      for (const [N, H, W] of SHAPES) {
        const mark = k.arena.mark();
        const x = randomI8(rng, N * C * H * W);
        const xp = putI8(k, dirtyPadding(packBlocked(x, N, C, H, W, from), N, C, H, W, lanesOf(from)));
        const bytes = blockedBytes(N, C, H, W, to);
        const yp = garbageOut(k, bytes);
        reblockS8(k, from, to, { x: xp, N, C, H, W, y: yp });
        assert.is(firstDiff(getI8(k, yp, bytes), packBlocked(x, N, C, H, W, to)), "none", `${from}->${to} C=${C} ${N}x${H}x${W}`);
        k.arena.release(mark);
      }
    }
  });
}

test.run();
