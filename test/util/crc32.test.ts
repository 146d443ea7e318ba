// crc32 (src/util/crc32.ts, slicing by 8 over word reads) against zlib's, on
// every length 0..300 and at every byte offset 0..7 of the underlying buffer
// (the word view's alignment), then on a plan-sized buffer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/util/crc32.js";
import { Rng } from "../../src/util/rng.js";

const rng = new Rng(32);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));

test("equals zlib's crc32 for every length 0..300 at every offset 0..7", () => {
  const base = bytes(310);
  for (let off = 0; off < 8; off++) {
    for (let n = 0; n + off <= 310 && n <= 300; n++) {
      const v = base.subarray(off, off + n);
      assert.is(crc32(v), zlibCrc32(v) >>> 0, `length ${n} at offset ${off}`);
    }
  }
});

test("equals zlib's crc32 on half a megabyte", () => {
  const v = bytes(463_597).subarray(1);
  assert.is(crc32(v), zlibCrc32(v) >>> 0);
});

test.run();
