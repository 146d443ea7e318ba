// Shared helpers for the int8 kernel tests: the DEBUG wasm build (every
// memory access bounds-checked), arena copies, seeded random data.
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import type { Kernels } from "../../src/runtime/kernels.js";
import { Rng } from "../../src/util/rng.js";

let shared: Kernels | undefined;

/** One debug instance for the whole test file (tests release its arena). */
export function debugKernels(): Kernels {
  shared ??= loadKernels("debug");
  return shared;
}

export function putI8(k: Kernels, a: Int8Array, bytes = a.length): number {
  const p = k.arena.alloc(bytes);
  k.arena.i8(p, a.length).set(a);
  return p;
}

export function putF32(k: Kernels, a: Float32Array): number {
  const p = k.arena.allocF32(a.length);
  k.arena.f32(p, a.length).set(a);
  return p;
}

/** An output buffer prefilled with garbage, so unwritten bytes show up. */
export function garbageOut(k: Kernels, bytes: number): number {
  const p = k.arena.alloc(bytes);
  k.arena.u8(p, bytes).fill(0x5a);
  return p;
}

export function getI8(k: Kernels, p: number, n: number): Int8Array {
  return k.arena.i8(p, n).slice();
}

export function randomI8(rng: Rng, n: number): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rng.next() * 256) - 128;
  return a;
}

export function randomI32(rng: Rng, n: number, amp: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rng.uniform(-amp, amp));
  return a;
}

export function randomF32(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** Multipliers putting outputs of a K-long int8 dot product around +-60
 *  (so some saturate and many don't). */
export function randomMult(rng: Rng, n: number, depth: number): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = (rng.uniform(0.3, 3) * 60) / (Math.sqrt(depth) * 5500);
  return m;
}

/** Sets every padding-channel byte of a blocked tensor to a non-zero value. */
export function dirtyPadding(b: Int8Array, N: number, C: number, H: number, W: number, G: number): Int8Array {
  const out = b.slice();
  const CB = Math.ceil(C / G);
  for (let n = 0; n < N; n++)
    for (let c = C; c < CB * G; c++)
      for (let p = 0; p < H * W; p++) out[((n * CB + Math.floor(c / G)) * H * W + p) * G + (c % G)] = 77;
  return out;
}

export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return "none";
}

export function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return firstDiff(a, b) === "none";
}

export const CHANNELS = [1, 3, 4, 5, 20, 31, 32, 33, 50, 64];
