// conv_nchw4_s8 / conv_nc32hw32_s8 (debug build) vs the scalar reference,
// bit-exact, including zero output padding channels; input padding channels
// hold garbage to prove they are never read. The shapes cover each of the
// kernels' three paths (int16 pairs, Winograd F(2,5), int16 dot tiles).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS, lanesOf, packBlocked, blockedBytes } from "../../src/int8/layout.js";
import { packConv } from "../../src/int8/pack-conv.js";
import { convPath } from "../../src/int8/kernel-config.js";
import { convS8, uploadParams } from "../../src/int8/ops.js";
import { convScratchBytes } from "../../src/int8/scratch.js";
import { convS8Ref } from "../../src/reference/conv-s8.js";
import { CHANNELS, debugKernels, dirtyPadding, firstDiff, garbageOut, getI8, putI8, randomI32, randomI8, randomMult } from "./helpers.js";

interface Case {
  N: number; C: number; H: number; W: number; K: number; kernel: number; stride: number; pad: number; relu: boolean;
  /** Inputs and weights: "min" all -128 (the largest possible sums), "ends"
   *  random -128 / 127; multipliers scaled so the sums are not saturated. */
  fill?: "min" | "ends";
}

function cases(): Case[] {
  const rng = new Rng(1234);
  const out: Case[] = [];
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.next() * a.length)]!;
  for (const C of CHANNELS) {
    for (const kernel of [1, 3, 5]) {
      for (const stride of [1, 2]) {
        const pad = kernel === 1 ? 0 : pick([0, 1, kernel >> 1]);
        out.push({
          N: pick([1, 3]), C, H: pick([5, 7, 9, 11]), W: pick([5, 7, 9, 13]),
          K: pick([1, 4, 7, 20, 33, 50]), kernel, stride, pad, relu: rng.next() < 0.5,
        });
      }
    }
  }
  // Every channel-tile split of the shallow (int16 pair) path: K4 = 8, 12,
  // 16, 24, 36 (a tile that would straddle a 32-channel block), 44.
  for (const K of [8, 11, 16, 24, 33, 41]) out.push({ N: 1, C: 1, H: 9, W: 11, K, kernel: 5, stride: 1, pad: 2, relu: K % 2 === 0 });
  // The pair path's window splits: even kernels (vertical pairs only), odd
  // ones (plus a horizontal last row), kernel 1, strides 1..8, padding,
  // bands wider than one chunk (W > 16 output columns) and several channels.
  for (const [C, kernel, stride, pad, W] of [
    [1, 2, 1, 1, 37], [1, 4, 2, 3, 41], [3, 4, 1, 2, 19], [2, 5, 3, 4, 29], [4, 4, 2, 0, 23],
    [16, 2, 1, 1, 35], [2, 3, 8, 2, 45], [1, 7, 1, 6, 40], [1, 8, 5, 7, 43], [7, 3, 1, 1, 33], [64, 1, 1, 0, 18],
    // ResNet's 3x3 convolutions over 16 channels (depth 144: pairs on the GPU, gathered on the DLA).
    [16, 3, 1, 1, 28], [16, 3, 2, 1, 28], [17, 3, 1, 1, 30],
  ] as const) {
    out.push({ N: 2, C, H: 13, W, K: 23, kernel, stride, pad, relu: (C + kernel) % 2 === 0 });
  }
  // The Winograd path (5x5, stride 1, 25C <= 5460) at its depth limit with
  // the largest possible sums (24 * 5450 * 128 * 128 just below 2^31), with
  // extreme values, and just past the limit (direct path).
  out.push({ N: 1, C: 218, H: 7, W: 9, K: 5, kernel: 5, stride: 1, pad: 2, relu: false, fill: "min" });
  out.push({ N: 2, C: 218, H: 6, W: 7, K: 9, kernel: 5, stride: 1, pad: 1, relu: false, fill: "ends" });
  out.push({ N: 1, C: 219, H: 6, W: 6, K: 4, kernel: 5, stride: 1, pad: 0, relu: false, fill: "min" });
  out.push({ N: 1, C: 6, H: 9, W: 40, K: 13, kernel: 5, stride: 1, pad: 4, relu: true });
  // A kernel larger than 8 and a stride up to 8 (DLA limits).
  out.push({ N: 1, C: 3, H: 21, W: 19, K: 5, kernel: 11, stride: 4, pad: 2, relu: false });
  out.push({ N: 2, C: 2, H: 33, W: 35, K: 6, kernel: 32, stride: 8, pad: 1, relu: true });
  out.push({ N: 1, C: 40, H: 9, W: 9, K: 9, kernel: 3, stride: 8, pad: 1, relu: true });
  return out;
}

for (const layout of LAYOUTS) {
  test(`conv ${layout}: bit-exact vs reference over ${cases().length} shapes`, () => {
    const k = debugKernels();
    const G = lanesOf(layout);
    const rng = new Rng(99);
    for (const c of cases()) {
      const mark = k.arena.mark();
      const depth = c.C * c.kernel * c.kernel;
      const ends = (n: number) => Int8Array.from({ length: n }, () => (rng.next() < 0.5 ? -128 : 127));
      const x = c.fill === "min" ? new Int8Array(c.N * c.C * c.H * c.W).fill(-128)
        : c.fill === "ends" ? ends(c.N * c.C * c.H * c.W) : randomI8(rng, c.N * c.C * c.H * c.W);
      const w = c.fill === "min" ? new Int8Array(c.K * c.C * c.kernel * c.kernel).fill(-128)
        : c.fill === "ends" ? ends(c.K * c.C * c.kernel * c.kernel) : randomI8(rng, c.K * c.C * c.kernel * c.kernel);
      const bias = c.fill ? new Int32Array(c.K) : randomI32(rng, c.K, 40 * Math.sqrt(depth) * 64);
      const mult = c.fill === "min" ? new Float32Array(c.K).fill(Math.fround(100 / (depth * 16384)))
        : c.fill === "ends" ? new Float32Array(c.K).fill(Math.fround(60 / (Math.sqrt(depth) * 16384))) : randomMult(rng, c.K, depth);
      const ref = convS8Ref({ x, N: c.N, C: c.C, H: c.H, W: c.W, w, bias, mult, K: c.K, kernel: c.kernel, stride: c.stride, pad: c.pad, relu: c.relu });
      const packed = packConv(w, bias, mult, c.K, c.C, c.kernel, layout, c.stride);
      const dev = uploadParams(k, packed);
      const xp = putI8(k, dirtyPadding(packBlocked(x, c.N, c.C, c.H, c.W, layout), c.N, c.C, c.H, c.W, G));
      const yBytes = blockedBytes(c.N, c.K, ref.Ho, ref.Wo, layout);
      const yp = garbageOut(k, yBytes);
      const scratch = k.arena.alloc(convScratchBytes(c.C, c.kernel, packed.path));
      convS8(k, packed, dev, { x: xp, N: c.N, C: c.C, H: c.H, W: c.W, stride: c.stride, pad: c.pad, relu: c.relu, y: yp, scratch });
      const got = getI8(k, yp, yBytes);
      const want = packBlocked(ref.y, c.N, c.K, ref.Ho, ref.Wo, layout);
      assert.is(firstDiff(got, want), "none", `conv ${layout} ${JSON.stringify(c)}`);
      k.arena.release(mark);
    }
  });
}

/** The path the GPU's kernel config table gives a case (the DLA's takes the pairs path only up to depth 64). */
const pathOf = (c: Case) => convPath("nchw4", c.C, c.kernel, c.stride);

test("conv: the shapes exercise all three kernel paths (int16 pairs, Winograd F(2,5), int16 dot tiles)", () => {
  const count = { pairs: 0, winograd: 0, gather: 0 };
  for (const c of cases()) count[pathOf(c)]++;
  for (const [path, n] of Object.entries(count)) assert.ok(n >= 4, `${path}: ${n} cases`);
  const at = (C: number, stride: number) => cases().filter((c) => c.kernel === 5 && c.C === C && c.stride === stride).map(pathOf);
  assert.ok(at(218, 1).length > 0 && at(218, 1).every((p) => p === "winograd"), "Winograd at its depth limit (25C = 5450)");
  assert.ok(at(219, 1).length > 0 && at(219, 1).every((p) => p === "gather"), "just past the limit: direct dot path");
  assert.ok(cases().some((c) => c.kernel === 5 && c.stride === 2 && pathOf(c) === "gather"), "5x5 at stride 2: direct dot path");
});

test("conv: outputs are not degenerate (the comparison can fail)", () => {
  const rng = new Rng(5);
  const x = randomI8(rng, 20 * 12 * 12);
  const w = randomI8(rng, 50 * 20 * 25);
  const ref = convS8Ref({ x, N: 1, C: 20, H: 12, W: 12, w, bias: randomI32(rng, 50, 1000), mult: randomMult(rng, 50, 500), K: 50, kernel: 5, stride: 1, pad: 0, relu: false });
  const distinct = new Set(ref.y).size;
  assert.ok(distinct > 100, `only ${distinct} distinct outputs`);
});

test.run();
