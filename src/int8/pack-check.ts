// Proof that packed int8 parameters (from a plan file, so hostile) are
// exactly what packConv / packFc make of some int8 weights: the sizes are the
// kernels' own, every int16 holds an int8 value, padding rows, lanes and
// channels are zero, and the Winograd block is the transform of the direct
// rows. The weights are unpacked and packed again; any byte that differs is
// refused. So the kernels' exactness bounds (int16 operands, int32 sums)
// hold for every plan that loads.
import { fail } from "../errors.js";
import { ceilTo, lanesOf, type Layout } from "./layout.js";
import { convPairsPerChannel, convRowBytes, packConv, packedConvWeightBytes } from "./pack-conv.js";
import { convPath } from "./kernel-config.js";
import { packedFcWeightBytes } from "./pack-fc.js";
import { packedConv1x1WeightBytes } from "./pack-conv1x1.js";
import { dwconvPairs, packDwconv, packedDwconvWeightBytes } from "./pack-dwconv.js";
import { convgDepth, packConvg, packedConvgWeightBytes } from "./pack-convg.js";
import { convKernel } from "../engine/kernel-table.js";
import type { Layer } from "../model/graph.js";
import type { LayerShapes } from "../model/shapes.js";

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

/** The packed weights as int16 values (a view when 2-aligned; else copied: the plan's bytes need not be). */
function int16s(weights: Int8Array): Int16Array {
  if (weights.byteOffset % 2 === 0 && weights.length % 2 === 0) return new Int16Array(weights.buffer, weights.byteOffset, weights.length / 2);
  return new Int16Array(weights.slice().buffer);
}

function int8At(op: string, v: number, index: number): number {
  if (v < -128 || v > 127) fail("BAD_ARGUMENT", `${op}: packed weight ${index} is ${v}, outside int8`);
  return v;
}

function sameArrays(op: string, what: string, found: ArrayLike<number>, expected: ArrayLike<number>, from = 0): void {
  for (let i = from; i < expected.length; i++) {
    // Integers compare with !==; the multipliers are finite (checked), so !== is exact for them too.
    if (found[i] !== expected[i]) {
      fail("BAD_ARGUMENT", `${op}: ${what} ${i} is ${found[i]}, the packing of the plan's own weights gives ${expected[i]} (padding must be zero, derived blocks consistent)`);
    }
  }
}

/** Equal bytes, compared a 32-bit word at a time where both are 4-aligned (this runs cold, at load), the bytes of a differing word then named one by one. */
function sameBytes(op: string, found: Int8Array, expected: Int8Array): void {
  const n = Math.min(found.length, expected.length);
  let i = 0;
  if (found.byteOffset % 4 === 0 && expected.byteOffset % 4 === 0) {
    const a = new Int32Array(found.buffer, found.byteOffset, n >> 2), b = new Int32Array(expected.buffer, expected.byteOffset, n >> 2);
    let w = 0;
    while (w < a.length && a[w] === b[w]) w++;
    i = w * 4;
  }
  sameArrays(op, "packed weight byte", found, expected, i);
}

/** The first `stored` weight bytes must be the repacking's (the rest, a derived block, is taken from it). */
function compareRepacked(op: string, p: PackedArrays, again: PackedArrays, stored = again.weights.length): void {
  sameBytes(op, p.weights, again.weights.subarray(0, stored));
  sameArrays(op, "bias", p.bias, again.bias);
  sameArrays(op, "requantization multiplier", p.mult, again.mult);
}

/**
 * Returns the packing: p.weights, or with `stored` < its length (a plan file
 * keeps only the rows; stored-weights.ts) the rows followed by the Winograd
 * block the repacking derives from them.
 */
export function checkPackedConv(op: string, p: PackedArrays, K: number, C: number, kernel: number, layout: Layout, stride: number, stored = p.weights.length, widened = false): Int8Array {
  const path = convPath(layout, C, kernel, stride);
  checkLengths(op, p, packedConvWeightBytes(K, C, kernel, path), K);
  const v = int16s(p.weights);
  // The rows (or pairs) hold int8 values: one tight loop first (this runs cold, at load; not needed for
  // values widened from int8); the repacking checks the rest, the Winograd block after the rows included.
  const values = widened ? 0 : path === "winograd" ? ceilTo(K, 4) * convRowBytes(C, kernel) : v.length;
  for (let i = 0; i < values; i++) if (v[i]! < -128 || v[i]! > 127) int8At(op, v[i]!, i);
  const K4 = ceilTo(K, 4), kk = kernel * kernel;
  const w = new Int8Array(K * C * kk);
  const at = (k: number, c: number, ky: number, kx: number) => ((k * C + c) * kernel + ky) * kernel + kx;
  if (path === "pairs") {
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
        const base = (k * C + c0) * kk;
        for (let t = 0; t < kk; t++)
          for (let l = 0; l < r; l++, i++) w[base + l * kk + t] = v[i]!;
      }
    }
  }
  const again = packConv(w, p.bias.subarray(0, K), p.mult.subarray(0, K), K, C, kernel, layout, stride);
  compareRepacked(op, p, again, stored);
  return again.weights;
}

/**
 * The fc packing is a permutation: check each int16 in place (int8 value,
 * zero at padding) without repacking. `widened`: the values were widened
 * from int8 (a plan file's), so only the padding needs looking at.
 */
export function checkPackedFc(op: string, p: PackedArrays, O: number, C: number, H: number, W: number, layout: Layout, widened = false): void {
  checkLengths(op, p, packedFcWeightBytes(O, C, H, W, layout), O);
  const v = int16s(p.weights);
  const G = lanesOf(layout);
  const HW = H * W, blocks = ceilTo(C, G) / G;
  if (widened) checkFcPadding(op, v, O, C, HW, G, blocks);
  else checkFcValues(op, v, O, C, HW, G, blocks);
  for (let k = O; k < p.bias.length; k++) {
    if (p.bias[k] !== 0 || p.mult[k] !== 0) fail("BAD_ARGUMENT", `${op}: padding output channel ${k} has bias ${p.bias[k]} and multiplier ${p.mult[k]}, expected 0 and 0`);
  }
}

/** Zero at the padding rows (o >= O, one run at the end) and the padding lanes of the last channel block. */
function checkFcPadding(op: string, v: Int16Array, O: number, C: number, HW: number, G: number, blocks: number): void {
  const Kl = blocks * HW * G;
  for (let i = O * Kl; i < v.length; i++) if (v[i] !== 0) fail("BAD_ARGUMENT", `${op}: packed weight ${i} is ${v[i]} at a padding row, expected 0`);
  const used = C - (blocks - 1) * G;
  if (used === G) return;
  for (let o = 0; o < O; o++) {
    for (let q = 0; q < HW; q++) {
      const at = o * Kl + ((blocks - 1) * HW + q) * G;
      for (let l = used; l < G; l++) if (v[at + l] !== 0) fail("BAD_ARGUMENT", `${op}: packed weight ${at + l} is ${v[at + l]} at a padding channel, expected 0`);
    }
  }
}

function checkFcValues(op: string, v: Int16Array, O: number, C: number, HW: number, G: number, blocks: number): void {
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
}

/** Bytes of packed weights the kernel table's kernel for `layer` takes. */
export function packedInt8WeightBytes(layer: Layer, shapes: LayerShapes, layout: Layout, symmetric = true): number {
  const [C, H, W] = shapes.input, K = shapes.output[0];
  if (layer.type === "fully_connected") return packedFcWeightBytes(K, C, H, W, layout);
  if (layer.type !== "convolution") return 0;
  const [kh, kw] = layer.kernelShape;
  switch (convKernel(layer, C, symmetric)) {
    case "conv": return packedConvWeightBytes(K, C, kh, convPath(layout, C, kh, layer.strides[0]));
    case "conv1x1": return packedConv1x1WeightBytes(K, C, layout);
    case "dwconv": return packedDwconvWeightBytes(C, K / C, kh, kw);
    case "convg": return packedConvgWeightBytes(K, C, layer.group, kh, kw);
    default: return 0;
  }
}

/** Bias and multiplier entries of the packing: output channels padded to 4 (per group for convg). */
export function packedInt8Channels(layer: Layer, shapes: LayerShapes, symmetric = true): number {
  const K = shapes.output[0];
  if (layer.type === "convolution" && convKernel(layer, shapes.input[0], symmetric) === "convg") return layer.group * ceilTo(K / layer.group, 4);
  return ceilTo(K, 4);
}

/**
 * Proof for any kernel of the table: the packed weights are exactly the
 * packing of the int8 values they hold. The dense layouts (fc, conv1x1) are
 * checked in place; the others are unpacked and packed again. `widened`:
 * every int16 was widened from an int8 (a plan file's), so value ranges hold.
 */
export function checkPackedInt8(op: string, p: PackedArrays, layer: Layer, shapes: LayerShapes, layout: Layout, symmetric = true, stored = p.weights.length, widened = false): Int8Array {
  const [C, H, W] = shapes.input, K = shapes.output[0];
  const variant = layer.type === "convolution" ? convKernel(layer, C, symmetric) : null;
  if (layer.type === "convolution" && variant === "conv") return checkPackedConv(op, p, K, C, layer.kernelShape[0], layout, layer.strides[0], stored, widened);
  if (stored !== p.weights.length) fail("BAD_ARGUMENT", `${op}: only a convolution's Winograd block is derived, not ${p.weights.length - stored} bytes of a ${variant ?? layer.type} packing`);
  if (layer.type === "fully_connected") checkPackedFc(op, p, K, C, H, W, layout, widened);
  else if (variant === "conv1x1") checkPackedFc(op, p, K, C, 1, 1, layout, widened);
  else checkPackedGrouped(op, p, layer, shapes, layout, symmetric, widened);
  return p.weights;
}

/** dwconv and convg: unpacked and packed again. */
function checkPackedGrouped(op: string, p: PackedArrays, layer: Layer, shapes: LayerShapes, layout: Layout, symmetric: boolean, widened: boolean): void {
  const [C] = shapes.input, K = shapes.output[0];
  if (layer.type !== "convolution") return fail("BAD_ARGUMENT", `${op}: a ${layer.type} layer has no packed weights`);
  const [kh, kw] = layer.kernelShape;
  const variant = convKernel(layer, C, symmetric);
  const bytes = packedInt8WeightBytes(layer, shapes, layout, symmetric);
  if (p.weights.length !== bytes) fail("BAD_ARGUMENT", `${op}: packed weights are ${p.weights.length} bytes, the kernels' packing has ${bytes}; rebuild the plan`);
  const channels = packedInt8Channels(layer, shapes, symmetric);
  if (p.bias.length !== channels || p.mult.length !== channels) fail("BAD_ARGUMENT", `${op}: bias and multipliers have ${p.bias.length} and ${p.mult.length} values, expected ${channels}`);
  const v = int16s(p.weights);
  if (!widened) for (let i = 0; i < v.length; i++) int8At(op, v[i]!, i);
  if (variant === "dwconv") {
    const M = K / C, np = dwconvPairs(kh, kw);
    const w = new Int8Array(K * kh * kw);
    for (let k = 0; k < K; k++) {
      const base = (Math.floor(k / 4) * np * 4 + (k % 4)) * 2;
      let t = 0;
      const take = (ky0: number, kx0: number, ky1: number, kx1: number) => {
        w[(k * kh + ky0) * kw + kx0] = v[base + t * 8]!;
        if (kx1 < kw) w[(k * kh + ky1) * kw + kx1] = v[base + t * 8 + 1]!;
        t++;
      };
      for (let rp = 0; rp < Math.floor(kh / 2); rp++) for (let kx = 0; kx < kw; kx++) take(2 * rp, kx, 2 * rp + 1, kx);
      if (kh % 2 === 1) for (let j = 0; j < Math.ceil(kw / 2); j++) take(kh - 1, 2 * j, kh - 1, 2 * j + 1);
    }
    return compareRepacked(op, p, packDwconv(w, p.bias.subarray(0, K), p.mult.subarray(0, K), C, M, kh, kw, layout));
  }
  // convg: [groups][Kg4][Dg] rows in the gather order of pack-convg.ts.
  const groups = layer.group, Cg = C / groups, Kg = K / groups, Kg4 = ceilTo(Kg, 4);
  const G = lanesOf(layout), Dg = convgDepth(C, groups, kh, kw);
  const w = new Int8Array(K * Cg * kh * kw);
  const bias = new Int32Array(K), mult = new Float32Array(K);
  for (let g = 0; g < groups; g++) {
    const c0 = g * Cg, c1 = c0 + Cg;
    for (let kk = 0; kk < Kg; kk++) {
      const k = g * Kg + kk;
      bias[k] = p.bias[g * Kg4 + kk]!;
      mult[k] = p.mult[g * Kg4 + kk]!;
      let i = (g * Kg4 + kk) * Dg;
      for (let cb = Math.floor(c0 / G) * G; cb < c1; cb += G) {
        const a = Math.max(c0, cb), e = Math.min(c1, cb + G);
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++)
            for (let c = a; c < e; c++) w[((k * Cg + c - c0) * kh + ky) * kw + kx] = v[i++]!;
      }
    }
  }
  compareRepacked(op, p, packConvg(w, bias, mult, K, C, groups, kh, kw, layout));
}

/** Where output channel k's bias and multiplier sit in the packing. */
export function packedChannelIndex(layer: Layer, shapes: LayerShapes, k: number, symmetric = true): number {
  if (layer.type !== "convolution" || convKernel(layer, shapes.input[0], symmetric) !== "convg") return k;
  const Kg = shapes.output[0] / layer.group;
  const g = Math.floor(k / Kg);
  return g * ceilTo(Kg, 4) + (k - g * Kg);
}
