// pool2d_{nchw4,nc32hw32}_s8 and gap_{nchw4,nc32hw32}_s8 (debug and release
// builds) vs the scalar references, bit for bit: max and average, kernels
// kh x kw, strides, asymmetric pads, ceil_mode, count_include_pad, zero
// points, odd shapes; padding lanes exactly 0. The output size follows ONNX
// (including ceil_mode's last-window rule); GAP equals pool2d over the whole
// plane; pool2d without pads equals the LeNet pooling kernels.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, type Layout } from "../../src/int8/layout.js";
import { pool2dOutputSize, type Pool2dGeometry, type Pads } from "../../src/int8/pool-shapes.js";
import { gapS8, pool2dS8, type PoolMethod } from "../../src/int8/ops-pool2d.js";
import { poolS8 } from "../../src/int8/ops.js";
import { gapS8Ref, pool2dS8Ref } from "../../src/reference/pool2d-s8.js";
import { avgPoolS8Ref, maxPoolS8Ref } from "../../src/reference/pool-s8.js";
import type { QuantParams } from "../../src/int8/numerics.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { firstDiff, randomI8 } from "./helpers.js";
import { builds, outBlocked, pick, putBlocked, randomQuant, readBlocked } from "./quant-helpers.js";
import { expectOctetError } from "../helpers.js";

const geo = (kh: number, kw: number, sh: number, sw: number, pads: Pads, ceilMode: boolean): Pool2dGeometry => ({ kh, kw, sh, sw, pads, ceilMode });

const GEOMETRIES: Pool2dGeometry[] = [
  geo(3, 3, 2, 2, [1, 1, 1, 1], false), // ResNet's stem max pool
  geo(3, 3, 2, 2, [1, 1, 1, 1], true),
  geo(3, 3, 2, 2, [0, 0, 0, 0], true), // SqueezeNet's ceil_mode max pool
  geo(2, 2, 2, 2, [0, 0, 0, 0], true),
  geo(3, 2, 1, 2, [2, 1, 0, 1], false),
  geo(5, 3, 3, 1, [2, 0, 4, 2], true),
  geo(7, 7, 1, 1, [3, 3, 3, 3], false),
  geo(1, 1, 2, 3, [0, 0, 0, 0], true),
  geo(2, 4, 3, 3, [1, 3, 1, 0], true),
];

interface Case { N: number; C: number; H: number; W: number; g: Pool2dGeometry; qx: QuantParams; qy: QuantParams; countIncludePad: boolean }

function cases(): Case[] {
  const rng = new Rng(41);
  const out: Case[] = [];
  for (const C of [1, 3, 5, 33, 37]) {
    for (const g of GEOMETRIES) {
      const H = Math.max(g.kh, pick(rng, [5, 6, 9])), W = Math.max(g.kw, pick(rng, [7, 13, 18]));
      out.push({ N: pick(rng, [1, 3]), C, H, W, g, qx: randomQuant(rng, 60), qy: randomQuant(rng, 60), countIncludePad: rng.next() < 0.5 });
    }
  }
  out.push({ N: 1, C: 6, H: 13, W: 11, g: geo(13, 11, 1, 1, [0, 0, 0, 0], false), qx: randomQuant(rng), qy: randomQuant(rng), countIncludePad: false });
  out.push({ N: 2, C: 32, H: 32, W: 33, g: geo(32, 32, 1, 1, [0, 0, 0, 0], false), qx: { scale: 0.02, zeroPoint: 0 }, qy: { scale: 0.02, zeroPoint: 0 }, countIncludePad: false });
  out.push({ N: 1, C: 5, H: 3, W: 255, g: geo(3, 255, 1, 1, [0, 0, 0, 0], false), qx: { scale: 0.02, zeroPoint: -128 }, qy: { scale: 0.02, zeroPoint: 3 }, countIncludePad: false });
  return out;
}

function runCase(k: Kernels, layout: Layout, method: PoolMethod, c: Case, rng: Rng): string {
  const mark = k.arena.mark();
  const { N, C, H, W } = c;
  const x = randomI8(rng, N * C * H * W);
  const qy = method === "max" ? c.qx : c.qy;
  const want = pool2dS8Ref({ x, N, C, H, W, geometry: c.g, method, countIncludePad: c.countIncludePad, qx: c.qx, qy });
  const xp = putBlocked(k, x, N, C, H, W, layout, method === "average");
  const yp = outBlocked(k, N, C, want.Ho, want.Wo, layout);
  const [Ho, Wo] = pool2dS8(k, layout, { x: xp, N, C, H, W, y: yp, geometry: c.g, method, countIncludePad: c.countIncludePad, qx: c.qx, qy });
  const { y, badPadding } = readBlocked(k, yp, N, C, Ho, Wo, layout);
  k.arena.release(mark);
  if (Ho !== want.Ho || Wo !== want.Wo) return `size ${Ho}x${Wo} vs ${want.Ho}x${want.Wo}`;
  if (badPadding !== 0) return `${badPadding} padding bytes not 0`;
  return firstDiff(y, want.y);
}

test("pool2dOutputSize follows ONNX: floor / ceil, pads, ceil_mode's last window starts inside input or begin pad", () => {
  const size = (H: number, k: number, s: number, pads: Pads, ceil: boolean) => pool2dOutputSize(H, H, k, k, s, s, pads, ceil)[0];
  assert.is(size(5, 2, 2, [0, 0, 0, 0], false), 2);
  assert.is(size(5, 2, 2, [0, 0, 0, 0], true), 3);
  assert.is(size(6, 2, 3, [0, 0, 0, 0], true), 2); // a third window would start at 6, past the input
  assert.is(size(7, 2, 3, [0, 0, 0, 0], true), 3);
  assert.is(size(112, 3, 2, [1, 1, 1, 1], false), 56); // ResNet stem
  assert.is(size(111, 3, 2, [0, 0, 0, 0], true), 55); // SqueezeNet
  assert.is(size(4, 3, 2, [1, 1, 1, 1], true), 3);
  assert.is(size(5, 3, 2, [2, 2, 2, 2], true), 4); // start 4 = 6 - 2 inside the input
  assert.equal(pool2dOutputSize(10, 7, 3, 2, 2, 1, [1, 0, 1, 1], true), [6, 7]);
});

for (const method of ["max", "average"] as PoolMethod[]) {
  for (const layout of LAYOUTS) {
    test(`pool2d_${layout}_s8 ${method}: bit-exact vs reference (pads, ceil_mode, count_include_pad, zero points)`, () => {
      for (const [build, k] of builds()) {
        const rng = new Rng(method === "max" ? 42 : 43);
        for (const c of cases()) assert.is(runCase(k, layout, method, c, rng), "none", `${build} ${method} ${layout} ${JSON.stringify(c)}`);
      }
    });
  }
}

test("pool2d without pads equals the LeNet pooling kernels (same scale in and out, zero point 0)", () => {
  const [, k] = builds()[0]!;
  const rng = new Rng(44);
  for (const layout of LAYOUTS) {
    for (const [N, C, H, W, window, stride] of [[2, 20, 24, 24, 2, 2], [1, 5, 9, 11, 3, 2], [3, 33, 8, 8, 8, 1]] as const) {
      const mark = k.arena.mark();
      const x = randomI8(rng, N * C * H * W);
      const q = { scale: 0.05, zeroPoint: 0 };
      for (const method of ["max", "average"] as PoolMethod[]) {
        const xp = putBlocked(k, x, N, C, H, W, layout);
        const g = geo(window, window, stride, stride, [0, 0, 0, 0], false);
        const old = (method === "max" ? maxPoolS8Ref : avgPoolS8Ref)({ x, N, C, H, W, window, stride });
        const yp = outBlocked(k, N, C, old.Ho, old.Wo, layout), zp = outBlocked(k, N, C, old.Ho, old.Wo, layout);
        pool2dS8(k, layout, { x: xp, N, C, H, W, y: yp, geometry: g, method, qx: q, qy: q });
        poolS8(k, method === "max" ? "max" : "avg", layout, { x: xp, N, C, H, W, window, stride, y: zp });
        const a = readBlocked(k, yp, N, C, old.Ho, old.Wo, layout).y, b = readBlocked(k, zp, N, C, old.Ho, old.Wo, layout).y;
        assert.is(firstDiff(a, b), "none", `${layout} ${method} ${[N, C, H, W, window, stride]} vs ${method}pool_${layout}_s8`);
        assert.is(firstDiff(a, old.y), "none", `${layout} ${method} vs the LeNet reference`);
      }
      k.arena.release(mark);
    }
  }
});

test("gap_*_s8: bit-exact vs reference and equal to pool2d over the whole plane; padding lanes 0", () => {
  const shapes = [[1, 3, 7, 7], [3, 5, 4, 9], [1, 33, 1, 1], [2, 37, 3, 5], [1, 64, 7, 7], [1, 4, 33, 31], [1, 9, 45, 46], [1, 1, 1, 3]] as const;
  for (const [build, k] of builds()) {
    const rng = new Rng(45);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of shapes) {
        const mark = k.arena.mark();
        const qx = randomQuant(rng, 60), qy = randomQuant(rng, 60);
        const x = randomI8(rng, N * C * H * W);
        const xp = putBlocked(k, x, N, C, H, W, layout, true);
        const yp = outBlocked(k, N, C, 1, 1, layout);
        gapS8(k, layout, { x: xp, N, C, H, W, y: yp, qx, qy });
        const out = readBlocked(k, yp, N, C, 1, 1, layout);
        const what = `${build} gap ${layout} ${[N, C, H, W]}`;
        assert.is(out.badPadding, 0, `${what}: padding`);
        assert.is(firstDiff(out.y, gapS8Ref(x, N, C, H, W, qx, qy)), "none", what);
        if (H <= 32 && W <= 32) {
          const pp = outBlocked(k, N, C, 1, 1, layout);
          pool2dS8(k, layout, { x: xp, N, C, H, W, y: pp, geometry: geo(H, W, 1, 1, [0, 0, 0, 0], false), method: "average", qx, qy });
          assert.is(firstDiff(readBlocked(k, pp, N, C, 1, 1, layout).y, out.y), "none", `${what} vs pool2d ${H}x${W}`);
        }
        k.arena.release(mark);
      }
    }
  }
});

test("gap_*_s8: a large plane (int16 partial sums flushed to int32) with extreme values", () => {
  const [, k] = builds()[0]!;
  for (const layout of LAYOUTS) {
    for (const v of [-128, 127]) {
      const [N, C, H, W] = [1, 5, 61, 67];
      const mark = k.arena.mark();
      const x = new Int8Array(N * C * H * W).fill(v);
      const qx = { scale: 0.01, zeroPoint: 0 }, qy = { scale: 0.011, zeroPoint: -3 };
      const xp = putBlocked(k, x, N, C, H, W, layout);
      const yp = outBlocked(k, N, C, 1, 1, layout);
      gapS8(k, layout, { x: xp, N, C, H, W, y: yp, qx, qy });
      const y = readBlocked(k, yp, N, C, 1, 1, layout).y;
      assert.is(firstDiff(y, gapS8Ref(x, N, C, H, W, qx, qy)), "none", `${layout} all ${v}`);
      assert.is(y[0], v < 0 ? -119 : 112); // round(v * 0.01 / 0.011) - 3
      k.arena.release(mark);
    }
  }
});

test("pool2d / gap wrappers refuse bad geometry and scales", () => {
  const [, k] = builds()[0]!;
  const q = { scale: 0.1, zeroPoint: 0 };
  const base = { x: 64, N: 1, C: 3, H: 5, W: 5, y: 64, method: "average" as PoolMethod, qx: q, qy: q };
  expectOctetError(() => pool2dS8(k, "nchw4", { ...base, geometry: geo(3, 3, 1, 1, [3, 0, 0, 0], false) }), "BAD_ARGUMENT", /padTop/);
  expectOctetError(() => pool2dS8(k, "nchw4", { ...base, geometry: geo(256, 3, 1, 1, [0, 0, 0, 0], false) }), "BAD_ARGUMENT", /kh/);
  expectOctetError(() => pool2dS8(k, "nchw4", { ...base, geometry: geo(7, 3, 1, 1, [0, 0, 0, 0], false) }), "BAD_ARGUMENT", /padded input/);
  expectOctetError(() => pool2dS8(k, "nc32hw32", { ...base, method: "max", qy: { scale: 0.2, zeroPoint: 0 }, geometry: geo(3, 3, 1, 1, [0, 0, 0, 0], false) }), "BAD_ARGUMENT", /keeps x's scale/);
  expectOctetError(() => gapS8(k, "nchw4", { ...base, H: 4096, W: 4096 }), "BAD_ARGUMENT", /H\*W/);
});

test.run();
