// Bounds-checked access helpers that assembly/mem.ts does not provide, built
// on its `check` (so the debug build checks every access here too).
import { check } from "../mem";

/** Loads 4 bytes into lane 0 of a zeroed vector. */
@inline export function ld32z(p: usize): v128 {
  check(p, 4);
  return v128.load32_zero(p);
}

/** Loads 8 bytes into the low half of a zeroed vector. */
@inline export function ld64z(p: usize): v128 {
  check(p, 8);
  return v128.load64_zero(p);
}

/** Stores the low 8 bytes of v at p. */
@inline export function st64low(p: usize, v: v128): void {
  check(p, 8);
  v128.store64_lane(p, v, 0);
}

/** Copies `len` bytes from src to dst (no overlap), exact: reads and writes
 *  nothing outside [src, src+len) and [dst, dst+len). Runs of 16 bytes or
 *  more finish with one 16-byte copy ending exactly at the end (overlapping
 *  the previous one), so there is no byte-wise tail. */
@inline export function copyBytes(src: usize, dst: usize, len: i32): void {
  if (len >= 16) {
    const n = <usize>len;
    let o: usize = 0;
    for (; o + 16 < n; o += 16) {
      check(src + o, 16); check(dst + o, 16);
      v128.store(dst + o, v128.load(src + o));
    }
    const t = n - 16;
    check(src + t, 16); check(dst + t, 16);
    v128.store(dst + t, v128.load(src + t));
    return;
  }
  let s = src, d = dst, n = len;
  if (n >= 8) {
    check(s, 8); check(d, 8);
    store<u64>(d, load<u64>(s));
    s += 8; d += 8; n -= 8;
  }
  if (n >= 4) {
    check(s, 4); check(d, 4);
    store<u32>(d, load<u32>(s));
    s += 4; d += 4; n -= 4;
  }
  while (n > 0) {
    check(s, 1); check(d, 1);
    store<u8>(d, load<u8>(s));
    s++; d++; n--;
  }
}

/** Writes `len` zero bytes at dst. */
@inline export function zeroBytes(dst: usize, len: i32): void {
  let d = dst, n = len;
  const z = i32x4.splat(0);
  while (n >= 16) {
    check(d, 16);
    v128.store(d, z);
    d += 16; n -= 16;
  }
  while (n >= 4) {
    check(d, 4);
    store<u32>(d, 0);
    d += 4; n -= 4;
  }
  while (n > 0) {
    check(d, 1);
    store<u8>(d, 0);
    d++; n--;
  }
}

/** Widens `len` int8 at src to `len` int16 at dst (no overlap), exact: reads
 *  and writes nothing outside [src, src+len) and [dst, dst+2*len). Runs of 8
 *  or more finish with one 8-lane widen ending exactly at the end
 *  (overlapping the previous one). */
@inline export function widenBytes(src: usize, dst: usize, len: i32): void {
  if (len >= 8) {
    const n = <usize>len;
    let o: usize = 0;
    for (; o + 8 < n; o += 8) {
      check(src + o, 8); check(dst + (o << 1), 16);
      v128.store(dst + (o << 1), v128.load8x8_s(src + o));
    }
    const t = n - 8;
    check(src + t, 8); check(dst + (t << 1), 16);
    v128.store(dst + (t << 1), v128.load8x8_s(src + t));
    return;
  }
  let s = src, d = dst, n = len;
  if (n >= 4) {
    check(s, 4); check(d, 8);
    v128.store64_lane(d, i16x8.extend_low_i8x16_s(v128.load32_zero(s)), 0);
    s += 4; d += 8; n -= 4;
  }
  while (n > 0) {
    check(s, 1); check(d, 2);
    store<i16>(d, <i16>load<i8>(s));
    s++; d += 2; n--;
  }
}
