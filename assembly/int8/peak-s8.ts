// Peak microkernels for the benchmark: the 4x2 register-blocked tile of
// gemm-s8.ts (8 accumulators, one 8-element step per loop iteration) run
// `reps` times over the same L1-resident rows: 4 weight rows at w and 2
// activation rows at x, K elements per row, K a multiple of 16. 64 MACs per
// step, i.e. reps * 8 * K MACs per call. Each returns the lane sum of all
// accumulators so nothing is optimized away.
import { ld8x8s, ldv } from "../mem";

/** int8 operands in memory: v128.load8x8_s + i32x4.dot_i16x8_s (rows K bytes apart). */
export function peak_s8(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + (<usize>K);
  const x0 = x;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K;
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 8) {
      const a = ld8x8s(x0 + o), b = ld8x8s(x1 + o);
      let v = ld8x8s(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o);
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

/** int16 operands in memory: plain v128.load + i32x4.dot_i16x8_s (rows 2K
 *  bytes apart), the inner loop of the conv dot path. */
export function peak_s16(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K << 1;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + (<usize>K << 1);
  const x0 = x;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K << 1;
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 16) {
      const a = ldv(x0 + o), b = ldv(x1 + o);
      let v = ldv(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ldv(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ldv(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ldv(w3 + o);
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

/** int8 weights (v128.load8x8_s, rows K bytes apart), int16 activations
 *  (v128.load, rows 2K bytes apart). */
export function peak_s8s16(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + (<usize>K << 1);
  const x0 = x;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K;
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 8) {
      const a = ldv(x0 + (o << 1)), b = ldv(x1 + (o << 1));
      let v = ld8x8s(w + o);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w1 + o);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w2 + o);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ld8x8s(w3 + o);
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

/** int16 weights (v128.load, rows 2K bytes apart), int8 activations
 *  (v128.load8x8_s, rows K bytes apart): the fully connected tiles'
 *  inner loop (tile4x2w16 in gemm-s8.ts). */
export function peak_s16s8(w: usize, x: usize, K: i32, reps: i32): i32 {
  const ldw = <usize>K << 1;
  const w1 = w + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
  const x1 = x + (<usize>K);
  const x0 = x;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const end = <usize>K;
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < end; o += 8) {
      const a = ld8x8s(x0 + o), b = ld8x8s(x1 + o);
      let v = ldv(w + (o << 1));
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(v, a)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(v, b));
      v = ldv(w1 + (o << 1));
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(v, a)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(v, b));
      v = ldv(w2 + (o << 1));
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(v, a)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(v, b));
      v = ldv(w3 + (o << 1));
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
