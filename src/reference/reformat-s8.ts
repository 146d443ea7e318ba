// Scalar references of the reformatters' numerics on plain nchw tensors;
// the layout part is src/int8/layout.ts's packBlocked / unpackBlocked.
import { dequantize, quantize } from "../int8/numerics.js";

export function quantizeRef(x: Float32Array, scale: number): Int8Array {
  const q = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = quantize(x[i]!, scale);
  return q;
}

export function dequantizeRef(q: Int8Array, scale: number): Float32Array {
  const x = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) x[i] = dequantize(q[i]!, scale);
  return x;
}
