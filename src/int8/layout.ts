// The int8 blocked layouts: nchw4 (the GPU's INT8 layout) and nc32hw32 (the
// DLA's). Index (((n*ceil(C/G) + c/G)*H + h)*W + w)*G + c%G, G = 4 or 32;
// padding channels zero (docs/int8-numerics.md "Layouts"). Host-side
// pack/unpack of whole tensors (tests, references).
import { fail } from "../errors.js";

export type Layout = "nchw4" | "nc32hw32";

export const LAYOUTS: readonly Layout[] = ["nchw4", "nc32hw32"];

export function lanesOf(layout: Layout): 4 | 32 {
  return layout === "nchw4" ? 4 : 32;
}

export function parseLayout(s: string): Layout {
  if (s === "nchw4" || s === "nc32hw32") return s;
  return fail("BAD_ARGUMENT", `layout: expected "nchw4" or "nc32hw32", found "${s}"`);
}

export function ceilTo(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Bytes of an int8 [N, C, H, W] tensor in `layout`. */
export function blockedBytes(N: number, C: number, H: number, W: number, layout: Layout): number {
  return N * ceilTo(C, lanesOf(layout)) * H * W;
}

export function blockedIndex(n: number, c: number, h: number, w: number, C: number, H: number, W: number, G: number): number {
  const CB = Math.ceil(C / G);
  return (((n * CB + Math.floor(c / G)) * H + h) * W + w) * G + (c % G);
}

/** nchw int8 -> blocked int8 (padding channels zero). */
export function packBlocked(x: Int8Array, N: number, C: number, H: number, W: number, layout: Layout): Int8Array {
  const G = lanesOf(layout);
  const out = new Int8Array(blockedBytes(N, C, H, W, layout));
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) out[blockedIndex(n, c, h, w, C, H, W, G)] = x[((n * C + c) * H + h) * W + w]!;
  return out;
}

/** blocked int8 -> nchw int8 (padding channels dropped). */
export function unpackBlocked(b: Int8Array, N: number, C: number, H: number, W: number, layout: Layout): Int8Array {
  const G = lanesOf(layout);
  const out = new Int8Array(N * C * H * W);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) out[((n * C + c) * H + h) * W + w] = b[blockedIndex(n, c, h, w, C, H, W, G)]!;
  return out;
}

/** Number of padding-channel bytes of a blocked tensor that are not zero. */
export function nonZeroPadding(b: Int8Array, N: number, C: number, H: number, W: number, layout: Layout): number {
  const G = lanesOf(layout);
  const CP = ceilTo(C, G);
  let bad = 0;
  for (let n = 0; n < N; n++)
    for (let c = C; c < CP; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) if (b[blockedIndex(n, c, h, w, C, H, W, G)] !== 0) bad++;
  return bad;
}
