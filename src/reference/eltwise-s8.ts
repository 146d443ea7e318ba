// Scalar references: int8 Add, Sub, Mul on plain nchw int8 tensors, the
// second operand broadcast per src/int8/broadcast.ts, each value through
// src/int8/numerics.ts (addValue / mulValue, requantizeAffine).
import type { Broadcast } from "../int8/broadcast.js";
import { addValue, mulMultiplier, mulValue, requantizeAffine, scaleRatio, type QuantParams } from "../int8/numerics.js";

export type EltwiseOp = "add" | "sub" | "mul";

export interface EltwiseRefArgs {
  op: EltwiseOp;
  a: Int8Array; b: Int8Array; N: number; C: number; H: number; W: number;
  broadcast: Broadcast; qa: QuantParams; qb: QuantParams; qy: QuantParams;
  lo?: number; hi?: number;
}

function bIndex(broadcast: Broadcast, n: number, c: number, p: number, C: number, HW: number): number {
  switch (broadcast) {
    case "same": return (n * C + c) * HW + p;
    case "image-channel": return n * C + c;
    case "channel": return c;
    case "scalar": return 0;
  }
}

export function eltwiseS8Ref(r: EltwiseRefArgs): Int8Array {
  const { a, b, N, C, H, W, qa, qb, qy } = r;
  const lo = r.lo ?? -128, hi = r.hi ?? 127;
  const ma = scaleRatio(qa.scale, qy.scale);
  const mb = r.op === "sub" ? -scaleRatio(qb.scale, qy.scale) : scaleRatio(qb.scale, qy.scale);
  const m = mulMultiplier(qa.scale, qb.scale, qy.scale);
  const HW = H * W;
  const y = new Int8Array(N * C * HW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let p = 0; p < HW; p++) {
        const i = (n * C + c) * HW + p;
        const av = a[i]!, bv = b[bIndex(r.broadcast, n, c, p, C, HW)]!;
        const v = r.op === "mul" ? mulValue(av, qa.zeroPoint, bv, qb.zeroPoint, m) : addValue(av, qa.zeroPoint, ma, bv, qb.zeroPoint, mb);
        y[i] = requantizeAffine(v, qy.zeroPoint, lo, hi);
      }
  return y;
}
