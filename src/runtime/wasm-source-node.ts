// Node-only: reads the wasm builds that `npm install` produced in build/wasm.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kernels, assertWasmFeatures, type BuildFlavor } from "./kernels.js";
import { fail } from "../errors.js";

const modules = new Map<BuildFlavor, WebAssembly.Module>();

export function wasmPath(flavor: BuildFlavor): string {
  const name = flavor === "debug" ? "octet.debug.wasm" : "octet.wasm";
  // This file runs from build/src/runtime/; the wasm lives in build/wasm/.
  return fileURLToPath(new URL(`../../wasm/${name}`, import.meta.url));
}

/** A fresh kernel instance (its own memory) of the given build. */
export function loadKernels(flavor: BuildFlavor = "release"): Kernels {
  let module = modules.get(flavor);
  if (!module) {
    const path = wasmPath(flavor);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      return fail("WASM_UNSUPPORTED", `${path}: wasm build missing; run \`npm install\` (or \`npm run build\`)`);
    }
    assertWasmFeatures();
    module = new WebAssembly.Module(bytes);
    modules.set(flavor, module);
  }
  return Kernels.fromModule(module, flavor);
}
