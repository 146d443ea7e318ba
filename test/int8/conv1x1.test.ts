// conv1x1_nchw4_s8 / conv1x1_nc32hw32_s8 vs the scalar reference (convg with
// a 1x1 kernel), bit-exact: channel counts off the 4 / 32 lanes, pixel
// counts off the 4-pixel tiles and the 32-pixel chunks, N = 1 and 3, zero
// points and clamp ranges; output padding channels exactly 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { debugKernels, firstDiff } from "./helpers.js";
import { type FamCase, describe, epi, geom, runFam } from "./convfam-helpers.js";

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

test.run();
