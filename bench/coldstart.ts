// Cold start: a fresh Node process, from importing the library to the first
// result on one MNIST digit; octet (its browser bundle, wasm and a plan file)
// against ONNX Runtime Web (its package, wasm and the same model as ONNX).
// The median of 7 processes each.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { loadModel, exportOnnx } from "../src/node.js";
import { serializePlan, imagesToFloat } from "../src/index.js";
import { lenetPlans } from "./e2e.js";
import { median } from "./harness.js";
import { loadMnistTest } from "../src/node.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ColdStart {
  octetMs: number;
  ortWebMs: number | null;
  /** Median ms of each phase of octet's cold start. */
  phases: Record<string, number>;
}

interface ChildResult { ms: number; phases?: Record<string, number> }

function runChild(script: string, dir: string): ChildResult {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const out = execFileSync(process.execPath, [file], { encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  if (r.label !== 7) throw new Error(`cold start child misclassified the first test digit: ${out}`);
  return r;
}

export function runColdStart(): ColdStart {
  const dir = mkdtempSync(join(tmpdir(), "octet-cold-"));
  const image = new Float32Array(784);
  imagesToFloat(loadMnistTest(), 0, 1, image);
  writeFileSync(join(dir, "digit.bin"), new Uint8Array(image.buffer));
  writeFileSync(join(dir, "lenet.plan"), serializePlan(lenetPlans()[0]!.plan));
  writeFileSync(join(dir, "lenet.onnx"), exportOnnx(loadModel()));
  const bundle = pathToFileURL(join(ROOT, "build/dist/octet.js")).href;
  const octetScript = `
const t0 = performance.now();
const { readFile } = await import("node:fs/promises");
const octet = await import(${JSON.stringify(bundle)});
const t1 = performance.now();
const [wasm, plan, digit] = await Promise.all([
  readFile(${JSON.stringify(join(ROOT, "build/dist/octet.wasm"))}), readFile(${JSON.stringify(join(dir, "lenet.plan"))}), readFile(${JSON.stringify(join(dir, "digit.bin"))})]);
const t2 = performance.now();
// As the README's example: compile first. Started before the plan check and awaited after it, the compile
// competes with V8's background compiles of the check's hot JS on 2 cores and ends later (measured).
const kernels = await octet.kernelFactory(wasm);
const t3 = performance.now();
const verified = octet.deserializePlan(plan, "lenet.plan");
const t4 = performance.now();
const ctx = new octet.ExecutionContext(verified, kernels, 1);
const t5 = performance.now();
ctx.input(1).set(new Float32Array(digit.buffer, digit.byteOffset, 784));
ctx.enqueue(1);
const out = ctx.output(1);
const t6 = performance.now(), ms = t6 - t0;
const phases = { import: t1 - t0, read: t2 - t1, "compile the wasm": t3 - t2, "load and check the plan": t4 - t3, "create the context": t5 - t4, "first enqueue": t6 - t5 };
console.log(JSON.stringify({ ms, phases, label: out.indexOf(Math.max(...out)) }));
`;
  const runs = Array.from({ length: 7 }, () => runChild(octetScript, dir));
  const octetMs = median(runs.map((r) => r.ms));
  const phases = Object.fromEntries(Object.keys(runs[0]!.phases!).map((k) => [k, median(runs.map((r) => r.phases![k]!))]));
  let ortWebMs: number | null = null;
  try {
    const require = createRequire(join(ROOT, "bench/peers/package.json"));
    const ortEntry = pathToFileURL(require.resolve("onnxruntime-web")).href;
    const ortScript = `
const t0 = performance.now();
const { readFile } = await import("node:fs/promises");
const ort = await import(${JSON.stringify(ortEntry)});
ort.env.wasm.numThreads = 1;
const [model, digit] = await Promise.all([readFile(${JSON.stringify(join(dir, "lenet.onnx"))}), readFile(${JSON.stringify(join(dir, "digit.bin"))})]);
const session = await ort.InferenceSession.create(model);
const r = await session.run({ data: new ort.Tensor("float32", new Float32Array(digit.buffer, digit.byteOffset, 784), [1, 1, 28, 28]) });
const out = Array.from(r.prob.data);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, label: out.indexOf(Math.max(...out)) }));
`;
    ortWebMs = median(Array.from({ length: 7 }, () => runChild(ortScript, dir).ms));
  } catch (e) {
    console.log(`cold start: ONNX Runtime Web skipped (${(e as Error).message.split("\n")[0]}); run \`npm run bench:peers\``);
  }
  console.log(`Cold start (fresh process, import to first result, median of 7): octet ${octetMs.toFixed(1)} ms` +
    (ortWebMs !== null ? `, ORT Web ${ortWebMs.toFixed(1)} ms (${(ortWebMs / octetMs).toFixed(1)}x)` : ""));
  console.log(`  octet, median of each phase: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(", ")}`);
  return { octetMs, ortWebMs, phases };
}
