// The import's folding pass, on octet's layers after every node is taken:
//  - a BatchNormalization (imported as a scale layer y = x * scale + shift)
//    folds into the convolution or fully connected layer before it when that
//    layer's output is read by the BatchNormalization alone:
//    w' = w * scale per output channel, b' = b * scale + shift
//    (= (b - mean) * gamma / sqrt(var + eps) + beta);
//  - a constant Add / Sub after a fully connected layer (MatMul + Add) folds
//    into its bias the same way (scale 1);
//  - a constant Mul followed by a constant Add (octet's own export of a scale
//    layer) merges into one scale layer, exactly (x * s + 0 + t = x * s + t);
//  - layers whose output reaches no graph output are dropped.
// A tensor carrying a QDQ scale is never folded away. Weights are replaced,
// never changed in place (an initializer may feed several layers).
import type { Layer } from "../model/graph.js";
import { paramName } from "../model/model.js";
import type { WeightMap } from "../model/weights-file.js";

/** Where a scale layer came from: a BatchNormalization, a constant Add/Sub (scale 1), a constant Mul (shift 0). */
export type LayerOrigin = "batchnorm" | "shift" | "mul";

export interface Fold {
  /** The layer folded away. */
  layer: string;
  /** The layer that absorbed it. */
  into: string;
  how: "batchnorm" | "bias" | "merge";
}

export interface FoldResult {
  layers: Layer[];
  folds: Fold[];
  /** Layers dropped because their output reaches no graph output. */
  dropped: string[];
}

export function foldLayers(layers: readonly Layer[], weights: WeightMap, origins: ReadonlyMap<string, LayerOrigin>, output: string, keep: ReadonlySet<string>): FoldResult {
  const list = layers.map((l) => ({ ...l, inputs: [...l.inputs] }) as Layer);
  const readers = new Map<string, number>();
  for (const l of list) for (const t of l.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  readers.set(output, (readers.get(output) ?? 0) + 1);
  const producer = new Map<string, Layer>();
  const removed = new Set<Layer>();
  const folds: Fold[] = [];
  const data = (layer: string, kind: string) => weights.get(paramName(layer, kind))?.data;
  for (const l of list) {
    const t = l.inputs[0]!;
    const p = producer.get(t);
    if (l.type === "scale" && p && readers.get(t) === 1 && !keep.has(t)) {
      const scale = data(l.name, "scale")!, shift = data(l.name, "shift")!;
      const origin = origins.get(l.name);
      const bias = origin === "shift" && p.type === "fully_connected" && scale.every((v) => v === 1);
      if ((p.type === "convolution" || p.type === "fully_connected") && (origin === "batchnorm" || bias)) {
        const w = weights.get(paramName(p.name, "weight"))!;
        const k = w.dims[0]!;
        const per = w.data.length / k;
        if (!bias) weights.set(paramName(p.name, "weight"), { dims: w.dims, data: Float32Array.from(w.data, (v, i) => v * scale[Math.floor(i / per)]!) });
        const b = data(p.name, "bias") ?? new Float32Array(k);
        weights.set(paramName(p.name, "bias"), { dims: [k], data: Float32Array.from(b, (v, c) => v * scale[c]! + shift[c]!) });
        weights.delete(paramName(l.name, "scale"));
        weights.delete(paramName(l.name, "shift"));
        p.bias = true;
        p.output = l.output;
        producer.set(l.output, p);
        removed.add(l);
        folds.push({ layer: l.name, into: p.name, how: bias ? "bias" : "batchnorm" });
        continue;
      }
      if (p.type === "scale" && data(p.name, "shift")!.every((v) => v === 0) && scale.every((v) => v === 1)) {
        weights.set(paramName(l.name, "scale"), weights.get(paramName(p.name, "scale"))!);
        weights.delete(paramName(p.name, "scale"));
        weights.delete(paramName(p.name, "shift"));
        l.inputs = [...p.inputs];
        removed.add(p);
        folds.push({ layer: p.name, into: l.name, how: "merge" });
      }
    }
    producer.set(l.output, l);
  }
  const kept = list.filter((l) => !removed.has(l));
  // Dead layers: walk back from the output.
  const live = new Set<string>([output]);
  const alive = new Set<Layer>();
  for (let i = kept.length - 1; i >= 0; i--) {
    const l = kept[i]!;
    if (!live.has(l.output)) continue;
    alive.add(l);
    for (const t of l.inputs) live.add(t);
  }
  const dropped = kept.filter((l) => !alive.has(l));
  for (const l of dropped) for (const kind of ["weight", "bias", "scale", "shift", "slope"]) weights.delete(paramName(l.name, kind));
  return { layers: kept.filter((l) => alive.has(l)), folds, dropped: dropped.map((l) => l.name) };
}
