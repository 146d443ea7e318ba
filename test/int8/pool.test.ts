// Max and average pooling in nchw4 and nc32hw32 (debug build) vs the scalar
// references, bit-exact, padding channels zero.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, packBlocked, blockedBytes } from "../../src/int8/layout.js";
import { poolS8, type PoolKind } from "../../src/int8/ops.js";
import { avgPoolS8Ref, maxPoolS8Ref } from "../../src/reference/pool-s8.js";
import { CHANNELS, debugKernels, firstDiff, garbageOut, getI8, putI8, randomI8 } from "./helpers.js";

interface Case { N: number; C: number; H: number; W: number; window: number; stride: number }

function cases(): Case[] {
  const rng = new Rng(8);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  const out: Case[] = [];
  for (const C of CHANNELS) {
    for (const [window, stride] of [[1, 1], [2, 2], [3, 1], [3, 2], [5, 3]] as const) {
      out.push({ N: pick([1, 3]), C, H: pick([5, 7, 9, 13]), W: pick([5, 9, 11, 15]), window, stride });
    }
  }
  out.push({ N: 2, C: 20, H: 24, W: 24, window: 2, stride: 2 }); // LeNet pool1
  out.push({ N: 1, C: 6, H: 17, W: 19, window: 8, stride: 16 });
  out.push({ N: 1, C: 9, H: 8, W: 8, window: 8, stride: 1 });
  return out;
}

for (const kind of ["max", "avg"] as PoolKind[]) {
  for (const layout of LAYOUTS) {
    test(`${kind}pool ${layout}: bit-exact vs reference over ${cases().length} shapes`, () => {
      const k = debugKernels();
      const rng = new Rng(kind === "max" ? 1 : 2);
      for (const c of cases()) {
        const mark = k.arena.mark();
        const x = randomI8(rng, c.N * c.C * c.H * c.W);
        const ref = (kind === "max" ? maxPoolS8Ref : avgPoolS8Ref)({ x, ...c });
        const xp = putI8(k, packBlocked(x, c.N, c.C, c.H, c.W, layout));
        const yBytes = blockedBytes(c.N, c.C, ref.Ho, ref.Wo, layout);
        const yp = garbageOut(k, yBytes);
        poolS8(k, kind, layout, { x: xp, y: yp, ...c });
        const want = packBlocked(ref.y, c.N, c.C, ref.Ho, ref.Wo, layout);
        assert.is(firstDiff(getI8(k, yp, yBytes), want), "none", `${kind}pool ${layout} ${JSON.stringify(c)}`);
        k.arena.release(mark);
      }
    });
  }
}

test("avgpool reference rounds ties to even", () => {
  // window 2: sum * 0.25; sums 2 -> 0.5 -> 0, 6 -> 1.5 -> 2, -2 -> -0.5 -> 0, 10 -> 2.5 -> 2.
  const x = new Int8Array([1, 1, 0, 0, 3, 3, 0, 0, -1, -1, 0, 0, 5, 5, 0, 0]);
  const { y } = avgPoolS8Ref({ x, N: 4, C: 1, H: 2, W: 2, window: 2, stride: 2 });
  assert.equal(Array.from(y), [0, 2, 0, 2]);
});

test.run();
