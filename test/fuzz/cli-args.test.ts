// Fuzzing the CLI's argument parsing and validation in-process (no process
// per case): valid command lines of `infer`, `export` and `train`, mutated
// token by token (dropped, repeated, swapped, joined with =, hostile values,
// unknown options, positionals). Each goes through the command's own
// settings check (options, combinations, and the files it would write),
// which must accept it or refuse it with an OctetError, within 2 s and
// bounded memory; the seeds still give the same settings afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inferSettings, INFER_OPTIONS } from "../../src/cli/infer-options.js";
import { exportSettings, EXPORT_OPTIONS } from "../../src/cli/export.js";
import { trainArgs, TRAIN_OPTIONS } from "../../src/cli/train.js";
import type { OptionSpec, ParsedArgs } from "../../src/cli/args.js";
import type { Rng } from "../../src/util/rng.js";
import { runCampaign, fuzzCases, summary, pick, randInt, HOSTILE_STRINGS } from "./mutate.js";

const dir = mkdtempSync(join(tmpdir(), "octet-fuzz-cli-"));
const plan = join(dir, "p.plan");
writeFileSync(plan, "not a plan; only its path is checked");
const cache = join(dir, "c.cache");
writeFileSync(cache, "TRT-8601-EntropyCalibration2\ndata: 3c010204\n");

interface Command {
  name: string;
  specs: readonly OptionSpec[];
  settings(argv: string[]): ParsedArgs | null;
  seeds: string[][];
}

const COMMANDS: Command[] = [
  {
    name: "infer", specs: INFER_OPTIONS, settings: (argv) => inferSettings(argv)?.args ?? null,
    seeds: [
      ["--fp32", "--images", "1000", "--batch", "50"],
      ["--device", "dla", "--layer-device", "pool2=gpu,ip1=gpu", "--calib", "minmax", "--calib-cache", cache, "--skip-accuracy"],
      ["--save-plan", join(dir, "new.plan"), "--no-profile", "--iterations", "5", "--warmup", "0", "--duration", "0.5"],
      ["--load-plan", plan, "--export-trace", join(dir, "t.json"), "--export-profile", join(dir, "p.json")],
      ["--layer-precision", "conv1=fp32", "--input-format", "int8:nchw4", "--percentile", "99.9", "--calib", "percentile", "--calib-images", "100"],
      ["--compare", "--images=300", "--batch=20", "--dump-layer-info", "--profile-dla-layers"],
    ],
  },
  {
    name: "export", specs: EXPORT_OPTIONS, settings: (argv) => exportSettings(argv)?.args ?? null,
    seeds: [["--onnx", join(dir, "m.onnx")], ["--onnx", join(dir, "q.onnx"), "--qdq", "--calib", "entropy", "--calib-cache", cache, "--calib-images", "50"]],
  },
  {
    name: "train", specs: TRAIN_OPTIONS, settings: trainArgs,
    seeds: [["--epochs", "1", "--batch", "64", "--lr", "0.01", "--seed", "3"], ["--out", "w.weights", "--lr", ".5", "--data", dir]],
  },
];

function hostileValue(rng: Rng, c: Command): string {
  return pick(rng, [...HOSTILE_STRINGS, "--no-profile", "--help", "-1", "-0", "0", "4096", "4097", "60001", dir, join(dir, "missing", "x"), "/", "/dev/null", "gpu", "dla", "int8:nc32hw32", `--${pick(rng, c.specs).name}`]);
}

function mutateArgv(argv: string[], rng: Rng, c: Command): string[] {
  const a = [...argv];
  const count = 1 + randInt(rng, 3);
  for (let m = 0; m < count; m++) {
    const i = randInt(rng, a.length + 1);
    switch (randInt(rng, 9)) {
      case 0:
        a.splice(i, 1);
        break;
      case 1:
        if (i < a.length) a.splice(i, 0, a[i]!);
        break;
      case 2: {
        const j = randInt(rng, a.length);
        if (i < a.length) [a[i], a[j]] = [a[j]!, a[i]!];
        break;
      }
      case 3:
        if (i < a.length) a[i] = hostileValue(rng, c);
        break;
      case 4: { // an option, valid or not, with or without a value
        const spec = pick(rng, c.specs);
        const name = rng.next() < 0.85 ? spec.name : pick(rng, ["", "batchsize", "-", "=", "no-such-option", "fp32=1"]);
        a.splice(i, 0, ...(spec.kind === "flag" || rng.next() < 0.2 ? [`--${name}`] : [`--${name}`, hostileValue(rng, c)]));
        break;
      }
      case 5: // --name value -> --name=value
        if (i + 1 < a.length && a[i]!.startsWith("--")) a.splice(i, 2, `${a[i]}=${a[i + 1]}`);
        break;
      case 6:
        a.splice(i, 0, pick(rng, ["extra", "-x", "-", "5", "lenet.json"]));
        break;
      case 7: // numbers in other notations
        if (i < a.length && /^\d+$/.test(a[i]!)) a[i] = pick(rng, [`0x${Number(a[i]).toString(16)}`, `${a[i]}e0`, ` ${a[i]}`, `+${a[i]}`, `${a[i]}.0`, `-${a[i]}`, `${a[i]}0000000000000000`]);
        break;
      default:
        a.length = i;
    }
  }
  return a;
}

/** What an accepted command line must satisfy: no stray or option-like values, numbers as given in decimal and in range. */
function checkAccepted(c: Command, argv: string[], args: ParsedArgs): void {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith("--")) throw new Error(`accepted a stray argument ${JSON.stringify(token)}`);
    const eq = token.indexOf("=");
    const spec = c.specs.find((s) => s.name === token.slice(2, eq < 0 ? undefined : eq))!;
    if (spec.kind === "flag") continue;
    const raw = eq < 0 ? argv[++i]! : token.slice(eq + 1);
    if (eq < 0 && raw.startsWith("--")) throw new Error(`accepted the option ${raw} as the value of --${spec.name}`);
    if (spec.kind === "int" || spec.kind === "number") {
      const v = args.value(spec.name) as number;
      if (!/^-?[\d.]+$/.test(raw) || String(v) !== String(Number(raw)) || (spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
        throw new Error(`accepted ${JSON.stringify(raw)} as ${v} for --${spec.name}`);
      }
    }
  }
}

function settingsOf(c: Command, argv: string[]): string {
  const args = c.settings(argv);
  return JSON.stringify(args && c.specs.map((s) => [s.name, args.given(s.name), args.value(s.name) ?? null]));
}

test("mutated command lines are accepted or refused with an OctetError", () => {
  const before = COMMANDS.map((c) => c.seeds.map((s) => settingsOf(c, s)));
  const report = runCampaign({
    name: "cli-args", seed: 0xc11, cases: fuzzCases(10000),
    input: (rng) => {
      const c = pick(rng, COMMANDS);
      return { c, argv: mutateArgv(pick(rng, c.seeds), rng, c) };
    },
    run: ({ c, argv }) => {
      const args = c.settings(argv);
      if (args) checkAccepted(c, argv, args);
    },
    describe: ({ c, argv }) => `octet ${c.name} ${JSON.stringify(argv)}`,
  });
  console.log(summary("cli-args", report));
  assert.ok(report.refused.BAD_OPTION! > 0 && report.accepted > 0, "the campaign both accepts and refuses");
  assert.equal(COMMANDS.map((c) => c.seeds.map((s) => settingsOf(c, s))), before);
  assert.ok(before.flat().every((s) => s !== "null"), "every seed is valid");
});

test.run();
