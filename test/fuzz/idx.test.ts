// Fuzzing the IDX reader, plain and gzip (decodeIdxBytes, then the image set
// check): 50 real MNIST test digits and their labels, mutated as bytes, as
// compressed bytes, and as bytes then compressed. Every case is accepted or
// refused with an OctetError, within 2 s and bounded memory; the seeds read
// the same afterwards. And the gzip bomb: a 1 MB file whose header promises
// 10000x28x28 and which inflates to 1 GiB is refused once it passes 7.84 MB.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gzipSync, deflateRawSync } from "node:zlib";
import { crc32 } from "../../src/util/crc32.js";
import { decodeIdxBytes } from "../../src/data/mnist-node.js";
import { parseIdx, MAX_IDX_DATA_BYTES } from "../../src/data/idx.js";
import { imageSetFromIdx } from "../../src/data/dataset.js";
import { mutateBytes, runCampaign, fuzzCases, summary, pick } from "./mutate.js";
import { mnistIdx, idxFile } from "./seeds.js";
import { expectOctetError } from "../helpers.js";

const plain = mnistIdx(50);
const gzip = { images: gzipSync(plain.images), labels: gzipSync(plain.labels) };
const IMAGES = { typeCode: 0x08, rank: 3 };
const LABELS = { typeCode: 0x08, rank: 1 };

function read(pair: { images: Uint8Array; labels: Uint8Array }) {
  return imageSetFromIdx(decodeIdxBytes(pair.images, "images", IMAGES), "images", decodeIdxBytes(pair.labels, "labels", LABELS), "labels");
}

test("mutated IDX files, plain and gzip, are accepted or refused with an OctetError", () => {
  const before = [read(plain), read(gzip)];
  const report = runCampaign({
    name: "idx", seed: 0x1d8, cases: fuzzCases(5000),
    input: (rng) => {
      const compressed = rng.next() < 0.5;
      const seed = compressed ? gzip : plain;
      const which = rng.next() < 0.6 ? "images" : "labels";
      const r = rng.next();
      const mutated = !compressed ? mutateBytes(plain[which], rng, pick(rng, [plain.images, plain.labels]))
        : r < 0.5 ? mutateBytes(gzip[which], rng)
          : gzipSync(mutateBytes(plain[which], rng));
      return { ...seed, [which]: mutated, compressed };
    },
    run: (pair) => {
      read(pair);
    },
    describe: (p) => `${p.compressed ? "gzip" : "plain"}: images ${p.images.length} bytes, labels ${p.labels.length} bytes`,
  });
  console.log(summary("idx", report));
  assert.ok(report.refused.IDX_FORMAT! > 0 && report.accepted > 0, "the campaign both accepts and refuses");
  assert.equal([read(plain), read(gzip)], before);
  assert.is(before[0]!.count, 50);
});

test("a 1 MB gzip whose header promises 10000x28x28 but which inflates to 1 GiB stops at the promise", () => {
  const zeros = gzipSync(new Uint8Array(16 * 2 ** 20));
  const first = gzipSync(idxFile(0x08, [10000, 28, 28], new Uint8Array(16 * 2 ** 20)));
  const members = [first, ...Array.from({ length: 63 }, () => zeros)];
  const bomb = new Uint8Array(members.reduce((n, m) => n + m.length, 0));
  members.reduce((at, m) => (bomb.set(m, at), at + m.length), 0);
  assert.ok(bomb.length < 1.2 * 2 ** 20, `bomb is ${bomb.length} bytes`);
  const rss0 = process.memoryUsage().rss;
  expectOctetError(() => decodeIdxBytes(bomb, "bomb.gz", IMAGES), "IDX_FORMAT", /bomb.gz: inflates to more than the 7840016 bytes its header promises for dimensions \[10000, 28, 28\] \(trailing data\); stopped there/);
  const growth = process.memoryUsage().rss - rss0;
  assert.ok(growth < 100 * 2 ** 20, `rss grew by ${(growth / 2 ** 20).toFixed(0)} MiB`);
});

test("headers promising more than 1 GiB are refused before reading or inflating", () => {
  const header = idxFile(0x08, [70000, 200, 200], new Uint8Array(0));
  const message = /big: dimensions \[70000, 200, 200\] promise more than 1073741824 bytes \(1 GiB\) of data, octet's limit for one IDX file/;
  expectOctetError(() => parseIdx(header, "big"), "IDX_FORMAT", message);
  expectOctetError(() => decodeIdxBytes(gzipSync(header), "big", IMAGES), "IDX_FORMAT", message);
  assert.is(MAX_IDX_DATA_BYTES, 2 ** 30);
  const f64 = idxFile(0x0e, [2 ** 27 + 1], new Uint8Array(0));
  expectOctetError(() => parseIdx(f64, "f64"), "IDX_FORMAT", /f64: dimensions \[134217729\] promise more than/);
});

test("a gzip that inflates to less than its header promises, or is cut, is refused by name", () => {
  const short = gzipSync(plain.images.subarray(0, 1000));
  expectOctetError(() => decodeIdxBytes(short, "short.gz", IMAGES), "IDX_FORMAT", /short.gz: file is 1000 bytes, expected 39216 for dimensions \[50, 28, 28\] \(truncated\)/);
  expectOctetError(() => decodeIdxBytes(gzip.images.subarray(0, 200), "cut.gz", IMAGES), "IDX_FORMAT", /cut.gz: corrupt gzip data/);
  expectOctetError(() => decodeIdxBytes(gzip.images.subarray(0, 12), "tiny.gz", IMAGES), "IDX_FORMAT", /tiny.gz: corrupt gzip data/);
});

/** A gzip member with a file name (FNAME), which Node's gzip cannot write. */
function gzipNamed(raw: Uint8Array, name: string): Uint8Array {
  const head = new Uint8Array([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, crc32(raw), true);
  new DataView(tail.buffer).setUint32(4, raw.length >>> 0, true);
  const parts = [head, new TextEncoder().encode(name), new Uint8Array(1), deflateRawSync(raw), tail];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

test("the IDX header is found behind a 200 KB gzip file name, and a bomb behind one still stops at the promise", () => {
  const named = decodeIdxBytes(gzipNamed(plain.images, "n".repeat(200_000)), "named.gz", IMAGES);
  assert.equal(named.dims, [50, 28, 28]);
  assert.ok(Buffer.from(named.data).equals(Buffer.from(parseIdx(plain.images, "plain", IMAGES).data)), "the same pixels");
  const bomb = gzipNamed(idxFile(0x08, [10000, 28, 28], new Uint8Array(64 * 2 ** 20)), "n".repeat(200_000));
  expectOctetError(() => decodeIdxBytes(bomb, "named-bomb.gz", IMAGES), "IDX_FORMAT", /named-bomb.gz: inflates to more than the 7840016 bytes its header promises/);
});

test.run();
