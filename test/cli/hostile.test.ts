// The CLI on hostile command lines: files and folders that cannot be written
// are refused by path before any model, data or build; option-like values,
// stray arguments, repeats and numbers in other notations are refused by name;
// bin/octet.js prints an OctetError as one line, without a stack.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { parseArgs } from "../../src/cli/args.js";
import type { Io } from "../../src/cli/io.js";

const dir = mkdtempSync(join(tmpdir(), "octet-hostile-"));
const missing = join(dir, "no-such-folder");

const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

async function run(argv: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const out: string[] = [], err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const t0 = performance.now();
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n"), ms: performance.now() - t0 };
}

/** Refused with one error line, before anything was printed (no model, data, build or calibration). */
async function refusedEarly(argv: string[], pattern: RegExp): Promise<void> {
  const r = await run(argv);
  assert.is(r.code, 2, `${argv.join(" ")}: ${r.out}`);
  assert.is(r.out, "", `${argv.join(" ")} did work before refusing:\n${r.out}`);
  assert.match(r.err, pattern);
  assert.not.match(r.err, /\n/, "one line");
  assert.ok(r.ms < 1000, `${argv.join(" ")} took ${r.ms.toFixed(0)} ms to refuse`);
}

test("output files in a missing folder, or onto a folder, are refused by path before any work", async () => {
  await refusedEarly(["infer", "--save-plan", join(missing, "p.plan")], new RegExp(`error \\[BAD_OPTION\\]: --save-plan ${missing}/p.plan: folder ${missing} does not exist`));
  await refusedEarly(["infer", "--save-plan", dir], new RegExp(`--save-plan ${dir}: is a folder, expected a file`));
  await refusedEarly(["infer", "--calib-cache", join(missing, "c.cache")], new RegExp(`--calib-cache ${missing}/c.cache: folder ${missing} does not exist`));
  await refusedEarly(["infer", "--calib-cache", dir], new RegExp(`--calib-cache ${dir}: is a folder, expected a file`));
  await refusedEarly(["infer", "--export-trace", join(missing, "t.json")], /--export-trace .*: folder .* does not exist/);
  await refusedEarly(["infer", "--export-profile", dir], /--export-profile .*: is a folder, expected a file/);
  await refusedEarly(["infer", "--load-plan", join(dir, "absent.plan")], /--load-plan .*absent.plan: no such file/);
  await refusedEarly(["export", "--onnx", join(missing, "m.onnx")], new RegExp(`octet export: error \\[BAD_OPTION\\]: --onnx ${missing}/m.onnx: folder ${missing} does not exist`));
  await refusedEarly(["export", "--onnx", dir], new RegExp(`--onnx ${dir}: is a folder, expected a file`));
  await refusedEarly(["export", "--onnx", join(dir, "m.onnx"), "--qdq", "--calib-cache", join(missing, "c")], /--calib-cache .*: folder .* does not exist/);
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  await refusedEarly(["infer", "--save-plan", join(file, "p.plan")], new RegExp(`--save-plan ${file}/p.plan: ${file} is not a folder`));
  await refusedEarly(["infer", "--save-plan", "a\0b"], /option --save-plan: expected a non-empty string, found "a\\u0000b"/);
});

test("train checks where the weights go before loading data or training", async () => {
  const graph = join(dir, "g.json");
  writeFileSync(graph, JSON.stringify({
    format: "octet-model", version: 1, name: "g", input: { name: "x", shape: [1, 4, 4] },
    layers: [{ name: "fc", type: "fully_connected", input: "x", output: "fc", numOutput: 2 }], output: "fc", weights: "g.weights",
  }));
  await refusedEarly(["train", "--model", graph, "--out", join("no-such-folder", "w.weights")], new RegExp(`--out ${dir}/no-such-folder/w.weights: folder ${dir}/no-such-folder does not exist`));
  mkdirSync(join(dir, "g.weights"));
  await refusedEarly(["train", "--model", graph], new RegExp(`the graph's "weights" ${dir}/g.weights: is a folder, expected a file`));
});

test("files without permission are refused by path", async () => {
  if (process.getuid?.() === 0) return; // root may write anywhere
  const locked = join(dir, "locked");
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  await refusedEarly(["infer", "--save-plan", join(locked, "p.plan")], /--save-plan .*: no permission to create files in folder .*locked/);
  const readonly = join(dir, "ro.plan");
  writeFileSync(readonly, "x");
  chmodSync(readonly, 0o400);
  await refusedEarly(["infer", "--export-trace", readonly], /--export-trace .*ro.plan: no permission to write this file/);
});

test("option values that look like options, stray arguments and repeated options are refused", async () => {
  await refusedEarly(["infer", "--save-plan", "--no-profile"], /option --save-plan needs a value \(a non-empty string\), found option --no-profile; write --save-plan=--no-profile if that is the value/);
  await refusedEarly(["export", "--onnx", "--qdq"], /option --onnx needs a value .*found option --qdq/);
  await refusedEarly(["infer", "extra"], /unexpected argument "extra" for `octet infer`/);
  await refusedEarly(["export", "--onnx", join(dir, "m.onnx"), "stray"], /unexpected argument "stray" for `octet export`/);
  await refusedEarly(["export", "m.onnx"], /unexpected argument "m.onnx" for `octet export`/);
  await refusedEarly(["train", "lenet.json"], /unexpected argument "lenet.json" for `octet train`/);
  await refusedEarly(["train", "-h"], /unexpected argument "-h" for `octet train`/);
  await refusedEarly(["infer", "--batch", "8", "--batch", "16"], /option --batch is given twice/);
  await refusedEarly(["infer", "--no-profile", "--export-trace", join(dir, "t.json")], /--export-profile and --export-trace need the profiled run; drop --no-profile/);
  await refusedEarly(["infer", "--layer-device", "pool2=gpu,pool2=dla"], /option --layer-device: layer "pool2" is given twice/);
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "x".repeat(1000)]) {
    const r = await run([name, "--help"]);
    assert.is(r.code, 2, name);
    assert.match(r.err, /^octet: unknown command "[^"]{1,81}"; expected one of infer, train, export, inspect$/);
  }
});

test("numbers are decimal only", async () => {
  for (const bad of ["0x10", "1e3", " 5", "+5", "5 ", "1.5", "", "99999999999999999999", "Infinity", "0b1", "١٢"]) {
    await refusedEarly(["infer", "--batch", bad], new RegExp(`option --batch: expected an integer in 1..4096, found ${escape(JSON.stringify(bad))}$`));
  }
  await refusedEarly(["train", "--lr", "1e-3"], /option --lr: expected a number >= 0, found "1e-3"/);
  await refusedEarly(["train", "--lr", "0x1"], /option --lr: expected a number >= 0, found "0x1"/);
  await refusedEarly(["infer", "--percentile", "99.9.9"], /option --percentile: expected a number in 50..100, found "99.9.9"/);
  await refusedEarly(["train", "--seed", "-1"], /option --seed: expected an integer >= 0, found "-1"/);
  const specs = [{ name: "offset", kind: "int", help: "" }, { name: "gain", kind: "number", help: "" }] as const;
  const a = parseArgs(["--offset", "-1", "--gain=-0.25"], specs, "test");
  assert.is(a.int("offset"), -1);
  assert.is(a.num("gain"), -0.25);
  assert.is(parseArgs(["--gain", ".5"], specs, "test").num("gain"), 0.5);
  assert.is(parseArgs(["--offset", "007"], specs, "test").int("offset"), 7);
});

test("bin/octet.js prints an OctetError as one line with no stack, and exits non-zero", () => {
  const bin = fileURLToPath(new URL("../../../bin/octet.js", import.meta.url));
  const r = spawnSync(process.execPath, [bin, "infer", "--batch", "0x10"], { encoding: "utf8" });
  assert.is(r.status, 2);
  assert.is(r.stdout, "");
  assert.is(r.stderr, `octet infer: error [BAD_OPTION]: option --batch: expected an integer in 1..4096, found "0x10"\n`);
  const m = spawnSync(process.execPath, [bin, "export", "--onnx", join(missing, "m.onnx")], { encoding: "utf8" });
  assert.is(m.status, 2);
  assert.is(m.stderr.trim().split("\n").length, 1, m.stderr);
  assert.not.match(m.stderr, /\n\s+at /);
});

test.run();
