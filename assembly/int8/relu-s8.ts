// Standalone int8 ReLU, in place, for a ReLU that could not be fused into the
// layer before it. Layout-agnostic: max(x, 0) keeps padding lanes at zero.
import { ldv, stv, ldi8, sti8 } from "../mem";

export function relu_s8(x: usize, bytes: i32): void {
  const zero = i8x16.splat(0);
  const b16 = bytes & ~15;
  for (let i = 0; i < b16; i += 16) {
    const p = x + <usize>i;
    stv(p, i8x16.max_s(ldv(p), zero));
  }
  for (let i = b16; i < bytes; i++) {
    const p = x + <usize>i;
    const v = ldi8(p);
    if (v < 0) sti8(p, 0);
  }
}
