// The fully connected kernels' check against the scalar reference on odd
// shapes, dirty padding and every tile path (N = 1's far tiles, pairs, odd
// N), for any build: fc.test.ts runs it on the debug build, relaxed-build.ts
// on the relaxed-SIMD build.
import { Rng } from "../../src/util/rng.js";
import { lanesOf, packBlocked, blockedBytes, type Layout } from "../../src/int8/layout.js";
import { packFc } from "../../src/int8/pack-fc.js";
import { fcS8, uploadFcParams } from "../../src/int8/ops.js";
import { fcS8Ref } from "../../src/reference/fc-s8.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { CHANNELS, dirtyPadding, firstDiff, garbageOut, getI8, putI8, randomI32, randomI8, randomMult } from "./helpers.js";

export interface Case { N: number; C: number; H: number; W: number; O: number; relu: boolean; yZero?: number; lo?: number; hi?: number }

export function fcCases(): Case[] {
  const rng = new Rng(77);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  const out: Case[] = [];
  for (const C of CHANNELS) {
    for (const [H, W] of [[1, 1], [3, 5], [5, 3], [4, 4]] as const) {
      out.push({ N: pick([1, 2, 3, 5]), C, H, W, O: pick([1, 3, 10, 33, 64]), relu: rng.next() < 0.5 });
    }
  }
  out.push({ N: 3, C: 50, H: 4, W: 4, O: 500, relu: true }); // LeNet ip1
  // A single image (4 outputs a quarter of the rows apart per tile), every O4 / 4.
  for (const O of [1, 4, 5, 10, 33, 500]) out.push({ N: 1, C: 50, H: 4, W: 4, O, relu: O % 2 === 0 });
  out.push({ N: 1, C: 3, H: 1, W: 1, O: 7, relu: false });
  out.push({ N: 3, C: 500, H: 1, W: 1, O: 10, relu: false }); // LeNet ip2
  // Output zero points (uint8 outputs stored as int8: z - 128) and clamps, every path (N = 1, pairs, odd N).
  for (const [N, O, yZero, lo, hi] of [[1, 10, -128, -128, 127], [2, 33, 17, 17, 127], [3, 5, 127, -128, 127], [5, 64, -40, -60, 90], [1, 500, 3, 3, 127]] as const) {
    out.push({ N, C: 20, H: 3, W: 2, O, relu: false, yZero, lo, hi });
  }
  return out;
}

/**
 * The first case whose output differs from the reference, or "none".
 * `last`: the buffer allocated last, so that in a bounds-checked build any
 * read past its end is an OUT_OF_BOUNDS error.
 */
export function fcMismatch(k: Kernels, layout: Layout, last: "y" | "x" | "weights" = "y"): string {
  const G = lanesOf(layout);
  const rng = new Rng(3);
  for (const c of fcCases()) {
    const mark = k.arena.mark();
    const I = c.C * c.H * c.W;
    const x = randomI8(rng, c.N * I);
    const w = randomI8(rng, c.O * I);
    const bias = randomI32(rng, c.O, 40 * Math.sqrt(I) * 64);
    const mult = randomMult(rng, c.O, I);
    const want = packBlocked(fcS8Ref(x, c.N, I, w, bias, mult, c.O, c.relu, c.yZero, c.lo, c.hi), c.N, c.O, 1, 1, layout);
    const packed = packFc(w, bias, mult, c.O, c.C, c.H, c.W, layout);
    const yBytes = blockedBytes(c.N, c.O, 1, 1, layout);
    const input = () => putI8(k, dirtyPadding(packBlocked(x, c.N, c.C, c.H, c.W, layout), c.N, c.C, c.H, c.W, G));
    let dev = last === "weights" ? undefined : uploadFcParams(k, packed);
    let xp = last === "x" ? 0 : input();
    const yp = garbageOut(k, yBytes);
    if (last === "x") xp = input();
    dev ??= uploadFcParams(k, packed);
    fcS8(k, packed, dev, { x: xp, N: c.N, relu: c.relu, y: yp, yZero: c.yZero, lo: c.lo, hi: c.hi });
    const diff = firstDiff(getI8(k, yp, yBytes), want);
    k.arena.release(mark);
    if (diff !== "none") return `${JSON.stringify(c)}: ${diff}`;
  }
  return "none";
}
