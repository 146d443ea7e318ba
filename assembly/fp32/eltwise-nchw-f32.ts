// FP32 elementwise Add, Sub and Mul on NCHW tensors, the second operand the
// same shape or broadcast (one value per (n, c), per c, or one value):
// y = a op b, one f32 operation per element. y may equal a.
import { ldf, stf, ldv, stv } from "../mem";

const SAME = 0;        // [N, C, H, W]
const PER_IMAGE = 1;   // [N, C, 1, 1]
const PER_CHANNEL = 2; // [1, C, 1, 1]
// otherwise: [1, 1, 1, 1]

const ADD = 0;
const SUB = 1;

@inline function apply4(op: i32, a: v128, b: v128): v128 {
  return op == ADD ? f32x4.add(a, b) : op == SUB ? f32x4.sub(a, b) : f32x4.mul(a, b);
}

@inline function apply1(op: i32, a: f32, b: f32): f32 {
  return op == ADD ? a + b : op == SUB ? a - b : a * b;
}

// count floats of a against b (same: b advances with a; else the splat bv / value bs).
@inline function run(op: i32, same: bool, a: usize, b: usize, bv: v128, bs: f32, y: usize, count: i32): void {
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = (<usize>i) << 2;
    stv(y + o, apply4(op, ldv(a + o), same ? ldv(b + o) : bv));
  }
  for (let i = c4; i < count; i++) {
    const o = (<usize>i) << 2;
    stf(y + o, apply1(op, ldf(a + o), same ? ldf(b + o) : bs));
  }
}

@inline function binary(op: i32, a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, broadcast: i32, y: usize): void {
  const HW = H * W;
  if (broadcast == SAME) {
    run(op, true, a, b, f32x4.splat(0), 0, y, N * C * HW);
    return;
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const at = broadcast == PER_IMAGE ? n * C + c : broadcast == PER_CHANNEL ? c : 0;
      const bs = ldf(b + ((<usize>at) << 2));
      const o = (<usize>((n * C + c) * HW)) << 2;
      run(op, false, a + o, 0, f32x4.splat(bs), bs, y + o, HW);
    }
  }
}

export function add_nchw_f32(a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, broadcast: i32, y: usize): void {
  binary(ADD, a, b, N, C, H, W, broadcast, y);
}

export function sub_nchw_f32(a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, broadcast: i32, y: usize): void {
  binary(SUB, a, b, N, C, H, W, broadcast, y);
}

export function mul_nchw_f32(a: usize, b: usize, N: i32, C: i32, H: i32, W: i32, broadcast: i32, y: usize): void {
  binary(2, a, b, N, C, H, W, broadcast, y);
}
