// Shared test utilities: seeded random data and tolerant float comparison.
import * as assert from "uvu/assert";
import { Rng } from "../src/util/rng.js";

export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** |a-b| <= atol + rtol*|b| elementwise, reporting the first mismatch. */
export function assertClose(actual: Float32Array, expected: Float32Array, what: string, rtol = 1e-5, atol = 1e-5): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.unreachable(`${what}: element ${i} is ${a}, expected ${e}`);
    }
  }
}

export function expectOctetError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, code, `error code for: ${err.message}`);
    assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`expected an OctetError ${code} matching ${pattern}`);
}
