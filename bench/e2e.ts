// End-to-end LeNet in octet: INT8 and FP32, each placement (gpu; dla with
// GPU fallback), batch 1 and 32, one thread. Images/s, median latency, and
// GMAC/s as a share of the SIMD peak measured in the same run.
import { loadModel, loadMnistTest, loadMnistTrain, loadKernels } from "../src/node.js";
import { buildPlan, DEFAULT_BUILD, ExecutionContext, ContextRunner, imagesToFloat, type Plan, type BuildOptions } from "../src/index.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import { interleave, type Contender } from "./harness.js";
import { measurePeak } from "./kernels.js";

export const LENET_MACS = 2_293_000;

export interface E2eRow {
  config: string;
  precision: string;
  device: string;
  batch: number;
  imagesPerSecond: number;
  medianLatencyUs: number;
  gmacs: number;
  percentOfPeak: number;
}

export function lenetPlans(): { name: string; precision: string; device: string; plan: Plan }[] {
  const model = loadModel();
  const scales = scalesFrom(collectStats(loadKernels(), model, loadMnistTrain(), DEFAULT_CALIBRATION), "entropy", 99.99);
  const make = (o: Partial<BuildOptions>) => buildPlan(model, { ...DEFAULT_BUILD, ...o }, o.precision === "fp32" ? null : scales, { algorithm: "entropy", source: "bench" });
  return [
    { name: "INT8 gpu", precision: "int8", device: "gpu", plan: make({ device: "gpu" }) },
    { name: "INT8 dla+fallback", precision: "int8", device: "dla", plan: make({ device: "dla" }) },
    { name: "FP32 gpu", precision: "fp32", device: "gpu", plan: make({ device: "gpu", precision: "fp32" }) },
  ];
}

/** A contender that runs `plan` on the first `batch` test images. */
export function octetContender(name: string, plan: Plan, batch: number): Contender {
  const ctx = new ExecutionContext(plan, () => loadKernels("release"), batch);
  const runner = new ContextRunner(ctx);
  imagesToFloat(loadMnistTest(), 0, batch, runner.input(batch));
  return { name, images: batch, call: () => runner.run(batch) };
}

export async function runE2e(): Promise<{ peakGmacs: number; rows: E2eRow[] }> {
  const peak = measurePeak(loadKernels("release")).gmacs;
  console.log(`SIMD128 int8 peak (load8x8_s + dot_i16x8_s): ${peak.toFixed(1)} GMAC/s per thread`);
  const rows: E2eRow[] = [];
  for (const batch of [1, 32]) {
    const plans = lenetPlans();
    const timings = await interleave(plans.map((p) => octetContender(`${p.name} b${batch}`, p.plan, batch)));
    timings.forEach((t, i) => {
      const p = plans[i]!;
      const gmacs = (t.imagesPerSecond * LENET_MACS) / 1e9;
      rows.push({
        config: p.name, precision: p.precision, device: p.device, batch, imagesPerSecond: t.imagesPerSecond,
        medianLatencyUs: t.medianMs * 1000, gmacs, percentOfPeak: (100 * gmacs) / peak,
      });
    });
  }
  console.log("LeNet end to end (one thread; median of 5 interleaved rounds):");
  for (const r of rows) {
    console.log(`  ${`${r.config} b${r.batch}`.padEnd(24)} ${Math.round(r.imagesPerSecond).toLocaleString("en-US").padStart(8)} images/s  ` +
      `median ${r.medianLatencyUs.toFixed(1).padStart(8)} us/batch  ${r.gmacs.toFixed(1).padStart(5)} GMAC/s  ${r.percentOfPeak.toFixed(0).padStart(3)}% of peak`);
  }
  return { peakGmacs: peak, rows };
}
