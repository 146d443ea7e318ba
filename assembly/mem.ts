// Raw memory access for kernels. The host owns all memory above __heap_base
// (see src/runtime/arena.ts); kernels only read and write through pointers it
// passes in. In the debug build (BOUNDS_CHECK=1) every access is checked
// against the arena the host registered with setArena(); a violation calls
// back into the host, which throws a typed error instead of corrupting memory.

// @ts-ignore: defined by asc --use BOUNDS_CHECK=0|1 (asconfig.json)
export const CHECKED: bool = BOUNDS_CHECK != 0;

@external("env", "octetBoundsViolation")
declare function boundsViolation(ptr: usize, bytes: usize, lo: usize, hi: usize): void;

let arenaLo: usize = 0;
let arenaHi: usize = 0;

export function setArena(lo: usize, hi: usize): void {
  arenaLo = lo;
  arenaHi = hi;
}

export function heapBase(): usize {
  return __heap_base;
}

export function isDebugBuild(): bool {
  return CHECKED;
}

@inline export function check(p: usize, bytes: usize): void {
  if (CHECKED) {
    if (p < arenaLo || p + bytes > arenaHi) boundsViolation(p, bytes, arenaLo, arenaHi);
  }
}

@inline export function ldf(p: usize): f32 {
  check(p, 4);
  return load<f32>(p);
}

@inline export function stf(p: usize, v: f32): void {
  check(p, 4);
  store<f32>(p, v);
}

@inline export function ldi32(p: usize): i32 {
  check(p, 4);
  return load<i32>(p);
}

@inline export function sti32(p: usize, v: i32): void {
  check(p, 4);
  store<i32>(p, v);
}

@inline export function ldu8(p: usize): u8 {
  check(p, 1);
  return load<u8>(p);
}

@inline export function ldi8(p: usize): i8 {
  check(p, 1);
  return load<i8>(p);
}

@inline export function sti8(p: usize, v: i8): void {
  check(p, 1);
  store<i8>(p, v);
}

@inline export function ldv(p: usize): v128 {
  check(p, 16);
  return v128.load(p);
}

@inline export function stv(p: usize, v: v128): void {
  check(p, 16);
  v128.store(p, v);
}

@inline export function ld8x8s(p: usize): v128 {
  check(p, 8);
  return v128.load8x8_s(p);
}
