// A tensor's storage format: element type and memory layout. Together with
// the per-image shape and (for int8) the scale, it is the tensor's type; a
// reformat is needed exactly where a producer's format differs from what its
// consumer takes.
import { fail } from "../errors.js";

export type DType = "f32" | "s8";
export type Layout = "nchw" | "nchw4" | "nc32hw32";

export interface Format {
  dtype: DType;
  layout: Layout;
}

export const F32_NCHW: Format = { dtype: "f32", layout: "nchw" };
export const S8_NCHW4: Format = { dtype: "s8", layout: "nchw4" };
export const S8_NC32HW32: Format = { dtype: "s8", layout: "nc32hw32" };

export const FORMATS: readonly Format[] = [F32_NCHW, S8_NCHW4, S8_NC32HW32];

export function sameFormat(a: Format, b: Format): boolean {
  return a.dtype === b.dtype && a.layout === b.layout;
}

/** octet's spelling, also accepted by --input-format: fp32:nchw, int8:nchw4, int8:nc32hw32. */
export function formatName(f: Format): string {
  return `${f.dtype === "f32" ? "fp32" : "int8"}:${f.layout}`;
}

/** TensorRT's name for the same format (kLINEAR, kCHW4, kCHW32). */
export function trtFormatName(f: Format): string {
  const layout = { nchw: "kLINEAR", nchw4: "kCHW4", nc32hw32: "kCHW32" }[f.layout];
  return `${f.dtype === "f32" ? "FP32" : "Int8"}(${layout})`;
}

export function parseFormat(text: string, option: string): Format {
  const f = FORMATS.find((x) => formatName(x) === text);
  if (!f) fail("BAD_OPTION", `option ${option}: unknown format "${text}", expected one of ${FORMATS.map(formatName).join(", ")}`);
  return f;
}

export function channelBlock(layout: Layout): number {
  return layout === "nchw4" ? 4 : layout === "nc32hw32" ? 32 : 1;
}

/** Channels as stored: padded up to the layout's block. */
export function storedChannels(c: number, layout: Layout): number {
  const b = channelBlock(layout);
  return Math.ceil(c / b) * b;
}

/** Bytes of one image of per-image shape [C, H, W] in format f. */
export function imageBytes(f: Format, [c, h, w]: readonly number[]): number {
  return storedChannels(c!, f.layout) * h! * w! * (f.dtype === "f32" ? 4 : 1);
}
