// --dump-calibration: every tensor's amax under each algorithm, the scale
// the plan uses, and each layer's INT8 error against FP32 on a test batch,
// read from inside the plan's fused steps (no fusion is broken to see it).
import type { Model } from "../../model/model.js";
import type { Plan } from "../../engine/plan.js";
import type { ImageSet } from "../../data/dataset.js";
import { imagesToFloat } from "../../data/dataset.js";
import { collectStats, amaxFor, type CalibrationOptions, type TensorStats } from "../../calib/calibrate.js";
import { CALIBRATION_ALGORITHMS } from "../../calib/algorithms.js";
import { loadKernels } from "../../runtime/wasm-source-node.js";
import { Fp32Network } from "../../exec/fp32-network.js";
import { ContextRunner } from "../../engine/context-runner.js";
import { createContext } from "../engine-node.js";
import { table } from "./table.js";

export interface TensorError {
  tensor: string;
  maxAbs: number;
  meanAbs: number;
  snrDb: number;
}

export function compareTensors(tensor: string, ref: Float32Array, got: Float32Array): TensorError {
  let maxAbs = 0, sumAbs = 0, signal = 0, noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = got[i]! - ref[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(e));
    sumAbs += Math.abs(e);
    signal += ref[i]! * ref[i]!;
    noise += e * e;
  }
  return { tensor, maxAbs, meanAbs: sumAbs / ref.length, snrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) };
}

/** Each layer output's INT8 (dequantized) values against FP32 on the first `n` test images. */
export function layerErrors(model: Model, plan: Plan, test: ImageSet, n: number): TensorError[] {
  const ctx = createContext(plan, n);
  const runner = new ContextRunner(ctx);
  imagesToFloat(test, 0, n, runner.input(n));
  runner.run(n);
  const ref = new Fp32Network(loadKernels("release"), model, n);
  imagesToFloat(test, 0, n, ref.input(n));
  ref.run(n);
  const tensors = [...new Set(plan.graph.layers.map((l) => l.output))].filter((t) => ctx.materialized(t));
  return tensors.map((t) => compareTensors(t, ref.tensor(t, n), ctx.readTensor(t, n)));
}

export function calibrationReport(
  model: Model, plan: Plan, stats: Map<string, TensorStats> | null, train: () => ImageSet, test: ImageSet, options: CalibrationOptions,
): string[] {
  const s = stats ?? collectStats(loadKernels("release"), model, train(), options);
  const rows = [...s].map(([name, st]) => [
    name,
    ...CALIBRATION_ALGORITHMS.map((a) => amaxFor(st, a, options.percentile).toPrecision(5)),
    plan.scales[name] !== undefined ? (plan.scales[name]! * 127).toPrecision(5) : "-",
  ]);
  const lines = [
    `[I] Calibration: amax per tensor over ${options.images} training images (percentile = ${options.percentile})`,
    ...table(["Tensor", ...CALIBRATION_ALGORITHMS, "plan (scale*127)"], rows).map((l) => `[I]   ${l}`),
  ];
  const n = Math.min(100, test.count);
  const errors = layerErrors(model, plan, test, n);
  lines.push(`[I] INT8 vs FP32 per layer output on ${n} test images (read from inside the plan's steps):`);
  lines.push(...table(["Tensor", "max |err|", "mean |err|", "SNR (dB)"], errors.map((e) => [
    e.tensor, e.maxAbs.toPrecision(4), e.meanAbs.toPrecision(4), Number.isFinite(e.snrDb) ? e.snrDb.toFixed(1) : "inf",
  ])).map((l) => `[I]   ${l}`));
  return lines;
}
