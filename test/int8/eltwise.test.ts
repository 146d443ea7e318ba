// add_s8 / sub_s8 / mul_s8 (debug and release builds) vs the scalar reference
// (src/reference/eltwise-s8.ts), bit for bit, in both layouts: odd shapes,
// every broadcast, nonzero zero points, fused clamps, ties, in place; padding
// lanes of the output exactly 0 even with garbage in the inputs' padding.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, type Layout } from "../../src/int8/layout.js";
import { broadcastShape, type Broadcast } from "../../src/int8/broadcast.js";
import { addS8, mulS8, subS8, type EltwiseCall } from "../../src/int8/ops-eltwise.js";
import { eltwiseS8Ref, type EltwiseOp } from "../../src/reference/eltwise-s8.js";
import type { QuantParams } from "../../src/int8/numerics.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { firstDiff, randomI8 } from "./helpers.js";
import { builds, outBlocked, pick, putBlocked, randomQuant, readBlocked } from "./quant-helpers.js";
import { expectOctetError } from "../helpers.js";

const BROADCASTS: Broadcast[] = ["same", "image-channel", "channel", "scalar"];
const RUN = { add: addS8, sub: subS8, mul: mulS8 };

interface Case {
  N: number; C: number; H: number; W: number; broadcast: Broadcast;
  qa: QuantParams; qb: QuantParams; qy: QuantParams; lo: number; hi: number;
}

function cases(op: EltwiseOp): Case[] {
  const rng = new Rng(op.length * 7 + op.charCodeAt(0));
  const out: Case[] = [];
  for (const C of [1, 3, 4, 5, 32, 33, 37]) {
    for (const broadcast of BROADCASTS) {
      const qa = randomQuant(rng), qb = randomQuant(rng);
      // Mul's product scale is sa*sb: an output scale near it keeps results in range.
      const qy = op === "mul" ? { scale: Math.fround(qa.scale * qb.scale * rng.uniform(40, 120)), zeroPoint: Math.round(rng.uniform(-30, 30)) } : randomQuant(rng);
      const [lo, hi] = pick(rng, [[-128, 127], [qy.zeroPoint, 127], [qy.zeroPoint, Math.min(127, qy.zeroPoint + 50)]] as const);
      out.push({ N: pick(rng, [1, 3]), C, H: pick(rng, [1, 3, 5]), W: pick(rng, [2, 7, 9]), broadcast, qa, qb, qy, lo, hi });
    }
  }
  // Ties: mb = 0.5 (sb = sy / 2), so an odd (b - zb) gives v = k + 0.5.
  out.push({ N: 2, C: 6, H: 3, W: 5, broadcast: "same", qa: { scale: 0.02, zeroPoint: 3 }, qb: { scale: 0.01, zeroPoint: -5 }, qy: { scale: 0.02, zeroPoint: 1 }, lo: -128, hi: 127 });
  // Symmetric, LeNet-like.
  out.push({ N: 1, C: 20, H: 12, W: 12, broadcast: "same", qa: { scale: 0.03, zeroPoint: 0 }, qb: { scale: 0.04, zeroPoint: 0 }, qy: { scale: 0.05, zeroPoint: 0 }, lo: 0, hi: 127 });
  return out;
}

function runCase(k: Kernels, op: EltwiseOp, layout: Layout, c: Case, rng: Rng, inPlace: boolean): string {
  const mark = k.arena.mark();
  const { N, C, H, W } = c;
  const bShape = broadcastShape(c.broadcast, N, C, H, W);
  const a = randomI8(rng, N * C * H * W), b = randomI8(rng, bShape.reduce((s, d) => s * d, 1));
  const want = eltwiseS8Ref({ op, a, b, ...c });
  const ap = putBlocked(k, a, N, C, H, W, layout, true);
  const bp = putBlocked(k, b, ...bShape, layout, true);
  const yp = inPlace ? ap : outBlocked(k, N, C, H, W, layout);
  const call: EltwiseCall = { a: ap, b: bp, y: yp, ...c };
  RUN[op](k, layout, call);
  const { y, badPadding } = readBlocked(k, yp, N, C, H, W, layout);
  k.arena.release(mark);
  if (badPadding !== 0) return `${badPadding} padding bytes not 0`;
  return firstDiff(y, want);
}

for (const op of ["add", "sub", "mul"] as EltwiseOp[]) {
  for (const layout of LAYOUTS) {
    test(`${op}_s8 ${layout}: bit-exact vs reference, every broadcast, zero points, clamps; padding 0`, () => {
      for (const [build, k] of builds()) {
        const rng = new Rng(11);
        for (const c of cases(op)) {
          const d = runCase(k, op, layout, c, rng, false);
          assert.is(d, "none", `${build} ${op} ${layout} ${JSON.stringify(c)}`);
        }
      }
    });
  }
  test(`${op}_s8: in place (y = a), both layouts`, () => {
    const [, k] = builds()[0]!;
    const rng = new Rng(12);
    for (const layout of LAYOUTS) for (const c of cases(op).slice(0, 12)) assert.is(runCase(k, op, layout, c, rng, true), "none", `${layout} ${JSON.stringify(c)}`);
  });
}

test("add_s8 reference: ties round to even, the zero point added after rounding", () => {
  // ma = 1, mb = 0.5: a - za = 0, b - zb = 1 -> v = 0.5 -> 0; b - zb = 3 -> 1.5 -> 2; then + zy = 1.
  const y = eltwiseS8Ref({
    op: "add", a: new Int8Array([3, 3, 3]), b: new Int8Array([-4, -2, -6]), N: 1, C: 3, H: 1, W: 1, broadcast: "same",
    qa: { scale: 0.02, zeroPoint: 3 }, qb: { scale: 0.01, zeroPoint: -5 }, qy: { scale: 0.02, zeroPoint: 1 },
  });
  assert.equal(Array.from(y), [1, 3, 1]);
});

test("eltwise wrappers refuse bad arguments", () => {
  const [, k] = builds()[0]!;
  const q = { scale: 0.1, zeroPoint: 0 };
  const base: EltwiseCall = { a: 64, b: 64, y: 64, N: 1, C: 3, H: 2, W: 2, broadcast: "same", qa: q, qb: q, qy: q };
  expectOctetError(() => addS8(k, "nchw4", { ...base, qa: { scale: 0.1, zeroPoint: 128 } }), "BAD_ARGUMENT", /qa.zeroPoint/);
  expectOctetError(() => addS8(k, "nchw4", { ...base, lo: 10, hi: 5 }), "BAD_ARGUMENT", /hi/);
  expectOctetError(() => mulS8(k, "nchw4", { ...base, broadcast: "rows" as Broadcast }), "BAD_ARGUMENT", /broadcast/);
  expectOctetError(() => subS8(k, "nchw8" as Layout, base), "BAD_ARGUMENT", /layout/);
  expectOctetError(() => addS8(k, "nchw4", { ...base, qy: { scale: 1e-30, zeroPoint: 0 }, qa: { scale: 1e30, zeroPoint: 0 } }), "BAD_ARGUMENT", /multiplier/);
});

test.run();
