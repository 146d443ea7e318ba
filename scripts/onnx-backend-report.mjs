#!/usr/bin/env node
// Runs ONNX's backend tests (Debian's libonnx-testdata) through octet
// (test/onnx-backend/runner.ts), prints counts per suite and per op, every
// failure with its max error, every crash, the refusals after import and the
// commonest refusal reasons, and writes test/onnx-backend/expected-pass.txt
// (the tests that pass today; backend.test.ts holds octet to them).
//
//   npm run build:ts && node scripts/onnx-backend-report.mjs [options]
//     --data DIR      the data folder (default $OCTET_ONNX_BACKEND_DATA or /usr/share/libonnx-testdata/data)
//     --filter RE     only tests whose id matches RE (does not write the list)
//     --no-bind       inputs after the first are not bound to their test values: such tests are not-applicable
//     --no-lift       inputs of rank 0-3 of elementwise models are not seen as rank 4: such tests are not-applicable
//     --strict        both: only tests with one rank-4 float input are applicable
//     --raise-opset N exploration: read models of an older opset as opset N (does not write the list)
//     --debug         the debug kernel build (bounds-checked memory accesses)
//     --json FILE     every result as JSON
//     --no-write      do not write expected-pass.txt
//     --all-ops       the per-op table lists op sets with only not-applicable tests too
import { writeFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runnerPath = join(root, "build/test/onnx-backend/runner.js");
if (!existsSync(runnerPath)) {
  console.error(`${runnerPath} is missing: run \`npm run build:ts\` first`);
  process.exit(2);
}
const R = await import(pathToFileURL(runnerPath).href);

const args = process.argv.slice(2);
const opt = { data: null, filter: null, bind: true, lift: true, raiseOpset: 0, debug: false, json: null, write: true, allOps: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) { console.error(`${a} needs a value`); process.exit(2); }
    return args[++i];
  };
  if (a === "--data") opt.data = value();
  else if (a === "--filter") opt.filter = new RegExp(value());
  else if (a === "--no-bind") opt.bind = false;
  else if (a === "--no-lift") opt.lift = false;
  else if (a === "--strict") opt.bind = opt.lift = false;
  else if (a === "--raise-opset") opt.raiseOpset = Number(value());
  else if (a === "--debug") opt.debug = true;
  else if (a === "--json") opt.json = value();
  else if (a === "--no-write") opt.write = false;
  else if (a === "--all-ops") opt.allOps = true;
  else if (a === "--help" || a === "-h") {
    console.log(readHelp());
    process.exit(0);
  } else { console.error(`unknown option ${a} (--help lists them)`); process.exit(2); }
}

function readHelp() {
  return "node scripts/onnx-backend-report.mjs [--data DIR] [--filter RE] [--no-bind] [--no-lift] [--strict] [--raise-opset N] [--debug] [--json FILE] [--no-write] [--all-ops]";
}

const dataDir = opt.data ?? R.dataRoot();
if (!R.hasData(dataDir)) {
  console.error(`ONNX backend test data not found at ${dataDir}: \`apt-get install libonnx-testdata\` (or --data DIR / $${R.DATA_ROOT_ENV})`);
  process.exit(2);
}
let version = "";
try {
  version = execFileSync("dpkg-query", ["-W", "-f=${Version}", "libonnx-testdata"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
} catch { /* not a Debian install */ }

let tests = R.discover(dataDir);
if (opt.filter) tests = tests.filter((t) => opt.filter.test(t.id));
const started = performance.now();
let dots = 0;
const results = R.runAll(tests, { bindExtraInputs: opt.bind, liftElementwise: opt.lift, raiseOpset: opt.raiseOpset, flavor: opt.debug ? "debug" : "release" }, (_r, i) => {
  if (process.stderr.isTTY && (i + 1) % 50 === 0) process.stderr.write(`\r${i + 1}/${tests.length}`), dots++;
});
if (dots) process.stderr.write("\r");
const seconds = (performance.now() - started) / 1000;

const STATUSES = R.STATUSES;
const SHORT = { pass: "pass", fail: "fail", unsupported: "unsupported", "not-applicable": "n/a", crash: "crash" };
const count = (rs) => Object.fromEntries(STATUSES.map((s) => [s, rs.filter((r) => r.outcome.status === s).length]));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const fmtErr = (e) => (e === Infinity ? "inf" : e === 0 ? "0" : e.toPrecision(3));

function table(title, rows, keyWidth, extra) {
  console.log(`${pad(title, keyWidth)} ${lpad("tests", 6)} ${STATUSES.map((s) => lpad(SHORT[s], s === "unsupported" ? 12 : 6)).join(" ")}${extra ? `  ${extra.title}` : ""}`);
  for (const [key, rs] of rows) {
    const c = count(rs);
    console.log(`${pad(key, keyWidth)} ${lpad(rs.length, 6)} ${STATUSES.map((s) => lpad(c[s] || (s === "pass" ? 0 : "."), s === "unsupported" ? 12 : 6)).join(" ")}${extra ? `  ${extra.cell(rs)}` : ""}`);
  }
}

console.log(`ONNX backend tests: ${dataDir}${version ? ` (libonnx-testdata ${version})` : ""}`);
console.log(`FP32, ${opt.debug ? "debug" : "release"} kernels, rtol ${R.RTOL}, atol ${R.ATOL}; inputs after the first ${opt.bind ? "bound to their test values" : "not bound (not-applicable)"}, rank 0-3 inputs of elementwise models ${opt.lift ? "seen as rank 4" : "not lifted (not-applicable)"}${opt.raiseOpset ? `, older opsets read as ${opt.raiseOpset} (exploration)` : ""}; ${tests.length} tests in ${seconds.toFixed(1)} s`);
console.log("");
const bySuite = R.SUITES.map((s) => [s, results.filter((r) => r.test.suite === s)]).filter(([, rs]) => rs.length);
table("suite", [...bySuite, ["total", results]], 18);
const adapted = results.filter((r) => r.adapted.length && r.outcome.status !== "not-applicable");
const kinds = [
  ["inputs bound to their test values", (a) => a.includes(" bound to ")],
  ["C, H, W from input_0", (a) => a.includes(" from input_0")],
  ["a lower rank seen as 4", (a) => a.includes(" seen as ")],
  ["[N, F] through a Flatten", (a) => a.includes("Flatten of")],
  ["an older opset raised", (a) => a.startsWith("opset ")],
].map(([what, is]) => `${adapted.filter((r) => r.adapted.some(is)).length} ${what}`);
console.log(`(${adapted.length} applicable tests were fitted to octet's form (${kinds.join(", ")}); ${adapted.filter((r) => r.outcome.status === "pass").length} of them pass; --strict leaves them not-applicable)`);

// Per op set.
const byOps = new Map();
for (const r of results) {
  if (!byOps.has(r.ops)) byOps.set(r.ops, []);
  byOps.get(r.ops).push(r);
}
const opRows = [...byOps.entries()]
  .filter(([, rs]) => opt.allOps || rs.some((r) => r.outcome.status !== "not-applicable"))
  .sort((a, b) => (a[0] < b[0] ? -1 : 1));
const keyWidth = Math.min(48, Math.max(8, ...opRows.map(([k]) => k.length)));
console.log("");
console.log(`Per op (the model's op types; ${byOps.size - opRows.length} op sets whose tests are all not-applicable are left out${opt.allOps ? "" : ", --all-ops lists them"}):`);
table("ops", opRows.map(([k, rs]) => [k.length > keyWidth ? `${k.slice(0, keyWidth - 1)}…` : k, rs]), keyWidth, {
  title: "max error of failures",
  cell: (rs) => {
    const f = rs.filter((r) => r.outcome.status === "fail");
    return f.length ? fmtErr(Math.max(...f.map((r) => r.outcome.maxError))) : "";
  },
});

const of = (s) => results.filter((r) => r.outcome.status === s);
const fails = of("fail");
console.log("");
console.log(`Failures (${fails.length}): imported and ran, outputs differ`);
for (const r of fails) console.log(`  ${r.test.id}  [${r.ops}]  max error ${fmtErr(r.outcome.maxError)}: ${r.outcome.detail}${r.adapted.length ? `  (adapted: ${r.adapted.join(", ")})` : ""}`);

const crashes = of("crash");
console.log("");
console.log(`Crashes (${crashes.length}): errors that are not OctetErrors, defects in octet`);
for (const r of crashes) {
  const frame = r.outcome.stack.split("\n").find((l) => /^\s+at /.test(l))?.trim() ?? "";
  console.log(`  ${r.test.id}  [${r.ops}]  in ${r.outcome.phase}: ${r.outcome.error}${frame ? `\n      ${frame}` : ""}`);
}

const late = of("unsupported").filter((r) => r.outcome.phase !== "import");
console.log("");
console.log(`Refused after import (${late.length}): importOnnx took the model, the FP32 network did not`);
for (const r of late) console.log(`  ${r.test.id}  [${r.ops}]  in ${r.outcome.phase} (${r.outcome.code}): ${r.outcome.message}`);

const reasonOf = (r) => (r.outcome.first ? `(one of several) ${r.outcome.first}` : r.outcome.message)
  .replace(`${r.test.id}/model.onnx: `, "")
  .replace(/^(\(one of several\) )?node \S+ \((\w+)\): /, "$1$2: ");
const reasons = new Map();
for (const r of of("unsupported")) reasons.set(reasonOf(r), (reasons.get(reasonOf(r)) ?? 0) + 1);
console.log("");
console.log(`Commonest refusals (of ${of("unsupported").length}; the message's first line, or the first refused node's):`);
for (const [why, n] of [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${lpad(n, 4)}  ${why.length > 150 ? `${why.slice(0, 149)}…` : why}`);

const naReasons = new Map();
for (const r of of("not-applicable")) {
  const why = r.outcome.reason.replace(/^(input|output) \S+ /, "$1 ").replace(/\d+/g, "#");
  naReasons.set(why, (naReasons.get(why) ?? 0) + 1);
}
console.log("");
console.log(`Not applicable (${of("not-applicable").length}):`);
for (const [why, n] of [...naReasons.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${lpad(n, 4)}  ${why}`);

if (opt.json) {
  writeFileSync(opt.json, JSON.stringify({ data: dataDir, version, seconds, results }, (k, v) => (v === Infinity ? "Infinity" : v), 1));
  console.log(`\nwrote ${opt.json}`);
}
if (opt.write && !opt.filter && opt.bind && opt.lift && !opt.raiseOpset && !opt.debug) {
  const c = count(results);
  const header = [
    "ONNX backend tests octet passes (FP32, rtol 1e-4, atol 1e-5), one id a line, sorted.",
    "Written by `node scripts/onnx-backend-report.mjs`; test/onnx-backend/backend.test.ts fails naming any that no longer passes.",
    `Data: ${version ? `libonnx-testdata ${version}` : dataDir}; ${results.length} tests: ${STATUSES.map((s) => `${c[s]} ${s}`).join(", ")}.`,
  ];
  const path = join(root, R.EXPECTED_PASS_FILE);
  writeFileSync(path, R.formatExpected(results, header));
  console.log(`\nwrote ${R.EXPECTED_PASS_FILE} (${c.pass} tests)`);
}
process.exit(crashes.length ? 1 : 0);
