// `octet inspect model.onnx`: what octet makes of each node of an ONNX model
// (op, output shape, octet layer, or folded / absorbed / unsupported and why),
// as Polygraphy's `inspect capability` does for TensorRT. A thin shell over
// src/onnx/inspect.ts. Exit code 0 when the model imports, 1 when it does not.
import { parseArgs, helpText, type OptionSpec } from "./args.js";
import { checkReadableFile, type Io } from "./io.js";
import { onnxImportOptions, readOnnxBytes } from "../model/model-node.js";
import { formatInspection, inspectOnnx } from "../onnx/inspect.js";
import { fail } from "../errors.js";

export const INSPECT_OPTIONS: readonly OptionSpec[] = [
  { name: "model", kind: "string", arg: "file.onnx", help: "ONNX model to inspect (or give it as the first argument)" },
  { name: "help", kind: "flag", help: "show this help" },
];

export function runInspect(argv: string[], io: Io): number {
  const positional = argv[0] !== undefined && !argv[0].startsWith("--") ? argv[0] : undefined;
  const args = parseArgs(positional === undefined ? argv : argv.slice(1), INSPECT_OPTIONS, "inspect");
  if (args.flag("help")) {
    io.out(helpText("octet inspect model.onnx", "Shows, node by node, what octet makes of an ONNX model: op, output shape, the octet layer, or folded / absorbed / unsupported and why. Exit code 1 when the model does not import.", INSPECT_OPTIONS));
    return 0;
  }
  if (positional !== undefined && args.given("model")) fail("BAD_OPTION", "give the model once: `octet inspect model.onnx` or `octet inspect --model model.onnx`");
  const path = positional ?? args.str("model");
  if (path === undefined) return fail("BAD_OPTION", "which model? `octet inspect model.onnx`");
  if (!path.toLowerCase().endsWith(".onnx")) fail("BAD_OPTION", `${JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path)}: octet inspect reads ONNX models (.onnx)`);
  checkReadableFile(path, "model");
  const report = inspectOnnx(readOnnxBytes(path), path, onnxImportOptions(path));
  for (const line of formatInspection(report)) io.out(line);
  return report.model ? 0 : 1;
}
