// Calibration: runs the FP32 network over calibration images and derives
// each quantized tensor's amax. Two passes, as TensorRT's histogram
// calibrators do: the largest |x| per tensor, then a 2048-bin histogram of
// |x| over [0, that max]. The same images always give the same results.
import type { Model } from "../model/model.js";
import type { ImageSet } from "../data/dataset.js";
import { imagesToFloat } from "../data/dataset.js";
import { Fp32Network } from "../exec/fp32-network.js";
import type { Kernels } from "../runtime/kernels.js";
import { AbsHistogram, maxAbs } from "./histogram.js";
import { entropyAmax, percentileAmax, type CalibrationAlgorithm } from "./algorithms.js";
import { fail } from "../errors.js";

export interface CalibrationOptions {
  images: number;
  batch: number;
  percentile: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { images: 500, batch: 50, percentile: 99.99 };

export interface TensorStats {
  maxAbs: number;
  histogram: AbsHistogram;
}

/** Tensors that carry an INT8 scale: the input and every layer output but the softmax's. */
export function quantizedTensors(model: Model): string[] {
  const names = [model.graph.input.name];
  for (const layer of model.graph.layers) {
    if (layer.type !== "softmax" && !names.includes(layer.output)) names.push(layer.output);
  }
  return names;
}

export function collectStats(
  kernels: Kernels, model: Model, images: ImageSet, options: CalibrationOptions,
  onProgress?: (done: number, total: number) => void,
): Map<string, TensorStats> {
  const total = options.images;
  if (total > images.count) fail("BAD_OPTION", `--calib-images ${total}: the calibration set has only ${images.count} images`);
  const net = new Fp32Network(kernels, model, options.batch);
  const names = quantizedTensors(model);
  const forEachBatch = (visit: (name: string, values: Float32Array) => void, passOffset: number) => {
    for (let start = 0; start < total; start += options.batch) {
      const n = Math.min(options.batch, total - start);
      imagesToFloat(images, start, n, net.input(n));
      net.run(n);
      for (const name of names) visit(name, net.tensor(name, n));
      onProgress?.(passOffset + start + n, 2 * total);
    }
  };
  const maxima = new Map(names.map((n) => [n, 0]));
  forEachBatch((name, values) => maxima.set(name, maxAbs(values, maxima.get(name))), 0);
  const stats = new Map(names.map((n) => [n, { maxAbs: maxima.get(n)!, histogram: new AbsHistogram(maxima.get(n)!) }]));
  forEachBatch((name, values) => stats.get(name)!.histogram.add(values), total);
  return stats;
}

export function amaxFor(stats: TensorStats, algorithm: CalibrationAlgorithm, percentile: number): number {
  switch (algorithm) {
    case "minmax":
      return stats.maxAbs;
    case "entropy":
      return Math.min(stats.maxAbs, entropyAmax(stats.histogram));
    case "percentile":
      return percentileAmax(stats.histogram, percentile);
  }
}

/** f32 scale = amax / 127 for every quantized tensor. */
export function scalesFrom(stats: Map<string, TensorStats>, algorithm: CalibrationAlgorithm, percentile: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of stats) out.set(name, scaleForAmax(amaxFor(s, algorithm, percentile)));
  return out;
}

/** A tensor that was zero on every calibration image gets scale 1: any scale represents it exactly. */
export function scaleForAmax(amax: number): number {
  return amax > 0 ? Math.fround(amax / 127) : 1;
}
