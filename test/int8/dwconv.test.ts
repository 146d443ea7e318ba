// dwconv_nchw4_s8 / dwconv_nc32hw32_s8 vs the scalar reference (convg with
// groups = C), bit-exact: channel multipliers 1..3, 3x3 / 5x5 / rectangular
// / even / 1x1 kernels, strides 1 and 2 (and per axis), dilation, pads
// larger than the stride and asymmetric, bands wider than DW_BAND, zero
// points and clamp ranges; output padding channels exactly 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { debugKernels, firstDiff } from "./helpers.js";
import { type FamCase, describe, epi, geom, runFam } from "./convfam-helpers.js";

const dw = (N: number, C: number, M: number, H: number, W: number, g: FamCase["g"], e: FamCase["e"], fill?: "min"): FamCase =>
  ({ N, C, H, W, K: C * M, groups: C, g, e, ...(fill ? { fill } : {}) });

const fixed: FamCase[] = [
  dw(1, 3, 1, 7, 9, geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), epi(-7, 5, 5, 127)),
  dw(3, 5, 1, 9, 6, geom(3, 3, 2, 2, 1, 1, [1, 1, 1, 1]), epi(-7, 5)),
  dw(1, 33, 1, 8, 11, geom(5, 5, 1, 1, 1, 1, [2, 2, 2, 2]), epi(4, -3, -30, 50)),
  dw(2, 37, 1, 10, 7, geom(5, 5, 2, 2, 1, 1, [3, 4, 2, 1]), epi(-7, 5, 5, 80)),
  dw(1, 37, 2, 6, 9, geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), epi(-7, 5)),
  dw(3, 3, 2, 7, 8, geom(3, 5, 2, 1, 2, 1, [4, 3, 1, 0]), epi(0, 0, 0, 127)),
  dw(1, 5, 3, 9, 9, geom(2, 2, 1, 2, 1, 1, [1, 0, 0, 1]), epi(9, -1)),
  dw(1, 8, 1, 13, 12, geom(3, 3, 1, 1, 2, 2, [2, 2, 2, 2]), epi(-7, 5)),
  dw(2, 37, 1, 11, 9, geom(3, 3, 1, 1, 2, 1, [2, 1, 2, 1]), epi(-7, 5, -100, 100)),
  dw(1, 5, 1, 12, 13, geom(3, 3, 2, 2, 2, 1, [1, 1, 0, 0]), epi(3, -2)),
  dw(1, 9, 2, 9, 70, geom(3, 3, 2, 1, 1, 1, [2, 0, 1, 2]), epi(-7, 5)),
  dw(2, 64, 1, 6, 5, geom(3, 3, 2, 2, 1, 1, [0, 0, 1, 1]), epi(-7, 5, 5, 45)),
  dw(1, 32, 1, 5, 150, geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), epi(-7, 5)),
  dw(1, 6, 1, 4, 140, geom(5, 5, 1, 2, 1, 3, [2, 6, 2, 5]), epi(1, 2)),
  dw(1, 7, 1, 5, 6, geom(1, 1), epi(-7, 5)),
  dw(1, 7, 2, 5, 6, geom(1, 1, 2, 2), epi(-7, 5)),
  dw(1, 4, 1, 11, 10, geom(7, 7, 1, 1, 1, 1, [6, 6, 3, 3]), epi(-7, 5)),
  dw(1, 5, 1, 6, 7, geom(4, 1, 1, 1, 1, 1, [3, 0, 0, 0]), epi(0, 0)),
  dw(1, 35, 2, 6, 5, geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), epi(-128, 0), "min"),
  dw(1, 40, 1, 5, 6, geom(5, 5, 1, 1, 1, 1, [2, 2, 2, 2]), epi(-128, 127, -128, 127), "min"),
];

function randomCases(): FamCase[] {
  const rng = new Rng(77);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  const out: FamCase[] = [];
  for (let i = 0; i < 30; i++) {
    const kh = pick([1, 2, 3, 3, 5, 5]), kw = pick([1, 3, 3, 5, 5, 4]);
    const dh = pick([1, 1, 2]), dwi = pick([1, 1, 2, 3]);
    const eh = (kh - 1) * dh + 1, ew = (kw - 1) * dwi + 1;
    const pad = (e: number) => Math.floor(rng.next() * e);
    const yZero = pick([0, 5, -9]);
    const range = pick([[-128, 127], [yZero, 127], [yZero, Math.min(127, yZero + 40)]] as const);
    out.push(dw(pick([1, 3]), pick([1, 3, 4, 5, 8, 31, 33, 37]), pick([1, 1, 1, 2, 3]), eh + pick([0, 2, 5]), ew + pick([1, 3, 9, 70]),
      geom(kh, kw, pick([1, 2]), pick([1, 2]), dh, dwi, [pad(eh), pad(ew), pad(eh), pad(ew)]),
      epi(pick([0, -7, 20]), yZero, range[0], range[1])));
  }
  return out;
}

const cases = [...fixed, ...randomCases()];

for (const layout of LAYOUTS) {
  test(`dwconv ${layout}: bit-exact vs reference over ${cases.length} shapes, padding channels 0`, () => {
    const k = loadKernels("release");
    cases.forEach((c, i) => {
      const r = runFam(k, "dwconv", layout, c, 500 + i);
      assert.is(firstDiff(r.got, r.want), "none", `dwconv ${layout} ${describe(c)}`);
      assert.is(r.badPadding, 0, `padding channels ${describe(c)}`);
    });
  });

  test(`dwconv ${layout}: debug build, no OUT_OF_BOUNDS with x, y or scratch last in the arena`, () => {
    const k = debugKernels();
    cases.filter((_, i) => i % 3 === 0 || i < fixed.length).forEach((c, i) => {
      for (const last of ["x", "y", "scratch"] as const) {
        const r = runFam(k, "dwconv", layout, c, 700 + i, last);
        assert.is(firstDiff(r.got, r.want), "none", `dwconv ${layout} debug (${last} last) ${describe(c)}`);
      }
    });
  });
}

test("dwconv: outputs are not degenerate (the comparison can fail)", () => {
  const r = runFam(loadKernels("release"), "dwconv", "nc32hw32", fixed[2]!, 7);
  assert.ok(new Set(r.want).size > 50, `only ${new Set(r.want).size} distinct outputs`);
});

test.run();
