// End-to-end octet: LeNet INT8 and FP32, each placement (gpu; dla with GPU
// fallback), batch 1 and 32, one thread; images/s, median latency, and the
// network's direct-convolution MACs per second ("useful" GMAC/s: the kernels
// execute more with padding and fewer on the Winograd path; their honest
// shares of the peak are `npm run bench -- kernels`). Then the four trained
// CNNs (bench/cnn.ts) the same way, the profile of each INT8 GPU plan at batch
// 32 (where the time goes, step by step), and MobileNet's depthwise and 1x1
// convolution steps in GMAC/s against the int16-operand peak.
// `npm run bench -- e2e [lenet|cnn|<model>]` runs a part.
import { loadModel, loadMnistTest, loadMnistTrain, loadKernels } from "../src/node.js";
import { Kernels } from "../src/runtime/kernels.js";
import { relaxedModule } from "../src/runtime/wasm-source-node.js";
import { chooseIsa } from "../src/runtime/isa.js";
import { buildPlan, DEFAULT_BUILD, ExecutionContext, ContextRunner, imagesToFloat, type Plan, type BuildOptions } from "../src/index.js";
import { collectStats, scalesFrom, DEFAULT_CALIBRATION } from "../src/calib/calibrate.js";
import { interleave, type Contender } from "./harness.js";
import { measurePeak } from "./kernels.js";
import { availableCnns, cnnBuild, octetCnnContender, profilePlan, wants, fmtInt, pct, ROUNDS, SLICE_MS, type PlanProfile } from "./cnn.js";

export const LENET_MACS = 2_293_000;

export interface E2eRow {
  config: string;
  precision: string;
  device: string;
  batch: number;
  imagesPerSecond: number;
  medianLatencyUs: number;
  gmacs: number;
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

/** A contender that runs `plan` on the first `batch` test images (on the release build the start-up choice picked, or `kernels`). */
export function octetContender(name: string, plan: Plan, batch: number, kernels: () => Kernels = () => loadKernels("release")): Contender {
  const ctx = new ExecutionContext(plan, kernels, batch);
  const runner = new ContextRunner(ctx);
  imagesToFloat(loadMnistTest(), 0, batch, runner.input(batch));
  return { name, images: batch, call: () => runner.run(batch) };
}

export interface CnnE2eRow {
  model: string;
  config: string;
  precision: string;
  device: string;
  batch: number;
  imagesPerSecond: number;
  medianLatencyUs: number;
  macsPerImage: number;
  gmacs: number;
  percentOfPeak16: number;
  cpuPerWall: number;
}

export interface ConvStepRate {
  step: string;
  kind: string;
  macsPerImage: number;
  medianMs: number;
  gmacs: number;
  percentOfPeak16: number;
  share: number;
}

export interface E2eResult {
  peakGmacs16: number;
  rows: E2eRow[];
  cnn: { rows: CnnE2eRow[]; profiles: PlanProfile[]; mobilenetConvs: ConvStepRate[] };
}

async function runLenet(): Promise<E2eRow[]> {
  const rows: E2eRow[] = [];
  // Both builds where the engine runs relaxed SIMD exactly: the INT8 GPU plan once more on the relaxed build.
  let relaxed: WebAssembly.Module | undefined;
  try {
    relaxed = chooseIsa("relaxed", relaxedModule).module;
  } catch (e) {
    console.log(`relaxed SIMD build: not run (${(e as Error).message})`);
  }
  for (const batch of [1, 32]) {
    const plans: { name: string; precision: string; device: string; plan: Plan; kernels?: () => Kernels }[] = lenetPlans();
    if (relaxed) plans.push({ ...plans[0]!, name: "INT8 gpu relaxed-SIMD", kernels: () => Kernels.fromModule(relaxed!, "release") });
    const timings = await interleave(plans.map((p) => octetContender(`${p.name} b${batch}`, p.plan, batch, p.kernels)), ROUNDS, SLICE_MS);
    timings.forEach((t, i) => {
      const p = plans[i]!;
      const gmacs = (t.imagesPerSecond * LENET_MACS) / 1e9;
      rows.push({
        config: p.name, precision: p.precision, device: p.device, batch, imagesPerSecond: t.imagesPerSecond,
        medianLatencyUs: t.medianMs * 1000, gmacs,
      });
    });
  }
  console.log(`LeNet end to end (one thread; median of ${ROUNDS} interleaved rounds):`);
  for (const r of rows) {
    console.log(`  ${`${r.config} b${r.batch}`.padEnd(24)} ${Math.round(r.imagesPerSecond).toLocaleString("en-US").padStart(8)} images/s  ` +
      `median ${r.medianLatencyUs.toFixed(1).padStart(8)} us/batch  ${r.gmacs.toFixed(1).padStart(5)} useful GMAC/s`);
  }
  return rows;
}

function printProfile(p: PlanProfile, top = 8): void {
  console.log(`  ${p.model} ${p.config} b${p.batch}: enqueue median ${p.enqueueMedianMs.toFixed(3)} ms over ${p.enqueues} profiled enqueues; by kind:`);
  for (const k of p.byKind) console.log(`    ${pct(k.share).padStart(6)}  ${k.medianMs.toFixed(3).padStart(7)} ms  ${k.kind}${k.gmacs !== null ? `  (${k.gmacs.toFixed(1)} GMAC/s)` : ""}`);
  console.log(`    top steps:`);
  for (const s of [...p.steps].sort((a, b) => b.share - a.share).slice(0, top)) {
    console.log(`    ${pct(s.share).padStart(6)}  ${s.medianMs.toFixed(3).padStart(7)} ms  ${s.name}  [${s.kind}]${s.gmacs !== null ? `  ${s.gmacs.toFixed(1)} GMAC/s` : ""}`);
  }
}

async function runCnns(filter: string, peak16: number): Promise<E2eResult["cnn"]> {
  const rows: CnnE2eRow[] = [];
  const profiles: PlanProfile[] = [];
  let mobilenetConvs: ConvStepRate[] = [];
  for (const c of availableCnns(filter)) {
    const b = cnnBuild(c);
    for (const batch of [1, 32]) {
      const timings = await interleave(b.plans.map((p) => octetCnnContender(p.name, p.plan, batch, b.images)), ROUNDS, SLICE_MS);
      timings.forEach((t, i) => {
        const p = b.plans[i]!;
        const gmacs = (t.imagesPerSecond * b.macsPerImage) / 1e9;
        rows.push({
          model: c.name, config: p.name, precision: p.precision, device: p.device, batch, imagesPerSecond: t.imagesPerSecond,
          medianLatencyUs: t.medianMs * 1000, macsPerImage: b.macsPerImage, gmacs, percentOfPeak16: (100 * gmacs) / peak16, cpuPerWall: t.cpuPerWall,
        });
      });
    }
    for (const p of b.plans.filter((p) => p.precision === "int8")) profiles.push(profilePlan(c, p, 32, b.images));
    if (c.name === "mobilenet-mnist") {
      const prof = profiles.find((p) => p.model === c.name && p.config === "INT8 gpu")!;
      mobilenetConvs = prof.steps.filter((s) => s.kind.startsWith("depthwise") || s.kind.startsWith("conv 1x1")).map((s) => ({
        step: s.name, kind: s.kind, macsPerImage: s.macsPerImage, medianMs: s.medianMs, gmacs: s.gmacs!, percentOfPeak16: (100 * s.gmacs!) / peak16, share: s.share,
      }));
    }
  }
  if (rows.length === 0) return { rows, profiles, mobilenetConvs };
  console.log(`Trained CNNs end to end (one thread; median of ${ROUNDS} interleaved rounds; MACs = conv + fc multiply-adds executed per image):`);
  for (const r of rows) {
    console.log(`  ${`${r.model} ${r.config} b${r.batch}`.padEnd(36)} ${fmtInt(r.imagesPerSecond).padStart(8)} images/s  median ${r.medianLatencyUs.toFixed(1).padStart(8)} us/batch  ` +
      `${r.gmacs.toFixed(1).padStart(5)} useful GMAC/s  ${r.percentOfPeak16.toFixed(0).padStart(3)}% of the int16 peak  cpu/wall ${r.cpuPerWall.toFixed(2)}`);
  }
  console.log("Where the time goes (profiler ranges per step, batch 32; share of the sum of step medians):");
  for (const p of profiles) printProfile(p);
  if (mobilenetConvs.length > 0) {
    console.log(`mobilenet-mnist INT8 gpu b32, depthwise and 1x1 convolution steps (MACs = K*Ho*Wo*(C/groups)*kh*kw) vs the int16-operand peak ${peak16.toFixed(1)} GMAC/s:`);
    for (const s of mobilenetConvs) {
      console.log(`  ${s.step.padEnd(44)} ${s.kind.padEnd(22)} ${fmtInt(s.macsPerImage).padStart(9)} MAC/image  ${(s.medianMs * 1000).toFixed(1).padStart(7)} us  ${s.gmacs.toFixed(2).padStart(6)} GMAC/s  ${s.percentOfPeak16.toFixed(1).padStart(5)}% of peak_s16  ${pct(s.share).padStart(6)} of the time`);
    }
  }
  return { rows, profiles, mobilenetConvs };
}

export async function runE2e(filter = ""): Promise<E2eResult> {
  const peaks = measurePeak(loadKernels("release"));
  const peak16 = peaks.gmacs16;
  console.log(`SIMD128 peak_s16 (the conv tiles' loop, v128.load + dot_i16x8_s): ${peak16.toFixed(1)} GMAC/s per thread`);
  const rows = wants(filter, "lenet") ? await runLenet() : [];
  const cnn = await runCnns(filter, peak16);
  return { peakGmacs16: peak16, rows, cnn };
}
