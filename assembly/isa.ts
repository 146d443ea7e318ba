// The instruction set a build targets: SIMD128 (octet.wasm, octet.threads.wasm,
// octet.debug.wasm) or SIMD128 + relaxed SIMD (octet.relaxed.wasm), whose
// fully connected kernels run i32x4.relaxed_dot_i8x16_i7x16_add_s on int8
// weights (gen/relaxed-r8.ts). Code under `if (RELAXED)` is compiled only in
// the relaxed build; the host reads isRelaxedBuild() to pack for it.
import { ldv, stv } from "./mem";
import { peak_r8 as peakR8Loop } from "./int8/gen/relaxed-r8";

// @ts-ignore: defined by asc --use RELAXED_SIMD=0|1 (asconfig.json)
export const RELAXED: bool = RELAXED_SIMD != 0;

export function isRelaxedBuild(): i32 {
  return RELAXED ? 1 : 0;
}

/** The start-up probe (src/runtime/isa.ts): relaxed_dot_i8x16_i7x16_add_s of the 16-byte vectors at a, b and c stored at out; 0 and nothing stored in a SIMD128 build. */
export function relaxed_dot_probe(a: usize, b: usize, c: usize, out: usize): i32 {
  if (RELAXED) {
    stv(out, i32x4.relaxed_dot_i8x16_i7x16_add_s(ldv(a), ldv(b), ldv(c)));
    return 1;
  }
  return 0;
}

/** The bench's relaxed peak (tile4x1r8's loop, reps * 4 * K MACs); 0 in a SIMD128 build. */
export function peak_r8(w: usize, x: usize, K: i32, reps: i32): i32 {
  if (RELAXED) return peakR8Loop(w, x, K, reps);
  return 0;
}
