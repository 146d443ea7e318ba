// convg_nchw4_s8 / convg_nc32hw32_s8 vs the scalar reference, bit-exact:
// groups, rectangular kernels, per-axis strides and dilations, asymmetric
// pads, input/output zero points and clamp ranges, odd channel counts; the
// output's padding channels exactly 0 (also with yZero != 0).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { debugKernels, firstDiff } from "./helpers.js";
import { type FamCase, describe, epi, geom, runFam } from "./convfam-helpers.js";
import { expectOctetError } from "../helpers.js";
import { packConvg } from "../../src/int8/pack-convg.js";
import { packDwconv } from "../../src/int8/pack-dwconv.js";
import { packConv1x1 } from "../../src/int8/pack-conv1x1.js";
import { conv1x1S8, convgS8, dwconvS8, uploadParams } from "../../src/int8/ops.js";

const fixed: FamCase[] = [
  { N: 1, C: 3, H: 7, W: 9, K: 5, groups: 1, g: geom(3, 2, 2, 1, 1, 2, [2, 1, 0, 1]), e: epi(-7, 5, 5, 127) },
  { N: 3, C: 6, H: 5, W: 8, K: 9, groups: 3, g: geom(3, 3, 1, 1, 2, 2, [2, 2, 2, 2]), e: epi(-7, 5) },
  { N: 1, C: 33, H: 6, W: 11, K: 10, groups: 1, g: geom(1, 3, 1, 2, 1, 1, [0, 2, 0, 1]), e: epi(3, -4, -20, 40) },
  { N: 2, C: 37, H: 9, W: 7, K: 74, groups: 37, g: geom(3, 3, 2, 2, 1, 1, [1, 1, 1, 1]), e: epi(-7, 5, 5, 60) },
  { N: 1, C: 10, H: 11, W: 12, K: 6, groups: 2, g: geom(5, 5, 2, 3, 1, 1, [0, 4, 3, 1]), e: epi(0, 0) },
  { N: 1, C: 64, H: 5, W: 6, K: 36, groups: 4, g: geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), e: epi(-1, 2, 2, 127) },
  { N: 3, C: 5, H: 9, W: 6, K: 7, groups: 1, g: geom(1, 1, 2, 2), e: epi(-7, 5) },
  { N: 1, C: 33, H: 5, W: 7, K: 33, groups: 3, g: geom(2, 3, 1, 1, 2, 1, [1, 0, 2, 2]), e: epi(12, -9, -100, 100) },
  { N: 1, C: 96, H: 4, W: 5, K: 48, groups: 2, g: geom(3, 1, 1, 1, 1, 1, [1, 0, 1, 0]), e: epi(0, 0, 0, 127) },
  { N: 2, C: 4, H: 17, W: 19, K: 8, groups: 2, g: geom(7, 5, 3, 2, 2, 3, [6, 12, 5, 3]), e: epi(-7, 5, -128, 30) },
  { N: 1, C: 9, H: 6, W: 7, K: 6, groups: 3, g: geom(3, 3, 1, 1, 1, 1, [2, 2, 2, 2]), e: epi(-128, 0), fill: "min" },
];

function randomCases(): FamCase[] {
  const rng = new Rng(2024);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  const out: FamCase[] = [];
  for (let i = 0; i < 24; i++) {
    const groups = pick([1, 1, 2, 3, 4]);
    const C = groups * pick([1, 2, 3, 5, 8, 11]);
    const K = groups * pick([1, 2, 3, 5, 7]);
    const kh = pick([1, 2, 3, 5]), kw = pick([1, 2, 3, 4]);
    const dh = pick([1, 1, 2]), dw = pick([1, 2, 3]);
    const eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    const pad = (e: number) => Math.floor(rng.next() * e);
    const H = eh + pick([0, 2, 5]), W = ew + pick([1, 3, 6]);
    const yZero = pick([0, 5, -9]);
    const range = pick([[-128, 127], [yZero, 127], [yZero, Math.min(127, yZero + 40)]] as const);
    out.push({
      N: pick([1, 3]), C, H, W, K, groups,
      g: geom(kh, kw, pick([1, 2]), pick([1, 2, 3]), dh, dw, [pad(eh), pad(ew), pad(eh), pad(ew)]),
      e: epi(pick([0, -7, 20]), yZero, range[0], range[1]),
    });
  }
  return out;
}

const cases = [...fixed, ...randomCases()];

for (const layout of LAYOUTS) {
  test(`convg ${layout}: bit-exact vs reference over ${cases.length} shapes, padding channels 0`, () => {
    const k = loadKernels("release");
    cases.forEach((c, i) => {
      const r = runFam(k, "convg", layout, c, 100 + i);
      assert.is(firstDiff(r.got, r.want), "none", `convg ${layout} ${describe(c)}`);
      assert.is(r.badPadding, 0, `padding channels ${describe(c)}`);
    });
  });

  test(`convg ${layout}: debug build, no OUT_OF_BOUNDS with x, y or scratch last in the arena`, () => {
    const k = debugKernels();
    cases.filter((_, i) => i % 3 === 0 || i < fixed.length).forEach((c, i) => {
      for (const last of ["x", "y", "scratch"] as const) {
        const r = runFam(k, "convg", layout, c, 300 + i, last);
        assert.is(firstDiff(r.got, r.want), "none", `convg ${layout} debug (${last} last) ${describe(c)}`);
      }
    });
  });
}

test("convg: outputs are not degenerate (the comparison can fail)", () => {
  const k = loadKernels("release");
  const r = runFam(k, "convg", "nchw4", fixed[5]!, 7);
  assert.ok(new Set(r.want).size > 50, `only ${new Set(r.want).size} distinct outputs`);
});

test("conv family wrappers refuse bad arguments with BAD_ARGUMENT before running", () => {
  const k = loadKernels("release");
  const mark = k.arena.mark();
  const g3 = packConvg(new Int8Array(6 * 2 * 9), new Int32Array(6), new Float32Array(6), 6, 4, 2, 3, 3, "nchw4");
  const dev = uploadParams(k, g3);
  const p = k.arena.alloc(4096);
  const call = { x: p, N: 1, C: 4, H: 8, W: 8, geometry: geom(3, 3, 1, 1, 1, 1, [1, 1, 1, 1]), epilogue: epi(0, 0), y: p, scratch: p };
  convgS8(k, g3, dev, call);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, C: 5 }), "BAD_ARGUMENT", /C: expected 4/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, geometry: geom(3, 2) }), "BAD_ARGUMENT", /kernel: expected 3x3/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, geometry: geom(3, 3, 1, 1, 1, 1, [3, 0, 0, 0]) }), "BAD_ARGUMENT", /padTop/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, geometry: geom(3, 3, 9, 1) }), "BAD_ARGUMENT", /sh/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, geometry: geom(3, 3, 1, 1, 5, 1) }), "BAD_ARGUMENT", /dilated window/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, epilogue: epi(0, 0, 10, 9) }), "BAD_ARGUMENT", /hi/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, epilogue: epi(-129, 0) }), "BAD_ARGUMENT", /xZero/);
  expectOctetError(() => convgS8(k, g3, dev, { ...call, y: 0 }), "BAD_ARGUMENT", /y: expected a pointer/);
  expectOctetError(() => convgS8(k, { ...g3, groups: 3 }, dev, call), "BAD_ARGUMENT", /groups: expected a divisor/);
  const dw = packDwconv(new Int8Array(8 * 9), new Int32Array(8), new Float32Array(8), 4, 2, 3, 3, "nc32hw32");
  expectOctetError(() => dwconvS8(k, dw, uploadParams(k, dw), { ...call, C: 3 }), "BAD_ARGUMENT", /C: expected 4/);
  const pw = packConv1x1(new Int8Array(8), new Int32Array(2), new Float32Array(2), 2, 4, "nchw4");
  expectOctetError(() => conv1x1S8(k, pw, uploadParams(k, pw), { x: p, N: 0, C: 4, H: 2, W: 2, epilogue: epi(0, 0), y: p }), "BAD_ARGUMENT", /N:/);
  k.arena.release(mark);
});

test.run();
