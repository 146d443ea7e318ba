// Node-only: reads the wasm builds that `npm install` produced in build/wasm.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kernels, assertWasmFeatures, type BuildFlavor } from "./kernels.js";
import { fail } from "../errors.js";

type Build = BuildFlavor | "threads";
const modules = new Map<Build, WebAssembly.Module>();

export function wasmPath(build: Build): string {
  const name = build === "debug" ? "octet.debug.wasm" : build === "threads" ? "octet.threads.wasm" : "octet.wasm";
  // This file runs from build/src/runtime/; the wasm lives in build/wasm/.
  return fileURLToPath(new URL(`../../wasm/${name}`, import.meta.url));
}

/** A fresh kernel instance (its own memory) of the given build. */
export function loadKernels(flavor: BuildFlavor = "release"): Kernels {
  return Kernels.fromModule(wasmModule(flavor), flavor);
}

/** An instance of the threads build (release kernels, imported shared memory) on `memory`. */
export function loadSharedKernels(memory: WebAssembly.Memory): Kernels {
  return Kernels.fromModule(wasmModule("threads"), "release", memory);
}

/** The compiled module of a build, compiled once per thread. */
export function wasmModule(build: Build): WebAssembly.Module {
  let module = modules.get(build);
  if (!module) {
    const path = wasmPath(build);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      return fail("WASM_UNSUPPORTED", `${path}: wasm build missing; run \`npm install\` (or \`npm run build\`)`);
    }
    assertWasmFeatures();
    module = new WebAssembly.Module(bytes);
    modules.set(build, module);
  }
  return module;
}
