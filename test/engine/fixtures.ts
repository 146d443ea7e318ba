// Shared set-up for engine tests: the committed model, MNIST, and scales
// calibrated once per algorithm.
import { loadModel } from "../../src/model/model-node.js";
import { loadMnistTest, loadMnistTrain } from "../../src/data/mnist-node.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION, type TensorStats } from "../../src/calib/calibrate.js";
import type { CalibrationAlgorithm } from "../../src/calib/algorithms.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { ContextRunner } from "../../src/engine/context-runner.js";
import type { Plan } from "../../src/engine/plan.js";

export const model = loadModel();
export const test = loadMnistTest();

let stats: Map<string, TensorStats> | null = null;
export function scales(algorithm: CalibrationAlgorithm = "entropy"): Map<string, number> {
  stats ??= collectStats(loadKernels("release"), model, loadMnistTrain(), DEFAULT_CALIBRATION);
  return scalesFrom(stats, algorithm, DEFAULT_CALIBRATION.percentile);
}

export function plan(o: Partial<BuildOptions> = {}, algorithm: CalibrationAlgorithm = "entropy"): Plan {
  const options = { ...DEFAULT_BUILD, ...o };
  return buildPlan(model, options, options.precision === "fp32" ? null : scales(algorithm), { algorithm, source: "test" });
}

/** A context for `p`; `inspect` keeps every intermediate tensor readable (no memory reuse). */
export function runner(p: Plan, batch: number, flavor: "release" | "debug" = "release", profile = false, inspect = false): ContextRunner {
  return new ContextRunner(new ExecutionContext(p, () => loadKernels(flavor), batch, { profile, profileDlaLayers: profile, inspectTensors: inspect }));
}
