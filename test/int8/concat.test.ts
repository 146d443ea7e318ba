// concat_channels_{nchw4,nc32hw32}_s8 (debug and release builds) vs the
// scalar reference, bit for bit: inputs copied at offsets 0, 3, 4, 32, 35 and
// others, in every order, identity and requantizing (each input its own
// scale and zero point); each call writes only its own channels (the rest of
// the output keeps its bytes) and the output's padding lanes end exactly 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { blockedBytes, LAYOUTS, type Layout } from "../../src/int8/layout.js";
import { concatChannelsS8 } from "../../src/int8/ops-concat.js";
import { concatIntoS8Ref } from "../../src/reference/concat-s8.js";
import type { QuantParams } from "../../src/int8/numerics.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { firstDiff, garbageOut, randomI8 } from "./helpers.js";
import { builds, putBlocked, randomQuant, readBlocked } from "./quant-helpers.js";
import { expectOctetError } from "../helpers.js";

interface Input { C: number; q: QuantParams }
interface Case { N: number; H: number; W: number; inputs: Input[]; qy: QuantParams }

function cases(): Case[] {
  const rng = new Rng(21);
  const q = (same: QuantParams | null): QuantParams => same ?? randomQuant(rng);
  const qy = { scale: 0.03, zeroPoint: 7 };
  const out: Case[] = [];
  // Channel splits: offsets 0, 3, 4, 32, 35, 37 ... (each input starts where the previous ends).
  const splits = [[3, 1, 28, 3, 2], [4, 28, 3], [32, 3, 2], [35, 2], [3, 33, 37], [5, 5], [33, 1], [1, 1, 1, 1, 1], [64, 64], [37]];
  for (const cs of splits) {
    for (const identity of [true, false]) {
      out.push({ N: 1 + (cs.length % 3), H: 1 + (cs[0]! % 3), W: 2 + (cs.length % 5), inputs: cs.map((C) => ({ C, q: q(identity ? qy : null) })), qy });
    }
  }
  out.push({ N: 3, H: 5, W: 7, inputs: [{ C: 3, q: qy }, { C: 5, q: { scale: 0.015, zeroPoint: -4 } }, { C: 33, q: { scale: 0.06, zeroPoint: 100 } }], qy });
  return out;
}

function runCase(k: Kernels, layout: Layout, c: Case, rng: Rng, order: number[]): string {
  const mark = k.arena.mark();
  const { N, H, W } = c;
  const Ct = c.inputs.reduce((s, i) => s + i.C, 0);
  const offsets = c.inputs.map((_, i) => c.inputs.slice(0, i).reduce((s, j) => s + j.C, 0));
  const xs = c.inputs.map((i) => randomI8(rng, N * i.C * H * W));
  const want = new Int8Array(N * Ct * H * W);
  c.inputs.forEach((inp, i) => concatIntoS8Ref(want, Ct, xs[i]!, N, inp.C, H, W, offsets[i]!, inp.q, c.qy));
  const yp = garbageOut(k, blockedBytes(N, Ct, H, W, layout));
  for (const i of order) {
    const inp = c.inputs[i]!;
    const before = readBlocked(k, yp, N, Ct, H, W, layout).y;
    const xp = putBlocked(k, xs[i]!, N, inp.C, H, W, layout, true);
    concatChannelsS8(k, layout, { x: xp, N, Ci: inp.C, H, W, y: yp, Ctotal: Ct, at: offsets[i]!, qx: inp.q, qy: c.qy });
    const after = readBlocked(k, yp, N, Ct, H, W, layout).y;
    // Channels outside [at, at + Ci) keep their bytes.
    for (let n = 0; n < N; n++)
      for (let ch = 0; ch < Ct; ch++) {
        if (ch >= offsets[i]! && ch < offsets[i]! + inp.C) continue;
        const o = (n * Ct + ch) * H * W;
        const d = firstDiff(after.subarray(o, o + H * W), before.subarray(o, o + H * W));
        if (d !== "none") { k.arena.release(mark); return `input ${i} wrote channel ${ch} of image ${n}: ${d}`; }
      }
  }
  const { y, badPadding } = readBlocked(k, yp, N, Ct, H, W, layout);
  k.arena.release(mark);
  if (badPadding !== 0) return `${badPadding} padding bytes not 0`;
  return firstDiff(y, want);
}

for (const layout of LAYOUTS) {
  test(`concat_channels_${layout}_s8: bit-exact vs reference at every offset, any order, identity and requantizing`, () => {
    for (const [build, k] of builds()) {
      const rng = new Rng(22);
      for (const c of cases()) {
        const forward = c.inputs.map((_, i) => i);
        for (const order of [forward, [...forward].reverse()]) {
          assert.is(runCase(k, layout, c, rng, order), "none", `${build} ${layout} order ${order} ${JSON.stringify(c)}`);
        }
      }
    }
  });
}

test("concat wrapper refuses channels past Ctotal and x = y", () => {
  const [, k] = builds()[0]!;
  const q = { scale: 0.1, zeroPoint: 0 };
  const base = { x: 64, N: 1, Ci: 3, H: 2, W: 2, y: 128, Ctotal: 8, at: 5, qx: q, qy: q };
  expectOctetError(() => concatChannelsS8(k, "nchw4", { ...base, at: 6 }), "BAD_ARGUMENT", /at: expected an integer in 0\.\.5/);
  expectOctetError(() => concatChannelsS8(k, "nc32hw32", { ...base, Ctotal: 2 }), "BAD_ARGUMENT", /Ctotal/);
  expectOctetError(() => concatChannelsS8(k, "nchw4", { ...base, y: 64 }), "BAD_ARGUMENT", /other than x/);
});

test.run();
