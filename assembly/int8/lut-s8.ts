// Int8 activation by table: y = table[x + 128] (256 int8 entries built on the
// host from the FP32 function, src/int8/activation-table.ts), blocked layouts,
// padding lanes written 0 (table[128] need not be 0). y may equal x.
// SIMD: the table is 16 chunks of 16; chunk j's swizzle with index
// (x + 128) - 16j picks the entry when that index is 0..15 and gives 0
// otherwise (any other byte value is >= 16 unsigned), so OR-ing the 16
// swizzles is the lookup.
import { ldv, stv, sti32 } from "../mem";
import { ld32z } from "./mem-s8";
import { realLaneMask } from "./lanes-s8";

@inline function step(r: v128, i: v128, t: v128): v128 {
  return v128.or(r, i8x16.swizzle(t, i));
}

@inline function lookup(
  x: v128, t0: v128, t1: v128, t2: v128, t3: v128, t4: v128, t5: v128, t6: v128, t7: v128,
  t8: v128, t9: v128, t10: v128, t11: v128, t12: v128, t13: v128, t14: v128, t15: v128,
): v128 {
  const d = i8x16.splat(16);
  let i = v128.xor(x, i8x16.splat(-128));
  let r = i8x16.swizzle(t0, i);
  i = i8x16.sub(i, d); r = step(r, i, t1);
  i = i8x16.sub(i, d); r = step(r, i, t2);
  i = i8x16.sub(i, d); r = step(r, i, t3);
  i = i8x16.sub(i, d); r = step(r, i, t4);
  i = i8x16.sub(i, d); r = step(r, i, t5);
  i = i8x16.sub(i, d); r = step(r, i, t6);
  i = i8x16.sub(i, d); r = step(r, i, t7);
  i = i8x16.sub(i, d); r = step(r, i, t8);
  i = i8x16.sub(i, d); r = step(r, i, t9);
  i = i8x16.sub(i, d); r = step(r, i, t10);
  i = i8x16.sub(i, d); r = step(r, i, t11);
  i = i8x16.sub(i, d); r = step(r, i, t12);
  i = i8x16.sub(i, d); r = step(r, i, t13);
  i = i8x16.sub(i, d); r = step(r, i, t14);
  i = i8x16.sub(i, d); return step(r, i, t15);
}

@inline function lut(G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  const t0 = ldv(table), t1 = ldv(table + 16), t2 = ldv(table + 32), t3 = ldv(table + 48);
  const t4 = ldv(table + 64), t5 = ldv(table + 80), t6 = ldv(table + 96), t7 = ldv(table + 112);
  const t8 = ldv(table + 128), t9 = ldv(table + 144), t10 = ldv(table + 160), t11 = ldv(table + 176);
  const t12 = ldv(table + 192), t13 = ldv(table + 208), t14 = ldv(table + 224), t15 = ldv(table + 240);
  const CB = (C + G - 1) / G;
  const bytes = H * W * G;
  for (let pl = 0; pl < N * CB; pl++) {
    const real = min(G, C - (pl % CB) * G);
    const mask0 = realLaneMask(G, 0, real), mask1 = realLaneMask(G, 1, real);
    const px = x + <usize>(pl * bytes), py = y + <usize>(pl * bytes);
    let i = 0;
    for (; i + 16 <= bytes; i += 16) {
      const o = <usize>i;
      const mask = G == 4 || (i & 16) == 0 ? mask0 : mask1;
      const r = lookup(ldv(px + o), t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
      stv(py + o, v128.and(r, mask));
    }
    for (; i < bytes; i += 4) { // G = 4 only: the plane's last 1..3 pixels
      const o = <usize>i;
      const r = lookup(ld32z(px + o), t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
      sti32(py + o, i32x4.extract_lane(v128.and(r, mask0), 0));
    }
  }
}

export function lut_nchw4_s8(x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  lut(4, x, N, C, H, W, table, y);
}

export function lut_nc32hw32_s8(x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  lut(32, x, N, C, H, W, table, y);
}
