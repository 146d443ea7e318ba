// relu_s8 (debug build), the standalone int8 ReLU run for a ReLU no conv / fc
// absorbs: max(x, 0) byte for byte against the scalar definition, into
// another buffer and in place, for lengths that exercise the 16-byte vector
// loop and the scalar tail; the byte past the end is never written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { debugKernels, firstDiff, garbageOut, getI8, putI8, randomI8 } from "./helpers.js";

const LENGTHS = [1, 15, 16, 17, 31, 48, 100, 1000];
const relu = (x: Int8Array) => Int8Array.from(x, (v) => Math.max(v, 0));

test("relu_s8 into another buffer and in place equals max(x, 0); nothing written past the end", () => {
  const k = debugKernels();
  const rng = new Rng(42);
  for (const n of LENGTHS) {
    const mark = k.arena.mark();
    const x = randomI8(rng, n);
    x[0] = -128;
    const xp = putI8(k, x, n + 1);
    const yp = garbageOut(k, n + 1);
    k.exports.relu_s8(xp, yp, n);
    const y = getI8(k, yp, n + 1);
    assert.is(firstDiff(y.subarray(0, n), relu(x)), "none", `relu_s8 x -> y, ${n} bytes`);
    assert.is(y[n], 0x5a, `byte ${n} past the end of y`);
    assert.is(firstDiff(getI8(k, xp, n), x), "none", "x unchanged");
    k.exports.relu_s8(xp, xp, n);
    assert.is(firstDiff(getI8(k, xp, n), relu(x)), "none", `relu_s8 in place, ${n} bytes`);
    k.arena.release(mark);
  }
});

test.run();
