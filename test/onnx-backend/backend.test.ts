// ONNX's backend tests (Debian's libonnx-testdata) through octet's importer
// and FP32 network (runner.ts): every test listed in expected-pass.txt still
// passes, and no test of the whole set crashes (a crash is an error that is
// not an OctetError: a defect). Without the data (a fresh machine) only the
// list's form is checked, with one line saying so, unless
// OCTET_REQUIRE_ONNX_BACKEND=1 (CI installs the package) makes that a failure.
// `node scripts/onnx-backend-report.mjs` rewrites the list and shows every result.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  dataRoot, hasData, discover, runAll, parseExpected, repoRoot, close, compare, outputShapeProblem, EXPECTED_PASS_FILE, DATA_ROOT_ENV,
  type TestResult,
} from "./runner.js";

const REQUIRE_ENV = "OCTET_REQUIRE_ONNX_BACKEND";
const root = dataRoot();
const expectedText = readFileSync(join(repoRoot(), EXPECTED_PASS_FILE), "utf8");
const expected = parseExpected(expectedText);

test("expected-pass.txt is well formed: sorted test ids, each once", () => {
  assert.equal(expected.problems, [], `${EXPECTED_PASS_FILE}:\n  ${expected.problems.join("\n  ")}`);
  assert.ok(expected.ids.length > 0, `${EXPECTED_PASS_FILE} lists no test`);
});

test("the runner's comparison is numpy's allclose (NaN equals NaN) and maps octet's [C, H, W] onto ONNX shapes", () => {
  assert.ok(close(1 + 1e-4, 1) && !close(1 + 2e-4, 1), "rtol 1e-4");
  assert.ok(close(1e-5, 0) && !close(2e-5, 0), "atol 1e-5");
  assert.ok(close(NaN, NaN) && !close(NaN, 0) && close(Infinity, Infinity) && !close(Infinity, -Infinity) && !close(1e30, Infinity));
  const c = compare(new Float32Array([0, 1, 2.5]), new Float32Array([0, 1, 2]));
  assert.ok(!c.ok && c.maxError === 0.5 && /1 of 3 values differ; worst at 2/.test(c.detail), c.detail);
  assert.is(outputShapeProblem([2, 3, 4, 5], 2, [3, 4, 5]), "");
  assert.is(outputShapeProblem([2, 10], 2, [10, 1, 1]), "");
  assert.is(outputShapeProblem([2, 3, 5], 2, [3, 5, 1]), "");
  assert.match(outputShapeProblem([2, 3, 5, 4], 2, [3, 4, 5]), /octet's output is \[2, 3, 4, 5\]/);
  assert.match(outputShapeProblem([1, 10], 2, [10, 1, 1]), /batch 2 first/);
  assert.equal(parseExpected("# c\nnode/test_a\nnode/test_b\n").ids, ["node/test_a", "node/test_b"]);
  assert.equal(parseExpected("node/test_b\nnode/test_a\nnode/test_a\nfoo\n").problems.length, 3);
});

function describe(r: TestResult): string {
  const o = r.outcome;
  switch (o.status) {
    case "pass": return "pass";
    case "fail": return `fail, max error ${o.maxError}: ${o.detail}`;
    case "unsupported": return `unsupported (${o.phase}, ${o.code}): ${o.message}`;
    case "not-applicable": return `not-applicable: ${o.reason}`;
    case "crash": return `CRASH in ${o.phase}: ${o.error}`;
  }
}

if (!hasData(root)) {
  if (process.env[REQUIRE_ENV] === "1") {
    test("ONNX backend test data is installed", () => {
      assert.unreachable(`ONNX backend test data not found at ${root} (${REQUIRE_ENV}=1): \`apt-get install libonnx-testdata\`, or set ${DATA_ROOT_ENV}`);
    });
  } else {
    console.log(`ONNX backend test data not found at ${root}: \`apt-get install libonnx-testdata\` runs these ${expected.ids.length} tests; skipped`);
  }
} else {
  let results: TestResult[] | null = null;
  const all = (): TestResult[] => (results ??= runAll(discover(root)));

  test(`every test in ${EXPECTED_PASS_FILE} still passes`, () => {
    const byId = new Map(all().map((r) => [r.test.id, r]));
    const lost = expected.ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [`${id}: not in the data at ${root}`];
      return r.outcome.status === "pass" ? [] : [`${id}: ${describe(r)}`];
    });
    assert.equal(lost.length, 0, `${lost.length} of ${expected.ids.length} expected passes no longer pass:\n  ${lost.join("\n  ")}`);
    const listed = new Set(expected.ids);
    const gained = all().filter((r) => r.outcome.status === "pass" && !listed.has(r.test.id));
    if (gained.length) console.log(`${gained.length} ONNX backend tests pass that ${EXPECTED_PASS_FILE} does not list (${gained.slice(0, 5).map((r) => r.test.id).join(", ")}${gained.length > 5 ? ", …" : ""}): \`node scripts/onnx-backend-report.mjs\` adds them`);
  });

  test("no ONNX backend test crashes (every refusal is an OctetError)", () => {
    const crashes = all().filter((r) => r.outcome.status === "crash");
    const lines = crashes.map((r) => {
      const o = r.outcome as Extract<TestResult["outcome"], { status: "crash" }>;
      const frame = o.stack.split("\n").find((l) => /^\s+at /.test(l))?.trim() ?? "";
      return `${r.test.id} (${r.ops}): ${describe(r)}${frame ? ` ${frame}` : ""}`;
    });
    assert.equal(crashes.length, 0, `${crashes.length} of ${all().length} tests crash:\n  ${lines.join("\n  ")}`);
  });
}

test.run();
