// conv1x1_nchw4_s8 / conv1x1_nc32hw32_s8 vs the scalar reference (convg with
// a 1x1 kernel), bit-exact: channel counts off the 4 / 32 lanes, pixel
// counts off the 4-pixel tiles and the 32-pixel chunks, N = 1 and 3, zero
// points and clamp ranges; output padding channels exactly 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, blockedBytes, packBlocked, unpackBlocked } from "../../src/int8/layout.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { debugKernels, firstDiff, getI8, putI8, garbageOut } from "./helpers.js";
import { type FamCase, describe, epi, geom, runFam } from "./convfam-helpers.js";
import { packConv1x1 } from "../../src/int8/pack-conv1x1.js";
import { conv1x1S8, uploadParams } from "../../src/int8/ops.js";
import { clampRange, requantizeZc, roundHalfEven } from "../../src/int8/numerics.js";

const pw = (N: number, C: number, K: number, H: number, W: number, e: FamCase["e"], fill?: "min"): FamCase =>
  ({ N, C, H, W, K, groups: 1, g: geom(1, 1), e, ...(fill ? { fill } : {}) });

const fixed: FamCase[] = [
  pw(1, 3, 5, 7, 9, epi(0, 5, 5, 127)),
  pw(3, 5, 7, 3, 5, epi(0, -7)),
  pw(1, 33, 10, 6, 11, epi(0, 4, -30, 50)),
  pw(2, 37, 74, 5, 7, epi(0, 5, 5, 80)),
  pw(1, 64, 36, 9, 8, epi(0, 0, 0, 127)),
  pw(1, 96, 17, 7, 7, epi(0, -3)),
  pw(1, 1, 3, 2, 3, epi(0, 0)),
  pw(1, 32, 32, 1, 1, epi(0, 0)),
  pw(3, 4, 4, 1, 3, epi(0, 9, 9, 20)),
  pw(1, 40, 9, 6, 13, epi(0, 0), "min"),
  pw(1, 70, 66, 4, 4, epi(0, 127, -128, 127), "min"),
];

function randomCases(): FamCase[] {
  const rng = new Rng(4242);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  const out: FamCase[] = [];
  for (let i = 0; i < 30; i++) {
    const yZero = pick([0, 5, -9]);
    const range = pick([[-128, 127], [yZero, 127], [yZero, Math.min(127, yZero + 40)]] as const);
    out.push(pw(pick([1, 3]), pick([1, 2, 3, 4, 5, 8, 9, 31, 32, 33, 37, 64, 65]), pick([1, 2, 3, 4, 5, 8, 13, 33, 40]),
      pick([1, 2, 3, 5, 8]), pick([1, 3, 4, 7, 9, 13]), epi(0, yZero, range[0], range[1])));
  }
  return out;
}

const cases = [...fixed, ...randomCases()];

for (const layout of LAYOUTS) {
  test(`conv1x1 ${layout}: bit-exact vs reference over ${cases.length} shapes, padding channels 0`, () => {
    const k = loadKernels("release");
    cases.forEach((c, i) => {
      const r = runFam(k, "conv1x1", layout, c, 900 + i);
      assert.is(firstDiff(r.got, r.want), "none", `conv1x1 ${layout} ${describe(c)}`);
      assert.is(r.badPadding, 0, `padding channels ${describe(c)}`);
    });
  });

  test(`conv1x1 ${layout}: debug build, no OUT_OF_BOUNDS with x or y last in the arena`, () => {
    const k = debugKernels();
    cases.filter((_, i) => i % 3 === 0 || i < fixed.length).forEach((c, i) => {
      for (const last of ["x", "y"] as const) {
        const r = runFam(k, "conv1x1", layout, c, 1100 + i, last);
        assert.is(firstDiff(r.got, r.want), "none", `conv1x1 ${layout} debug (${last} last) ${describe(c)}`);
      }
    });
  });
}

test("conv1x1: outputs are not degenerate (the comparison can fail)", () => {
  const r = runFam(loadKernels("release"), "conv1x1", "nchw4", fixed[4]!, 7);
  assert.ok(new Set(r.want).size > 50, `only ${new Set(r.want).size} distinct outputs`);
});

// acc = x (one channel, weight 1, bias 0) and m = 0.5: every odd x is a tie,
// which must round to even BEFORE the zero point is added (odd zero points
// show the difference), then clamp; channel 1 has m = 1/3 and weight -1.
test("conv1x1: epilogue ties round half to even before the zero point, then clamp (both layouts, release and debug)", () => {
  const W = 256;
  const x = Int8Array.from({ length: W }, (_, i) => i - 128);
  const w = Int8Array.from([1, -1]);
  const mult = Float32Array.from([0.5, Math.fround(1 / 3)]);
  for (const k of [loadKernels("release"), debugKernels()])
    for (const layout of LAYOUTS)
      for (const [yZero, lo, hi] of [[5, -128, 127], [-7, -128, 127], [5, 5, 127], [3, -20, 9], [0, 0, 127], [127, -128, 127], [-128, -128, 127]] as const) {
        const mark = k.arena.mark();
        const packed = packConv1x1(w, new Int32Array(2), mult, 2, 1, layout);
        const dev = uploadParams(k, packed);
        const xp = putI8(k, packBlocked(x, 1, 1, 1, W, layout));
        const bytes = blockedBytes(1, 2, 1, W, layout);
        const yp = garbageOut(k, bytes);
        conv1x1S8(k, packed, dev, { x: xp, N: 1, C: 1, H: 1, W, epilogue: { xZero: 0, yZero, lo, hi }, y: yp });
        const got = unpackBlocked(getI8(k, yp, bytes), 1, 2, 1, W, layout);
        for (let i = 0; i < W; i++) {
          const v = x[i]!;
          const want0 = Math.min(hi, Math.max(lo, roundHalfEven(v / 2) + yZero));
          assert.is(got[i], want0, `x=${v} m=0.5 yZero=${yZero} [${lo},${hi}] ${layout} ${k.flavor}`);
          assert.is(got[W + i], requantizeZc(-v, mult[1]!, yZero, lo, hi), `x=${v} m=1/3 yZero=${yZero} ${layout} ${k.flavor}`);
        }
        k.arena.release(mark);
      }
});

test("clampRange: none, ReLU (lo = yZero), ReLU6 (hi = yZero + round(6 / sy), clamped)", () => {
  assert.equal(clampRange("none", 5, 0.1), [-128, 127]);
  assert.equal(clampRange("relu", 5, 0.1), [5, 127]);
  assert.equal(clampRange("relu6", 5, 0.1), [5, 65]);
  assert.equal(clampRange("relu6", -128, 6 / 255), [-128, 127]);
  assert.equal(clampRange("relu6", 0, 6 / 127), [0, 127]);
  assert.equal(requantizeZc(5, 0.5, 0, -128, 127), 2); // 2.5 -> 2
  assert.equal(requantizeZc(5, 0.5, 1, -128, 127), 3); // 2 + 1, not round(3.5) = 4
});

test.run();
