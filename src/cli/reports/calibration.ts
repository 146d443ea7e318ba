// --dump-calibration: every tensor's amax under each algorithm, the scale
// the plan uses, and each layer's INT8 error against FP32 on a test batch.
import type { Model } from "../../model/model.js";
import type { Plan } from "../../engine/plan.js";
import type { ImageSet } from "../../data/dataset.js";
import { collectStats, amaxFor, type CalibrationOptions, type TensorStats } from "../../calib/calibrate.js";
import { CALIBRATION_ALGORITHMS } from "../../calib/algorithms.js";
import { loadKernels } from "../../runtime/wasm-source-node.js";
import { layerErrors } from "../../engine/layer-errors.js";
import { table } from "./table.js";

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
  const errors = layerErrors(model, plan, test, n, () => loadKernels("release"));
  lines.push(`[I] INT8 vs FP32 per layer output on ${n} test images (read from inside the plan's steps):`);
  lines.push(...table(["Tensor", "max |err|", "mean |err|", "SNR (dB)"], errors.map((e) => [
    e.tensor, e.maxAbs.toPrecision(4), e.meanAbs.toPrecision(4), Number.isFinite(e.snrDb) ? e.snrDb.toFixed(1) : "inf",
  ])).map((l) => `[I]   ${l}`));
  return lines;
}
