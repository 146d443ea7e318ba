// The peak microkernel for the benchmark: the 4x2 register-blocked int8 tile
// of gemm-s8.ts (v128.load8x8_s + i32x4.dot_i16x8_s, 8 accumulators) run
// `reps` times over the same L1-resident rows: 4 weight rows at w (stride K)
// and 2 activation rows at x (stride K), K a multiple of 16. 64 MACs per 8
// bytes of K, i.e. reps * 8 * K MACs per call. Returns the lane sum of all
// accumulators so nothing is optimized away.
import { ld8x8s, ldv } from "../mem";

export function peak_s8(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const k16 = <usize>(K & ~15);
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < k16; o += 16) {
      let a = ld8x8s(x + o), b = ld8x8s(x1 + o);
      let v = ld8x8s(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
      a = ld8x8s(x + o + 8); b = ld8x8s(x1 + o + 8);
      v = ld8x8s(w + o + 8);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o + 8);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o + 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o + 8);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
    }
  }
  const s = i32x4.add(
    i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)),
    i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31)),
  );
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) +
    i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

// The int16-operand peak: the same 4x2 tile with both operands already int16
// in memory (plain v128.load + i32x4.dot_i16x8_s + i32x4.add, the inner loop
// of gemm-s8.ts's int16 tiles): 4 weight rows at w and 2 activation rows at
// x, K int16 elements per row (stride 2K bytes), K a multiple of 16.
// reps * 8 * K MACs per call.
export function peak_s16(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K << 1;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + ldw;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>(K & ~15) << 1;
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 32) {
      let a = ldv(x + o), b = ldv(x1 + o);
      let v = ldv(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ldv(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ldv(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ldv(w3 + o);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
      a = ldv(x + o + 16); b = ldv(x1 + o + 16);
      v = ldv(w + o + 16);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ldv(w1 + o + 16);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ldv(w2 + o + 16);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ldv(w3 + o + 16);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
    }
  }
  const s = i32x4.add(
    i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)),
    i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31)),
  );
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) +
    i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

// Mixed: int8 weights widened by v128.load8x8_s, int16 activations (plain
// v128.load); 4x2 tile, w stride K bytes, x stride 2K bytes.
export function peak_s8s16(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + (ldw << 1);
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>(K & ~15);
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 16) {
      const o2 = o << 1;
      let a = ldv(x + o2), b = ldv(x1 + o2);
      let v = ld8x8s(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
      a = ldv(x + o2 + 16); b = ldv(x1 + o2 + 16);
      v = ld8x8s(w + o + 8);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o + 8);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o + 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o + 8);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(v, a)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(v, b));
    }
  }
  const s = i32x4.add(
    i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)),
    i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31)),
  );
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) +
    i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}
