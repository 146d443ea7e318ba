// `npm run bench -- <suite> [filter]`: dispatches to a benchmark suite.
import { runKernelBench } from "./kernels.js";

const suites: Record<string, (filter: string) => void> = {
  kernels: runKernelBench,
};

const [name = "kernels", filter = ""] = process.argv.slice(2);
const suite = suites[name];
if (!suite) {
  console.error(`bench: suite: expected one of ${Object.keys(suites).join(", ")}, found "${name}"`);
  process.exit(2);
}
suite(filter);
