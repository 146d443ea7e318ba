// An image classification set as octet uses it: u8 pixels [count, rows, cols]
// and u8 labels, checked against each other.
import { fail } from "../errors.js";
import type { IdxArray } from "./idx.js";

export interface ImageSet {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export function imageSetFromIdx(images: IdxArray, imagesFile: string, labels: IdxArray, labelsFile: string): ImageSet {
  const [count, rows, cols] = images.dims as [number, number, number];
  if (images.dims.length !== 3 || !(count > 0 && rows > 0 && cols > 0)) {
    fail("IDX_FORMAT", `${imagesFile}: dimensions [${images.dims.join(", ")}], expected [count, rows, cols], each at least 1`);
  }
  if (labels.dims.length !== 1) fail("IDX_FORMAT", `${labelsFile}: dimensions [${labels.dims.join(", ")}], expected [count]`);
  if (labels.dims[0] !== count) {
    fail("IDX_FORMAT", `${labelsFile}: ${labels.dims[0]} labels, expected ${count} to match ${imagesFile}`);
  }
  return { count, rows, cols, pixels: images.data, labels: labels.data };
}

/** Scales u8 pixels of images [start, start+n) to [0, 1] into `out` (NCHW, C=1). */
export function imagesToFloat(set: ImageSet, start: number, n: number, out: Float32Array): void {
  const size = set.rows * set.cols;
  const src = set.pixels.subarray(start * size, (start + n) * size);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! / 255;
}
