// Standalone int8 ReLU (y may equal x), for a ReLU that could not be fused
// into the layer before it. Layout-agnostic: max(x, 0) keeps padding at zero.
import { ldv, stv, ldi8, sti8 } from "../mem";

export function relu_s8(x: usize, y: usize, bytes: i32): void {
  const zero = i8x16.splat(0);
  const b16 = bytes & ~15;
  for (let i = 0; i < b16; i += 16) {
    stv(y + <usize>i, i8x16.max_s(ldv(x + <usize>i), zero));
  }
  for (let i = b16; i < bytes; i++) {
    const v = ldi8(x + <usize>i);
    sti8(y + <usize>i, v < 0 ? 0 : v);
  }
}
