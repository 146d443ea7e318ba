// `npm run bench [-- <suite> [filter]]`: the kernel suite, octet end to end,
// browser size, cold start and (when installed) the peer runtimes. With no
// suite named, runs them all and writes bench/results/<date>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { runKernelBench } from "./kernels.js";
import { runE2e } from "./e2e.js";
import { runPeers } from "./peers.js";
import { runColdStart } from "./coldstart.js";
import { runSize } from "./size.js";
import { runThreads } from "./threads.js";
import { runBrowserPeers } from "./browser-peers.js";

const suites: Record<string, (filter: string) => unknown> = {
  kernels: runKernelBench,
  e2e: runE2e,
  peers: runPeers,
  coldstart: runColdStart,
  size: runSize,
  threads: runThreads,
  browser: runBrowserPeers,
};

const [name = "all", filter = ""] = process.argv.slice(2);
const chosen = name === "all" ? Object.keys(suites) : [name];
const unknown = chosen.find((s) => !suites[s]);
if (unknown) {
  console.error(`bench: suite: expected one of all, ${Object.keys(suites).join(", ")}, found "${unknown}"`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
for (const s of chosen) {
  console.log(`\n== ${s} ==`);
  results[s] = await suites[s]!(filter);
}
const date = new Date().toISOString();
const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}${date.slice(0, 19).replace(/:/g, "-")}${name === "all" ? "" : `-${name}`}.json`;
writeFileSync(file, JSON.stringify({ date, node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, results }, null, 2) + "\n");
console.log(`\nWrote ${file}`);
