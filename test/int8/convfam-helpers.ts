// Shared runner for the conv family tests (convg, dwconv, conv1x1): random
// int8 data, the scalar reference convgS8Ref, each layout's kernel through
// its validated wrapper, input padding channels dirty, output prefilled with
// garbage. `last` picks the buffer allocated last, so that in the debug
// build any access past its end is an OUT_OF_BOUNDS error.
import type { Kernels } from "../../src/runtime/kernels.js";
import { Rng } from "../../src/util/rng.js";
import { type Layout, lanesOf, packBlocked, blockedBytes, nonZeroPadding } from "../../src/int8/layout.js";
import { type ConvEpilogue, type ConvGeometry, convgOutputSize } from "../../src/int8/conv-geometry.js";
import { packConvg } from "../../src/int8/pack-convg.js";
import { packDwconv } from "../../src/int8/pack-dwconv.js";
import { packConv1x1 } from "../../src/int8/pack-conv1x1.js";
import { conv1x1S8, convgS8, dwconvS8, uploadParams } from "../../src/int8/ops.js";
import { convgScratchBytes, dwconvScratchBytes } from "../../src/int8/scratch.js";
import { convgS8Ref } from "../../src/reference/convg-s8.js";
import { dirtyPadding, garbageOut, getI8, putI8, randomI32, randomI8, randomMult } from "./helpers.js";

export type FamKind = "convg" | "dwconv" | "conv1x1";

export interface FamCase {
  N: number; C: number; H: number; W: number; K: number; groups: number;
  g: ConvGeometry; e: ConvEpilogue;
  /** "min": inputs and weights all -128 (largest sums); default random. */
  fill?: "min";
}

export interface FamResult { got: Int8Array; want: Int8Array; badPadding: number; Ho: number; Wo: number }

export function geom(kh: number, kw: number, sh = 1, sw = 1, dh = 1, dw = 1, pads: readonly number[] = [0, 0, 0, 0]): ConvGeometry {
  const [padTop, padLeft, padBottom, padRight] = pads as [number, number, number, number];
  return { kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight };
}

export function epi(xZero: number, yZero: number, lo = -128, hi = 127): ConvEpilogue {
  return { xZero, yZero, lo, hi };
}

export function describe(c: FamCase): string {
  const { g, e } = c;
  return `N${c.N} C${c.C} ${c.H}x${c.W} K${c.K} groups${c.groups} k${g.kh}x${g.kw} s${g.sh},${g.sw} d${g.dh},${g.dw} pad(t${g.padTop} l${g.padLeft} b${g.padBottom} r${g.padRight}) xZ${e.xZero} yZ${e.yZero} [${e.lo},${e.hi}]${c.fill ? " " + c.fill : ""}`;
}

export function runFam(k: Kernels, kind: FamKind, layout: Layout, c: FamCase, seed: number, last: "x" | "y" | "scratch" = "y"): FamResult {
  const rng = new Rng(seed);
  const { N, C, H, W, K, groups } = c;
  const depth = (C / groups) * c.g.kh * c.g.kw;
  const nx = N * C * H * W, nw = K * depth;
  const x = c.fill === "min" ? new Int8Array(nx).fill(-128) : randomI8(rng, nx);
  const w = c.fill === "min" ? new Int8Array(nw).fill(-128) : randomI8(rng, nw);
  const bias = c.fill === "min" ? new Int32Array(K) : randomI32(rng, K, 40 * Math.sqrt(depth) * 64);
  const mult = c.fill === "min" ? new Float32Array(K).fill(Math.fround(100 / (depth * 16384))) : randomMult(rng, K, depth);
  const ref = convgS8Ref({ x, N, C, H, W, w, bias, mult, K, groups, geometry: c.g, epilogue: c.e });
  const [Ho, Wo] = convgOutputSize(H, W, c.g);
  const G = lanesOf(layout);
  const mark = k.arena.mark();
  try {
    const packed = kind === "convg" ? packConvg(w, bias, mult, K, C, groups, c.g.kh, c.g.kw, layout)
      : kind === "dwconv" ? packDwconv(w, bias, mult, C, K / C, c.g.kh, c.g.kw, layout)
      : packConv1x1(w, bias, mult, K, C, layout);
    const dev = uploadParams(k, packed);
    const yBytes = blockedBytes(N, K, Ho, Wo, layout);
    const scratchBytes = kind === "convg" ? convgScratchBytes(C, groups, c.g.kh, c.g.kw)
      : kind === "dwconv" ? dwconvScratchBytes(layout, c.g, Wo) : 16;
    const xBlocked = dirtyPadding(packBlocked(x, N, C, H, W, layout), N, C, H, W, G);
    let xp = 0, yp = 0, sp = 0;
    for (const b of (["x", "y", "scratch"] as const).filter((b) => b !== last).concat([last])) {
      if (b === "x") xp = putI8(k, xBlocked);
      else if (b === "y") yp = garbageOut(k, yBytes);
      else sp = k.arena.alloc(scratchBytes);
    }
    const call = { x: xp, N, C, H, W, geometry: c.g, epilogue: c.e, y: yp, scratch: sp };
    if (kind === "convg") convgS8(k, packed as ReturnType<typeof packConvg>, dev, call);
    else if (kind === "dwconv") dwconvS8(k, packed as ReturnType<typeof packDwconv>, dev, call);
    else conv1x1S8(k, packed as ReturnType<typeof packConv1x1>, dev, call);
    const got = getI8(k, yp, yBytes);
    return { got, want: packBlocked(ref.y, N, K, Ho, Wo, layout), badPadding: nonZeroPadding(got, N, K, Ho, Wo, layout), Ho, Wo };
  } finally {
    k.arena.release(mark);
  }
}
