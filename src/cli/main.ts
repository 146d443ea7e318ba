// `octet <command>`: dispatches to the command modules and turns OctetErrors
// into one clear line and a non-zero exit code.
import { OctetError } from "../errors.js";
import { consoleIo, type Io } from "./io.js";
import { runInfer } from "./infer.js";
import { runTrain } from "./train.js";
import { runExport } from "./export.js";
import { runInspect } from "./inspect.js";

const COMMANDS: Record<string, { summary: string; run(argv: string[], io: Io): number | Promise<number> }> = {
  infer: { summary: "run a model on the MNIST test set and report accuracy and speed", run: runInfer },
  train: { summary: "train the FP32 LeNet weights from scratch", run: runTrain },
  export: { summary: "write the model as ONNX (FP32, or QDQ INT8 with --qdq)", run: runExport },
  inspect: { summary: "show what octet makes of each node of an ONNX model (layer, folded, unsupported and why)", run: runInspect },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`);
  return ["Usage: octet <command> [options]", "", "Commands:", ...lines, "", "`octet <command> --help` lists a command's options."].join("\n");
}

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "help") {
    io.out(usage());
    return command === undefined ? 1 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    io.err(`octet: unknown command ${JSON.stringify(command.length > 80 ? `${command.slice(0, 80)}…` : command)}; expected one of ${Object.keys(COMMANDS).join(", ")}`);
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (e) {
    if (e instanceof OctetError) {
      io.err(`octet ${command}: error [${e.code}]: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
