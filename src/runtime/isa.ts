// The instruction set the release kernels run: SIMD128 (octet.wasm) or
// SIMD128 + relaxed SIMD (octet.relaxed.wasm, whose fully connected kernels
// multiply int8 weights with i32x4.relaxed_dot_i8x16_i7x16_add_s). Chosen
// once at start-up, as ONNX Runtime Web picks its wasm build by feature
// detection, but with two more checks: the instruction's RESULTS (V8's
// first tier in Node 20 computes it wrongly: it validates, then returns
// other sums), and a short race of the two builds' fully connected loops,
// since on x86 without VNNI the relaxed dot is three instructions and the
// split it needs for bit-exactness makes it slower than the int16 dot.
import { Kernels, assertWasmFeatures } from "./kernels.js";
import { fail } from "../errors.js";

export type Isa = "simd128" | "relaxed";
export type IsaRequest = Isa | "auto";

export interface IsaChoice {
  isa: Isa;
  /** Why, in the words of the build report. */
  reason: string;
  /** The relaxed loop's speed over the SIMD128 one in the start-up race, when it ran. */
  speedup?: number;
}

/** Test vectors of the probe: every i8 x i7 extreme, then a fixed pseudo-random set (a: int8, b: 0..127, c: any int32). */
function probeVectors(): { a: Int8Array; b: Int8Array; c: Int32Array }[] {
  const sets: { a: Int8Array; b: Int8Array; c: Int32Array }[] = [];
  const extremes = [-128, -127, -1, 0, 1, 127];
  let s = 0x2545f491;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 16;
  for (let t = 0; t < 8; t++) {
    const a = new Int8Array(16), b = new Int8Array(16), c = new Int32Array(4);
    for (let i = 0; i < 16; i++) {
      a[i] = t < 2 ? extremes[(i + t) % extremes.length]! : (next() & 255) - 128;
      b[i] = t === 0 ? 127 : t === 1 ? (i * 37) & 127 : next() & 127;
    }
    for (let i = 0; i < 4; i++) c[i] = t === 0 ? 0x7fff0000 : (next() << 16) | next();
    sets.push({ a, b, c });
  }
  return sets;
}

/** The spec's result: lane i = c[i] + sum of a[4i+j] * b[4i+j], j = 0..3, wrapping. */
export function relaxedDotReference(a: Int8Array, b: Int8Array, c: Int32Array): Int32Array {
  const out = new Int32Array(4);
  for (let i = 0; i < 4; i++) {
    let sum = c[i]!;
    for (let j = 0; j < 4; j++) sum = (sum + a[4 * i + j]! * b[4 * i + j]!) | 0;
    out[i] = sum;
  }
  return out;
}

/** Runs the relaxed build's relaxed_dot_probe on the vectors and returns the first wrong lane, or undefined. */
export function checkRelaxedDot(k: Kernels): string | undefined {
  const p = k.arena.alloc(64);
  const e = k.exports;
  for (const { a, b, c } of probeVectors()) {
    k.arena.i8(p, 16).set(a);
    k.arena.i8(p + 16, 16).set(b);
    k.arena.i32(p + 32, 4).set(c);
    if (e.relaxed_dot_probe(p, p + 16, p + 32, p + 48) !== 1) return "the module is not the relaxed build";
    const got = k.arena.i32(p + 48, 4), want = relaxedDotReference(a, b, c);
    for (let i = 0; i < 4; i++) {
      if (got[i] !== want[i]) return `lane ${i} gave ${got[i]}, the spec's sum is ${want[i]}`;
    }
  }
  return undefined;
}

/**
 * Times the relaxed build's fully connected loop (peak_r8) against the
 * SIMD128 one (peak_s16s8) in the same instance, alternating, for about
 * `budgetMs`; the best call of each. Returns relaxed GMAC/s over SIMD128's.
 */
export function raceRelaxed(k: Kernels, budgetMs = 4): number {
  const K = 256, reps = 32;
  const w = k.arena.alloc(4 * K * 2), x = k.arena.alloc(2 * K * 2);
  k.arena.i8(w, 4 * K * 2).fill(3);
  k.arena.i8(x, 2 * K * 2).fill(-5);
  const e = k.exports;
  let r8 = Infinity, s16 = Infinity;
  const end = performance.now() + budgetMs;
  for (let i = 0; i < 4 || performance.now() < end; i++) {
    let t = performance.now();
    e.peak_r8(w, x, K, reps);
    r8 = Math.min(r8, performance.now() - t);
    t = performance.now();
    e.peak_s16s8(w, x, K, reps);
    s16 = Math.min(s16, performance.now() - t);
  }
  // peak_r8: 4 * K MACs per rep; peak_s16s8: 8 * K.
  return (4 * K * reps / Math.max(r8, 1e-6)) / (8 * K * reps / Math.max(s16, 1e-6));
}

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 i32x4.relaxed_dot_i8x16_i7x16_add_s)
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 147, 2, 11,
]);

/** Whether the engine validates relaxed SIMD (before fetching or compiling the relaxed build). */
export function engineHasRelaxedSimd(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** The relaxed path must beat SIMD128 by this much in the race to be chosen by "auto". */
export const RELAXED_MIN_SPEEDUP = 1.2;

/**
 * Picks the build. `relaxedBytes` is the relaxed build's module bytes (or
 * its compiled module); validation failing means the engine lacks relaxed
 * SIMD. "simd128" asks for no probe; "relaxed" refuses an engine that lacks
 * it or computes it wrongly (a typed error, not a silent fallback).
 */
export function chooseIsa(request: IsaRequest, relaxed: () => WebAssembly.Module | undefined): IsaChoice & { module?: WebAssembly.Module } {
  if (request !== "auto" && request !== "simd128" && request !== "relaxed") fail("BAD_ARGUMENT", `instruction set: expected auto, simd128 or relaxed, got ${JSON.stringify(String(request)).slice(0, 40)}`);
  if (request === "simd128") return { isa: "simd128", reason: "SIMD128 (asked for)" };
  const module = engineHasRelaxedSimd() ? relaxed() : undefined;
  if (!module) {
    if (request === "relaxed") fail("WASM_UNSUPPORTED", "--isa relaxed: this engine lacks WebAssembly relaxed SIMD (Node 22+, Node 20 with --experimental-wasm-relaxed-simd, Chrome 114+, Firefox 145+)");
    return { isa: "simd128", reason: "SIMD128 (this engine lacks relaxed SIMD)" };
  }
  const k = Kernels.fromModule(module, "release");
  const wrong = checkRelaxedDot(k);
  if (wrong) {
    if (request === "relaxed") fail("WASM_UNSUPPORTED", `--isa relaxed: this engine computes i32x4.relaxed_dot_i8x16_i7x16_add_s wrongly (${wrong})`);
    return { isa: "simd128", reason: `SIMD128 (relaxed SIMD validates but computes wrongly here: ${wrong})` };
  }
  if (request === "relaxed") return { isa: "relaxed", reason: "relaxed SIMD (asked for; the probe's sums are exact)", module };
  const speedup = raceRelaxed(k);
  if (speedup >= RELAXED_MIN_SPEEDUP) {
    return { isa: "relaxed", speedup, module, reason: `relaxed SIMD (exact; its int8 dot ran ${speedup.toFixed(2)}x the int16 dot at start-up)` };
  }
  return { isa: "simd128", speedup, reason: `SIMD128 (relaxed SIMD is exact here, but its int8 dot ran ${speedup.toFixed(2)}x the int16 dot at start-up: no native int8 dot such as VNNI or SDOT; --isa relaxed forces it)` };
}

/**
 * For web pages: the kernel factory of the chosen build. `relaxed` fetches
 * the relaxed build's bytes; it is called only where the engine validates
 * relaxed SIMD and the request is not "simd128".
 */
export async function chooseKernelFactory(
  simd128: BufferSource | WebAssembly.Module, relaxed: () => Promise<BufferSource>, request: IsaRequest = "auto",
): Promise<{ factory: (device: string) => Kernels; choice: IsaChoice; module: WebAssembly.Module }> {
  assertWasmFeatures();
  let relaxedModule: WebAssembly.Module | undefined;
  if (request !== "simd128" && engineHasRelaxedSimd()) relaxedModule = await WebAssembly.compile(await relaxed());
  const { module: chosen, ...choice } = chooseIsa(request, () => relaxedModule);
  const module = chosen ?? (simd128 instanceof WebAssembly.Module ? simd128 : await WebAssembly.compile(simd128));
  return { factory: () => Kernels.fromModule(module, "release"), choice, module };
}
