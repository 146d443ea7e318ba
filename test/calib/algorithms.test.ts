// Calibration algorithms on synthetic data with known answers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AbsHistogram, maxAbs } from "../../src/calib/histogram.js";
import { entropyAmax, percentileAmax } from "../../src/calib/algorithms.js";
import { amaxFor } from "../../src/calib/calibrate.js";
import { Rng } from "../../src/util/rng.js";

function stats(values: Float32Array) {
  const m = maxAbs(values);
  const h = new AbsHistogram(m);
  h.add(values);
  return { maxAbs: m, histogram: h };
}

function gaussian(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next())), t = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

test("minmax is the largest |x|, whatever its sign", () => {
  const s = stats(new Float32Array([0.5, -3.25, 2, 0]));
  assert.is(amaxFor(s, "minmax", 99.99), 3.25);
});

test("uniform data: every algorithm keeps (nearly) the whole range", () => {
  const rng = new Rng(3);
  const v = new Float32Array(200000).map(() => rng.uniform(-4, 4));
  const s = stats(v);
  assert.ok(Math.abs(amaxFor(s, "minmax", 99.99) - 4) < 1e-3);
  assert.ok(amaxFor(s, "entropy", 99.99) > 0.95 * 4, `entropy ${amaxFor(s, "entropy", 99.99)}`);
  const p99 = percentileAmax(s.histogram, 99);
  assert.ok(Math.abs(p99 - 0.99 * 4) < 0.01, `99th percentile of |U(-4,4)| is ${p99}`);
});

test("a Gaussian with a few huge outliers: entropy clips far below the outliers", () => {
  const v = gaussian(200000, 11);
  v[5] = 80;
  v[77] = -95;
  v[1234] = 100;
  const s = stats(v);
  assert.is(amaxFor(s, "minmax", 99.99), 100);
  const e = entropyAmax(s.histogram);
  assert.ok(e > 2.5 && e < 20, `entropy amax ${e} should sit in the Gaussian's tail, far below 80`);
  const p = amaxFor(s, "percentile", 99.99);
  assert.ok(p > 3 && p < 6, `99.99th percentile ${p} of |N(0,1)| is about 3.9`);
});

test("the same data always gives the same amax", () => {
  const a = stats(gaussian(50000, 5)), b = stats(gaussian(50000, 5));
  assert.is(entropyAmax(a.histogram), entropyAmax(b.histogram));
});

test("an all-zero tensor calibrates to 0 without dividing by zero", () => {
  const s = stats(new Float32Array(100));
  for (const alg of ["minmax", "entropy", "percentile"] as const) assert.is(amaxFor(s, alg, 99.99), 0);
});

test.run();
