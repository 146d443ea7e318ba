// The generated kernels (scripts/gen-kernels.mjs: assembly/{int8,fp32}/templates/
// *.ts.in -> assembly/{int8,fp32}/gen/) are what the templates make: regenerating
// must not change the committed files, so a template edited without
// regenerating, or a generated file edited by hand, fails here. The
// template expander's directives are checked on a small case. (That the
// generated tiles compute the right sums is the kernel tests' business,
// against the scalar reference.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const gen = await import(pathToFileURL(`${ROOT}scripts/gen-kernels.mjs`).href) as {
  generate(): Map<string, string>;
  expand(text: string, vars: Record<string, unknown>): string;
};

test("every generated kernel file is what the templates generate", () => {
  const files = gen.generate();
  assert.ok(["assembly/int8/gen/gemm-tiles-s8.ts", "assembly/int8/gen/peak-s8.ts", "assembly/int8/gen/pair-panels-s8.ts", "assembly/int8/gen/relaxed-r8.ts", "assembly/fp32/gen/blocks-f32.ts"].every((f) => files.has(f)),
    `the generated families: ${[...files.keys()].join(", ")}`);
  for (const [path, text] of files) {
    const committed = readFileSync(`${ROOT}${path}`, "utf8");
    if (committed !== text) {
      const a = committed.split("\n"), b = text.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.unreachable(`${path}: line ${line + 1} is ${JSON.stringify(a[line])}, the templates give ${JSON.stringify(b[line])}; run node scripts/gen-kernels.mjs`);
    }
  }
});

test("each peak microkernel runs its production tile's loop", () => {
  const files = gen.generate();
  const tiles = files.get("assembly/int8/gen/gemm-tiles-s8.ts")!, peaks = files.get("assembly/int8/gen/peak-s8.ts")!;
  // The main loop's body: from its first load to the line closing it, indentation aside.
  const loopOf = (src: string, fn: string) => {
    const lines = src.slice(src.indexOf(`function ${fn}(`)).split("\n").map((l) => l.trim());
    const start = lines.findIndex((l) => l.startsWith("const a = ") || l.startsWith("const x = "));
    return lines.slice(start, lines.indexOf("}", start)).join("\n");
  };
  assert.is(loopOf(peaks, "peak_s16"), loopOf(tiles, "tile4x2s16"));
  assert.is(loopOf(peaks, "peak_s16s8"), loopOf(tiles, "tile4x2w16"));
  const relaxed = files.get("assembly/int8/gen/relaxed-r8.ts")!;
  assert.match(loopOf(relaxed, "tile4x1r8"), /relaxed_dot_i8x16_i7x16_add_s/);
  assert.is(loopOf(relaxed, "peak_r8"), loopOf(relaxed, "tile4x1r8"));
});

test("the template expander: variables, macros with an argument, kept and dropped blocks, indentation", () => {
  const t = "${A} ${L(x + 1)}\n//#if ON\nkept\n//#endif\n//#if OFF\ndropped\n//#endif\n//#indent ON\nin\n//#endindent\nout";
  assert.is(gen.expand(t, { A: "a", L: "ld(#)", ON: true, OFF: false }), "a ld(x + 1)\nkept\n  in\nout\n");
  assert.throws(() => gen.expand("${MISSING}", {}), /template variable MISSING is not set/);
});

test.run();
