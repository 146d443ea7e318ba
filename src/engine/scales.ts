// Activation scales as the engine uses them. Calibration (or a cache, or QDQ
// nodes) gives a scale per tensor; max and average pooling (global max too)
// and ReLU keep their input's scale (pooling requantizes with the same scale in and out,
// docs/int8-numerics.md "Pooling"; a ReLU only clamps), and so do pad and
// nearest resize (they move values unchanged; a pad's constant is written at
// that scale). PRelu has its own output scale. A convolution or fully
// connected layer whose output only a ReLU or a Clip(0, max) (ReLU6) reads,
// and an Add / Sub whose output only a ReLU reads, store their result at
// that activation's scale, as TensorRT's fused kernels do; the activation
// then keeps that scale (it only clamps). A tensor only a Concat reads takes
// the Concat's scale (TensorRT's rule), so the Concat copies it unchanged.
// A softmax asked to run in INT8 writes uint8 at 1/256 (zero point -128
// stored); every other tensor is symmetric (zero point 0) so far.
import type { Model } from "../model/model.js";
import type { PlacedLayer } from "../builder/placement.js";
import { SOFTMAX_INT8_SCALE, SOFTMAX_INT8_ZERO } from "../int8/softmax-table.js";
import { fail } from "../errors.js";
import { firstInput, type Layer } from "../model/graph.js";

/** The softmax layers placement runs in INT8 (asked for with --layer-precision). */
export function int8Softmaxes(placed: readonly PlacedLayer[]): Set<string> {
  return new Set(placed.filter((p) => p.layer.type === "softmax" && p.precision === "int8").map((p) => p.layer.name));
}

export interface EffectiveQuant {
  scales: Map<string, number>;
  /** Nonzero zero points, int8-stored. */
  zeroPoints: Map<string, number>;
}

export function effectiveScales(
  model: Model, calibrated: ReadonlyMap<string, number>, source: string, int8Softmax: ReadonlySet<string> = new Set(),
): Map<string, number> {
  return effectiveQuant(model, calibrated, new Map(), source, int8Softmax).scales;
}

/**
 * Scales and zero points as the engine uses them: a tensor that keeps its
 * input's scale keeps its zero point too; `given` zero points (the model's)
 * apply where a scale is taken as given. `missing`, when passed, collects the
 * tensors without a scale instead of failing (to calibrate them). `explicit`
 * tensors (the model's own QDQ scales) keep their scale where a calibrated
 * build would give them the Concat's: the model's numbers, exactly.
 */
export function effectiveQuant(
  model: Model, calibrated: ReadonlyMap<string, number>, given: ReadonlyMap<string, number>, source: string,
  int8Softmax: ReadonlySet<string> = new Set(), missing?: Set<string>, explicit: ReadonlySet<string> = new Set(),
): EffectiveQuant {
  const out = new Map<string, number>();
  const zeros = new Map<string, number>();
  const zeroOf = (t: string) => {
    const z = given.get(t) ?? 0;
    if (!Number.isInteger(z) || z < -128 || z > 127) fail("BAD_ARGUMENT", `${source}: tensor "${t}" has zero point ${z}; expected an integer in -128..127 (int8-stored)`);
    return z;
  };
  const set = (t: string, s: number, z: number) => {
    out.set(t, s);
    if (z !== 0) zeros.set(t, z);
    else zeros.delete(t);
  };
  const inherit = (t: string, from: string) => set(t, out.get(from)!, zeros.get(from) ?? 0);
  const fromGiven = (t: string, scaleTensor: string, layer: string) => set(t, need(scaleTensor, layer), zeroOf(scaleTensor));
  const check = (tensor: string, s: number) => {
    if (!(s > 0) || !Number.isFinite(s)) fail("BAD_ARGUMENT", `${source}: tensor "${tensor}" has scale ${s}; expected a finite positive number`);
    return s;
  };
  const need = (tensor: string, layer: string) => {
    const s = calibrated.get(tensor);
    if (s === undefined) {
      if (missing) {
        missing.add(tensor);
        return 1;
      }
      fail("BAD_ARGUMENT", `${source}: no scale for tensor "${tensor}" (${layer}), which the INT8 network needs`);
    }
    return check(tensor, s);
  };
  const input = model.graph.input.name;
  fromGiven(input, input, "network input");
  const { layers } = model.graph;
  const { consumers, producers } = model.shapes.links;
  /** A ReLU or Clip(0, max) that alone reads a conv / fc output: the conv stores its result at the activation's scale. */
  const absorbs = (i: number): Layer | null => {
    const layer = layers[i]!, readers = consumers[i]!;
    if (readers.length !== 1) return null;
    const a = layers[readers[0]!]!;
    if (layer.type === "eltwise") return layer.op !== "mul" && a.type === "relu" ? a : null;
    if (layer.type !== "convolution" && layer.type !== "fully_connected") return null;
    return a.type === "relu" || (a.type === "activation" && a.fn === "clip" && a.min === 0) ? a : null;
  };
  /** TensorRT's concatenation rule: a tensor only a Concat reads is stored at the Concat's scale, so the Concat copies it unchanged. */
  const concatScale = new Map<string, string>();
  layers.forEach((layer, i) => {
    if (layer.type !== "concat") return;
    producers[i]!.forEach((p, j) => {
      if (p >= 0 && consumers[p]!.length === 1 && !explicit.has(layer.inputs[j]!)) concatScale.set(layer.inputs[j]!, layer.output);
    });
  });
  const scaleOf = (t: string): string => {
    let s = t;
    while (concatScale.has(s)) s = concatScale.get(s)!;
    return s;
  };
  layers.forEach((layer, i) => {
    if (layer.type === "activation" && layer.fn === "clip" && producers[i]![0]! >= 0 && absorbs(producers[i]![0]!) === layer) {
      inherit(layer.output, firstInput(layer));
      return;
    }
    switch (layer.type) {
      case "softmax":
        if (int8Softmax.has(layer.name)) set(layer.output, Math.fround(SOFTMAX_INT8_SCALE), SOFTMAX_INT8_ZERO);
        return;
      case "pooling":
      case "relu":
      case "pad":
      case "resize":
        inherit(layer.output, firstInput(layer));
        return;
      case "global_pooling":
        if (layer.method === "max") {
          inherit(layer.output, firstInput(layer));
          return;
        }
        fromGiven(layer.output, layer.output, `output of ${layer.name}`);
        return;
      default: {
        const activation = absorbs(i);
        if (activation && calibrated.has(activation.output)) fromGiven(layer.output, scaleOf(activation.output), `output of ${activation.name}`);
        else fromGiven(layer.output, scaleOf(layer.output), `output of ${layer.name}`);
      }
    }
  });
  return { scales: out, zeroPoints: zeros };
}
