// Transpiles src/, test/ and bench/ TypeScript to build/ (one .js per .ts,
// ES modules) with esbuild. Type checking is `npm run typecheck` (tsc).
import { build } from "esbuild";
import { readdirSync, statSync, cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

function listTs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name === "node_modules") return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const entryPoints = ["src", "test", "bench"].flatMap(listTs);
await build({
  entryPoints,
  outdir: "build",
  outbase: ".",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
});
if (existsSync("test/fixtures")) cpSync("test/fixtures", "build/test/fixtures", { recursive: true });

// The browser build: one ES module (the library, minified) and the release wasm.
mkdirSync("build/dist", { recursive: true });
await build({
  entryPoints: ["src/index.ts"],
  outfile: "build/dist/octet.js",
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
if (existsSync("build/wasm/octet.wasm")) cpSync("build/wasm/octet.wasm", "build/dist/octet.wasm");
