// Reading a plan's stored tensors back as int8, and naming where two int8
// tensors differ, for tests that compare an execution context against the
// reference networks (reference-network.ts).
import type { ExecutionContext } from "../../src/engine/context.js";
import { dequantizeZp } from "../../src/int8/numerics.js";

/** The INT8 layer outputs the plan stores (a ReLU fused into its conv / fc
 *  writes one tensor for both); a softmax output only when it runs in INT8. */
export function storedInt8Tensors(ctx: ExecutionContext): string[] {
  const layers = ctx.plan.graph.layers.filter((l) => l.type !== "softmax" || ctx.plan.scales[l.output] !== undefined);
  return [...new Set(layers.map((l) => l.output))].filter((t) => ctx.materialized(t));
}

/**
 * Tensor `name` of the last enqueue as int8 nchw. readTensor dequantizes
 * (q * scale, one f32 multiply: distinct q give distinct values for a
 * positive scale), so q comes back exactly; checked value by value.
 */
export function storedInt8(ctx: ExecutionContext, name: string, n: number): Int8Array {
  const scale = ctx.plan.scales[name]!, zero = ctx.plan.zeroPoints[name] ?? 0;
  const values = ctx.readTensor(name, n);
  const q = Int8Array.from(values, (v) => Math.round(v / scale) + zero);
  for (let i = 0; i < q.length; i++) {
    if (dequantizeZp(q[i]!, scale, zero) !== values[i]) throw new Error(`${name}[${i}] = ${values[i]} is not an int8 step of scale ${scale} from zero point ${zero}`);
  }
  return q;
}

/** "none", or the first differing element as (image, channel, y, x) and how many differ. */
export function int8Diff(got: Int8Array, want: Int8Array, [C, H, W]: readonly number[]): string {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  let first = -1, count = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] === want[i]) continue;
    if (first < 0) first = i;
    count++;
  }
  if (first < 0) return "none";
  const per = C! * H! * W!, plane = H! * W!;
  const n = Math.floor(first / per), c = Math.floor((first % per) / plane), y = Math.floor((first % plane) / W!), x = first % W!;
  return `${count} of ${got.length} values differ; first at image ${n}, channel ${c}, (${y}, ${x}): ${got[first]} instead of ${want[first]}`;
}
