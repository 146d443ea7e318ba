// Runs relaxed-build.ts where the engine allows: in this process when it has
// relaxed SIMD, else (Node 20) in a child Node started with
// --experimental-wasm-relaxed-simd --no-liftoff (V8's first tier in Node 20
// computes the instruction wrongly; the probe test below shows it). Also the
// start-up choice in this engine, against what the engine is known to do.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { wasmPath } from "../../src/runtime/wasm-source-node.js";
import { chooseIsa, relaxedDotReference, type IsaRequest } from "../../src/runtime/isa.js";
import { expectOctetError } from "../helpers.js";

const SUITE = fileURLToPath(new URL("./relaxed-build.js", import.meta.url));
const NODE20_FLAGS = ["--experimental-wasm-relaxed-simd", "--no-liftoff"];
const native = WebAssembly.validate(readFileSync(wasmPath("relaxed")));
const node20 = process.versions.node.startsWith("20.");

const run = (flags: string[], file: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...flags, file], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });

test("the spec's relaxed dot: lane i = c + the 4 products of lane i, wrapping", () => {
  const a = Int8Array.from({ length: 16 }, (_, i) => (i % 2 ? -128 : 3)), b = Int8Array.from({ length: 16 }, (_, i) => i * 8);
  const got = relaxedDotReference(a, b, Int32Array.of(2147483647, 0, -5, 1));
  // lane 0: 3*0 - 128*8 + 3*16 - 128*24 = -4048; the others likewise.
  assert.equal([...got], [(2147483647 - 4048) | 0, 3 * 32 - 128 * 40 + 3 * 48 - 128 * 56, -5 + 3 * 64 - 128 * 72 + 3 * 80 - 128 * 88, 1 + 3 * 96 - 128 * 104 + 3 * 112 - 128 * 120]);
});

if (native || node20) {
  test(`the relaxed-SIMD build's suite (${native ? "this engine" : "a child Node 20 with " + NODE20_FLAGS.join(" ")})`, () => {
    const r = run(native ? [] : NODE20_FLAGS, SUITE);
    assert.is(r.status, 0, `relaxed-build.js failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Passed:\s+\d+/);
  });
} else {
  console.log("  relaxed SIMD: this engine lacks it and is not Node 20; the relaxed build's suite is skipped");
}

const CHOICE = fileURLToPath(new URL("./relaxed-choice.js", import.meta.url));
const choice = (flags: string[], request: string) => JSON.parse(run(flags, CHOICE, { OCTET_ISA: request }).stdout) as { isa?: string; reason?: string; error?: string };

if (node20) {
  test("Node 20: without the flag the start-up choice is SIMD128 and --isa relaxed a typed error", () => {
    assert.is(choice([], "auto").isa, "simd128");
    assert.match(choice([], "relaxed").error ?? "", /WASM_UNSUPPORTED.*lacks WebAssembly relaxed SIMD/);
  });
  test("Node 20 with the flag: the probe catches V8's first tier computing the relaxed dot wrongly", () => {
    const auto = choice(["--experimental-wasm-relaxed-simd"], "auto");
    assert.is(auto.isa, "simd128");
    assert.match(auto.reason ?? "", /computes wrongly/);
    assert.match(choice(["--experimental-wasm-relaxed-simd"], "relaxed").error ?? "", /WASM_UNSUPPORTED.*computes i32x4.relaxed_dot_i8x16_i7x16_add_s wrongly/);
    assert.is(choice(NODE20_FLAGS, "relaxed").isa, "relaxed");
  });
}

test("an unknown OCTET_ISA is a typed error naming it; so is an unknown request to the library (a page's ?isa=)", () => {
  assert.match(choice([], "avx512").error ?? "", /BAD_ARGUMENT.*OCTET_ISA.*"avx512"/);
  expectOctetError(() => chooseIsa("sse" as IsaRequest, () => undefined), "BAD_ARGUMENT", /instruction set: expected auto, simd128 or relaxed, got "sse"/);
});

test.run();
