// Packed int8 weights as a plan file stores them: the kernels' packings hold
// int8 values in int16 elements (widened at build time so the inner loops
// need no widening), plus, for convolutions on the Winograd F(2,5) path, a
// block derived from the direct rows whose values exceed int8. The file
// keeps only the int8 values of the rows, one byte each; loading widens
// them, and the plan check, which repacks them anyway, proves they are the
// kernels' packing and supplies the Winograd block (pack-check.ts).
import { fail } from "../errors.js";
import { ceilTo, type Layout } from "./layout.js";
import { winoDepth } from "./pack-conv.js";
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

/**
 * The file's bytes widened back to int16 elements, `total` of them: the
 * derived Winograd block (if any) is left zero here and computed by the plan
 * check, which repacks the rows anyway (pack-check.ts checkPackedConv).
 */
export function widenWeights(stored: Int8Array, layer: Layer, shapes: LayerShapes, layout: Layout, symmetric: boolean): Int8Array {
  const w16 = new Int16Array(packedInt8WeightBytes(layer, shapes, layout, symmetric) / 2);
  w16.set(stored);
  return new Int8Array(w16.buffer);
}
