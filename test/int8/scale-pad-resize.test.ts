// scale_shift_*_s8 (standalone BatchNormalization), pad_constant_*_s8 and
// resize_nearest_*_s8 (debug and release builds) vs the scalar references,
// bit for bit in both layouts, odd shapes, zero points; padding lanes 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import { packScaleShift, uploadF32 } from "../../src/int8/channel-params.js";
import { padConstantS8, resizeNearestS8, scaleShiftS8 } from "../../src/int8/ops-affine.js";
import { scaleShiftS8Ref } from "../../src/reference/activation-s8.js";
import { padConstantRef, resizeNearestRef } from "../../src/reference/pad-resize-s8.js";
import type { Pads } from "../../src/int8/pool-shapes.js";
import { firstDiff, randomI8 } from "./helpers.js";
import { builds, outBlocked, pick, putBlocked, randomQuant, readBlocked } from "./quant-helpers.js";
import { expectOctetError } from "../helpers.js";

const SHAPES = [[1, 3, 5, 7], [3, 5, 4, 3], [1, 33, 3, 2], [3, 37, 2, 5], [1, 4, 1, 1], [2, 1, 6, 1], [1, 64, 3, 3]] as const;

test("scale_shift_*_s8: bit-exact vs reference, per-channel a and b, zero points, clamps; padding 0", () => {
  for (const [build, k] of builds()) {
    const rng = new Rng(51);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        const mark = k.arena.mark();
        const a = Float32Array.from({ length: C }, () => rng.uniform(-2, 2));
        const b = Float32Array.from({ length: C }, () => rng.uniform(-1, 1));
        const qx = randomQuant(rng, 50), qy = randomQuant(rng, 50);
        const [lo, hi] = pick(rng, [[-128, 127], [qy.zeroPoint, 127]] as const);
        const x = randomI8(rng, N * C * H * W);
        const packed = packScaleShift(a, b, layout, qx, qy);
        const dev = { mult: uploadF32(k, packed.mult), offset: uploadF32(k, packed.offset) };
        const xp = putBlocked(k, x, N, C, H, W, layout, true);
        const yp = outBlocked(k, N, C, H, W, layout);
        scaleShiftS8(k, packed, dev, { x: xp, N, C, H, W, y: yp }, lo, hi);
        const out = readBlocked(k, yp, N, C, H, W, layout);
        const what = `${build} scale_shift ${layout} ${[N, C, H, W]}`;
        assert.is(out.badPadding, 0, `${what}: padding`);
        assert.is(firstDiff(out.y, scaleShiftS8Ref(x, N, C, H, W, a, b, qx, qy, lo, hi)), "none", what);
        k.arena.release(mark);
      }
    }
  }
});

test("pad_constant_*_s8: bit-exact vs reference, the value in real lanes of padded pixels; padding 0", () => {
  const PADS: Pads[] = [[0, 0, 0, 0], [1, 1, 1, 1], [2, 0, 1, 3], [0, 5, 0, 0], [3, 2, 4, 1]];
  for (const [build, k] of builds()) {
    const rng = new Rng(52);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        for (const pads of PADS) {
          const mark = k.arena.mark();
          const value = Math.round(rng.uniform(-128, 127));
          const x = randomI8(rng, N * C * H * W);
          const Ho = H + pads[0] + pads[2], Wo = W + pads[1] + pads[3];
          const xp = putBlocked(k, x, N, C, H, W, layout);
          const yp = outBlocked(k, N, C, Ho, Wo, layout);
          assert.equal(padConstantS8(k, layout, pads, value, { x: xp, N, C, H, W, y: yp }), [Ho, Wo]);
          const out = readBlocked(k, yp, N, C, Ho, Wo, layout);
          const what = `${build} pad ${layout} ${[N, C, H, W]} ${pads} value ${value}`;
          assert.is(out.badPadding, 0, `${what}: padding`);
          assert.is(firstDiff(out.y, padConstantRef(x, N, C, H, W, pads, value)), "none", what);
          k.arena.release(mark);
        }
      }
    }
  }
});

test("resize_nearest_*_s8: bit-exact vs reference for integer factors; padding 0", () => {
  for (const [build, k] of builds()) {
    const rng = new Rng(53);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        for (const [fh, fw] of [[1, 1], [2, 2], [3, 1], [1, 4], [2, 3]] as const) {
          const mark = k.arena.mark();
          const x = randomI8(rng, N * C * H * W);
          const xp = putBlocked(k, x, N, C, H, W, layout);
          const yp = outBlocked(k, N, C, H * fh, W * fw, layout);
          resizeNearestS8(k, layout, fh, fw, { x: xp, N, C, H, W, y: yp });
          const out = readBlocked(k, yp, N, C, H * fh, W * fw, layout);
          const what = `${build} resize ${layout} ${[N, C, H, W]} x${fh}x${fw}`;
          assert.is(out.badPadding, 0, `${what}: padding`);
          assert.is(firstDiff(out.y, resizeNearestRef(x, N, C, H, W, fh, fw)), "none", what);
          k.arena.release(mark);
        }
      }
    }
  }
});

test("scale-shift / pad / resize wrappers refuse bad arguments", () => {
  const [, k] = builds()[0]!;
  const q = { scale: 0.1, zeroPoint: 0 };
  const call = { x: 64, N: 1, C: 3, H: 2, W: 2, y: 128 };
  const packed = packScaleShift(new Float32Array(3), new Float32Array(3), "nchw4", q, q);
  expectOctetError(() => scaleShiftS8(k, packed, { mult: 64, offset: 64 }, { ...call, C: 5 }), "BAD_ARGUMENT", /packed parameters/);
  expectOctetError(() => packScaleShift(new Float32Array(3), new Float32Array(2), "nchw4", q, q), "BAD_ARGUMENT", /b: expected a Float32Array of 3/);
  expectOctetError(() => padConstantS8(k, "nchw4", [0, -1, 0, 0], 0, call), "BAD_ARGUMENT", /left/);
  expectOctetError(() => padConstantS8(k, "nchw4", [0, 0, 0, 0], 128, call), "BAD_ARGUMENT", /value/);
  expectOctetError(() => resizeNearestS8(k, "nc32hw32", 0, 2, call), "BAD_ARGUMENT", /fh/);
});

test.run();
