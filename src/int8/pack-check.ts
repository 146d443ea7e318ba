// Proof that packed int8 parameters (from a plan file, so hostile) are
// exactly what packConv / packFc make of some int8 weights: the sizes are the
// kernels' own, every int16 holds an int8 value, padding rows, lanes and
// channels are zero, and the Winograd block is the transform of the direct
// rows. The weights are unpacked and packed again; any byte that differs is
// refused. So the kernels' exactness bounds (int16 operands, int32 sums)
// hold for every plan that loads.
import { fail } from "../errors.js";
import { ceilTo, lanesOf, type Layout } from "./layout.js";
import { convPairsPerChannel, convRowBytes, convUsesPairs, packConv, packedConvWeightBytes } from "./pack-conv.js";
import { packedFcWeightBytes } from "./pack-fc.js";

export interface PackedArrays {
  weights: Int8Array;
  bias: Int32Array;
  mult: Float32Array;
}

function checkLengths(op: string, p: PackedArrays, weightBytes: number, channels: number): void {
  const padded = ceilTo(channels, 4);
  if (p.weights.length !== weightBytes) fail("BAD_ARGUMENT", `${op}: packed weights are ${p.weights.length} bytes, the kernels' packing has ${weightBytes}; rebuild the plan`);
  if (p.bias.length !== padded) fail("BAD_ARGUMENT", `${op}: bias has ${p.bias.length} values, expected ${padded}`);
  if (p.mult.length !== padded) fail("BAD_ARGUMENT", `${op}: requantization multipliers: ${p.mult.length} values, expected ${padded}`);
  for (let i = 0; i < padded; i++) {
    const m = p.mult[i]!;
    if (!(Number.isFinite(m) && m >= 0)) fail("BAD_ARGUMENT", `${op}: requantization multiplier ${i} is ${m}, expected a finite number >= 0`);
  }
}

/** The packed weights as int16 values (copied: the plan's bytes need not be 2-aligned). */
function int16s(weights: Int8Array): Int16Array {
  return new Int16Array(weights.slice().buffer);
}

function int8At(op: string, v: number, index: number): number {
  if (v < -128 || v > 127) fail("BAD_ARGUMENT", `${op}: packed weight ${index} is ${v}, outside int8`);
  return v;
}

function sameArrays(op: string, what: string, found: ArrayLike<number>, expected: ArrayLike<number>): void {
  for (let i = 0; i < expected.length; i++) {
    // Integers compare with !==; the multipliers are finite (checked), so !== is exact for them too.
    if (found[i] !== expected[i]) {
      fail("BAD_ARGUMENT", `${op}: ${what} ${i} is ${found[i]}, the packing of the plan's own weights gives ${expected[i]} (padding must be zero, derived blocks consistent)`);
    }
  }
}

function compareRepacked(op: string, p: PackedArrays, again: PackedArrays): void {
  sameArrays(op, "packed weight byte", p.weights, again.weights);
  sameArrays(op, "bias", p.bias, again.bias);
  sameArrays(op, "requantization multiplier", p.mult, again.mult);
}

export function checkPackedConv(op: string, p: PackedArrays, K: number, C: number, kernel: number, layout: Layout): void {
  checkLengths(op, p, packedConvWeightBytes(K, C, kernel), K);
  const v = int16s(p.weights);
  const K4 = ceilTo(K, 4);
  const w = new Int8Array(K * C * kernel * kernel);
  const at = (k: number, c: number, ky: number, kx: number) => ((k * C + c) * kernel + ky) * kernel + kx;
  if (convUsesPairs(C, kernel)) {
    let j = 0;
    const take = (c: number, ky0: number, kx0: number, ky1: number, kx1: number) => {
      for (let k = 0; k < K; k++) {
        const i = (j * K4 + k) * 2;
        w[at(k, c, ky0, kx0)] = int8At(op, v[i]!, i);
        if (kx1 < kernel) w[at(k, c, ky1, kx1)] = int8At(op, v[i + 1]!, i + 1);
      }
      j++;
    };
    for (let c = 0; c < C; c++) {
      for (let rp = 0; rp < Math.floor(kernel / 2); rp++)
        for (let kx = 0; kx < kernel; kx++) take(c, 2 * rp, kx, 2 * rp + 1, kx);
      if (kernel % 2 === 1)
        for (let kxp = 0; kxp < Math.ceil(kernel / 2); kxp++) take(c, kernel - 1, 2 * kxp, kernel - 1, 2 * kxp + 1);
    }
    if (j !== C * convPairsPerChannel(kernel)) fail("BAD_ARGUMENT", `${op}: internal: ${j} weight pairs read`);
  } else {
    const G = lanesOf(layout);
    const Kp = convRowBytes(C, kernel);
    for (let k = 0; k < K; k++) {
      let i = k * Kp;
      for (let c0 = 0; c0 < C; c0 += G) {
        const r = Math.min(G, C - c0);
        for (let ky = 0; ky < kernel; ky++)
          for (let kx = 0; kx < kernel; kx++)
            for (let l = 0; l < r; l++, i++) w[at(k, c0 + l, ky, kx)] = int8At(op, v[i]!, i);
      }
    }
  }
  compareRepacked(op, p, packConv(w, p.bias.subarray(0, K), p.mult.subarray(0, K), K, C, kernel, layout));
}

/** The fc packing is a permutation: check each int16 in place (int8 value, zero at padding) without repacking. */
export function checkPackedFc(op: string, p: PackedArrays, O: number, C: number, H: number, W: number, layout: Layout): void {
  checkLengths(op, p, packedFcWeightBytes(O, C, H, W, layout), O);
  const v = int16s(p.weights);
  const G = lanesOf(layout);
  const HW = H * W, blocks = ceilTo(C, G) / G;
  let i = 0;
  for (let o = 0; o < ceilTo(O, 4); o++)
    for (let b = 0; b < blocks; b++)
      for (let q = 0; q < HW; q++)
        for (let l = 0; l < G; l++, i++) {
          const x = v[i]!;
          if (o >= O || b * G + l >= C) {
            if (x !== 0) fail("BAD_ARGUMENT", `${op}: packed weight ${i} is ${x} at a padding ${o >= O ? "row" : "channel"}, expected 0`);
          } else if (x < -128 || x > 127) fail("BAD_ARGUMENT", `${op}: packed weight ${i} is ${x}, outside int8`);
        }
  for (let k = O; k < p.bias.length; k++) {
    if (p.bias[k] !== 0 || p.mult[k] !== 0) fail("BAD_ARGUMENT", `${op}: padding output channel ${k} has bias ${p.bias[k]} and multiplier ${p.mult[k]}, expected 0 and 0`);
  }
}
