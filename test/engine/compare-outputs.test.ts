// --compare's bit-for-bit check of INT8 placements' probabilities
// (src/cli/compare.ts bitDifference): equal bit patterns only, so -0 vs 0
// and two NaNs of different payloads differ, and a mismatch names the
// image, the class and both values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bitDifference } from "../../src/cli/compare.js";

test("identical bit patterns: no difference", () => {
  const a = Float32Array.from([0.25, 0.75, NaN, -0, 1e-30, 0.5]);
  assert.is(bitDifference(a, a.slice(), 3), null);
});

test("a mismatch names how many differ and the first image and class, with both bit patterns", () => {
  const a = Float32Array.from([0.25, 0.75, 0, 0.5, 0.5, 0]);
  const b = a.slice();
  b[4] = Math.fround(0.5 + 2 ** -24);
  b[5] = -0;
  assert.is(bitDifference(a, b, 3), "2 of 6 probabilities differ; first: image 1, class 1: 0.5 (0x3f000000) vs 0.5000000596046448 (0x3f000001)");
  const nan = new Float32Array(new Uint32Array([0x7fc00000, 0x7fc00001]).buffer);
  assert.match(bitDifference(nan.subarray(0, 1), nan.subarray(1, 2), 1)!, /1 of 1 probabilities differ; first: image 0, class 0: NaN \(0x7fc00000\) vs NaN \(0x7fc00001\)/);
});

test.run();
