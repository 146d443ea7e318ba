// What a web page downloads: octet's browser bundle (JS + wasm) against
// ONNX Runtime Web's wasm-only build (its smallest: JS + glue + wasm).
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface SizeRow {
  name: string;
  files: string[];
  bytes: number;
  gzipBytes: number;
}

function measure(name: string, files: string[]): SizeRow {
  let bytes = 0, gzipBytes = 0;
  for (const f of files) {
    const b = readFileSync(f);
    bytes += b.length;
    gzipBytes += gzipSync(b, { level: 9 }).length;
  }
  return { name, files: files.map((f) => f.replace(ROOT, "")), bytes, gzipBytes };
}

export function runSize(): SizeRow[] {
  const rows = [measure("octet (build/dist: octet.js + octet.wasm)", [join(ROOT, "build/dist/octet.js"), join(ROOT, "build/dist/octet.wasm")])];
  const ortDist = join(ROOT, "node_modules/onnxruntime-web/dist");
  const ortFiles = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"].map((f) => join(ortDist, f));
  if (ortFiles.every(existsSync)) rows.push(measure("ONNX Runtime Web (ort.wasm.min.mjs + glue + wasm)", ortFiles));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log("Browser download size (raw / gzip):");
  for (const r of rows) console.log(`  ${r.name.padEnd(52)} ${kb(r.bytes).padStart(10)} / ${kb(r.gzipBytes).padStart(9)}`);
  if (rows.length === 2) console.log(`  ONNX Runtime Web is ${(rows[1]!.bytes / rows[0]!.bytes).toFixed(0)}x octet's size`);
  return rows;
}
