// Node-only: reads the wasm builds that `npm install` produced in build/wasm.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kernels, assertWasmFeatures, type BuildFlavor } from "./kernels.js";
import { fail } from "../errors.js";
import { chooseIsa, type IsaChoice, type IsaRequest } from "./isa.js";

type Build = BuildFlavor | "threads" | "relaxed" | "relaxed-debug";
const modules = new Map<Build, WebAssembly.Module>();

export function wasmPath(build: Build): string {
  const name = build === "release" ? "octet.wasm" : `octet.${build}.wasm`;
  // This file runs from build/src/runtime/; the wasm lives in build/wasm/.
  return fileURLToPath(new URL(`../../wasm/${name}`, import.meta.url));
}

let isaRequest: IsaRequest | undefined;
let isaChoice: IsaChoice | undefined;

function checkedRequest(request: string, where: string): IsaRequest {
  if (request !== "auto" && request !== "simd128" && request !== "relaxed") fail("BAD_ARGUMENT", `${where}: expected auto, simd128 or relaxed, got "${request}"`);
  return request;
}

/** What the release kernels should run on (`--isa`; OCTET_ISA when not called), before the first kernels are loaded. */
export function requestIsa(request: string): void {
  const r = checkedRequest(request, "--isa");
  if (isaChoice && r !== "auto" && r !== isaChoice.isa) fail("BAD_ARGUMENT", `--isa ${r}: the ${isaChoice.isa} kernels are already in use`);
  isaRequest = r;
}

/** The release kernels' instruction set, chosen once per thread (src/runtime/isa.ts). */
export function releaseIsa(): IsaChoice {
  if (!isaChoice) {
    const request = isaRequest ?? checkedRequest(process.env.OCTET_ISA ?? "auto", "OCTET_ISA");
    const choice = chooseIsa(request, relaxedModule);
    if (choice.module) modules.set("relaxed", choice.module);
    isaChoice = { isa: choice.isa, reason: choice.reason, speedup: choice.speedup };
  }
  return isaChoice;
}

/** A fresh kernel instance (its own memory) of the given build; "release" is the chosen instruction set's. */
export function loadKernels(flavor: BuildFlavor = "release"): Kernels {
  return Kernels.fromModule(wasmModule(flavor === "release" && releaseIsa().isa === "relaxed" ? "relaxed" : flavor), flavor);
}

/** The relaxed-SIMD build compiled, or undefined where the engine does not validate it. */
export function relaxedModule(): WebAssembly.Module | undefined {
  const cached = modules.get("relaxed");
  if (cached) return cached;
  const bytes = readBuild("relaxed");
  return WebAssembly.validate(bytes) ? wasmModule("relaxed") : undefined;
}

function readBuild(build: Build): Uint8Array<ArrayBuffer> {
  const path = wasmPath(build);
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return fail("WASM_UNSUPPORTED", `${path}: wasm build missing; run \`npm install\` (or \`npm run build\`)`);
  }
}

/** An instance of the threads build (release kernels, imported shared memory) on `memory`. */
export function loadSharedKernels(memory: WebAssembly.Memory): Kernels {
  return Kernels.fromModule(wasmModule("threads"), "release", memory);
}

/** The compiled module of a build, compiled once per thread. */
export function wasmModule(build: Build): WebAssembly.Module {
  let module = modules.get(build);
  if (!module) {
    const bytes = readBuild(build);
    assertWasmFeatures();
    module = new WebAssembly.Module(bytes);
    modules.set(build, module);
  }
  return module;
}
