// Packed int8 weights as a plan file stores them: the kernels' packings hold
// int8 values in int16 elements (widened at build time so the inner loops
// need no widening), plus, for convolutions on the Winograd F(2,5) path, a
// block derived from the direct rows whose values exceed int8. The file
// keeps only the int8 values of the rows, one byte each; loading widens
// them and computes the Winograd block again, and the plan check then proves
// the result is the kernels' packing (pack-check.ts), as for any packing.
import { fail } from "../errors.js";
import { ceilTo, lanesOf, type Layout } from "./layout.js";
import { convRowBytes, winoDepth, WINO_G } from "./pack-conv.js";
import { convPath } from "./kernel-config.js";
import { convKernel } from "../engine/kernel-table.js";
import type { Layer } from "../model/graph.js";
import type { LayerShapes } from "../model/shapes.js";
import { packedInt8WeightBytes } from "./pack-check.js";

/** Int16 elements of the packing that the file stores (all but a derived Winograd block). */
export function storedWeightCount(layer: Layer, shapes: LayerShapes, layout: Layout, symmetric: boolean): number {
  const all = packedInt8WeightBytes(layer, shapes, layout, symmetric) / 2;
  return all - winogradElements(layer, shapes, layout, symmetric);
}

function winogradElements(layer: Layer, shapes: LayerShapes, layout: Layout, symmetric: boolean): number {
  if (layer.type !== "convolution") return 0;
  const C = shapes.input[0], K = shapes.output[0], kernel = layer.kernelShape[0];
  if (convKernel(layer, C, symmetric) !== "conv" || convPath(layout, C, kernel, layer.strides[0]) !== "winograd") return 0;
  return 6 * ceilTo(K, 4) * winoDepth(C);
}

/** The file's bytes for packed weights (int16 elements of int8 values): one byte per stored element. */
export function narrowWeights(weights: Int8Array, count: number, what: string): Int8Array {
  const w16 = new Int16Array(weights.slice().buffer);
  if (count > w16.length) fail("BAD_ARGUMENT", `${what}: ${count} stored weights, the packing has ${w16.length}`);
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    const v = w16[i]!;
    if (v < -128 || v > 127) fail("BAD_ARGUMENT", `${what}: packed weight ${i} is ${v}, outside int8; not a packing of int8 weights`);
    out[i] = v;
  }
  return out;
}

/** The packing again from the file's bytes: widened, and the Winograd block (if any) computed from the direct rows. */
export function widenWeights(stored: Int8Array, layer: Layer, shapes: LayerShapes, layout: Layout, symmetric: boolean): Int8Array {
  const total = packedInt8WeightBytes(layer, shapes, layout, symmetric) / 2;
  const w16 = new Int16Array(total);
  for (let i = 0; i < stored.length; i++) w16[i] = stored[i]!;
  if (winogradElements(layer, shapes, layout, symmetric) > 0) winogradBlock(w16, shapes.input[0], shapes.output[0], layout);
  return new Int8Array(w16.buffer);
}

/** U[e][K4][winoDepth(C)] after the direct rows: U_e = sum_kx G'[e][kx] w[kx], read from the rows (gather order cb, ky, kx, lane). */
function winogradBlock(w16: Int16Array, C: number, K: number, layout: Layout): void {
  const G = lanesOf(layout), Kp = convRowBytes(C, 5), K4 = ceilTo(K, 4), Dw = winoDepth(C), C4 = ceilTo(C, 4);
  const u = w16.subarray(K4 * Kp);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++) {
      const c0 = Math.floor(c / G) * G, r = Math.min(G, C - c0), lane = c - c0;
      for (let ky = 0; ky < 5; ky++) {
        const row = (kx: number) => w16[k * Kp + c0 * 25 + (ky * 5 + kx) * r + lane]!;
        for (let e = 0; e < 6; e++) {
          let v = 0;
          for (let kx = 0; kx < 5; kx++) v += WINO_G[e]![kx]! * row(kx);
          u[(e * K4 + k) * Dw + ky * C4 + c] = v;
        }
      }
    }
}
