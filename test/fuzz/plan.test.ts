// Mutational fuzzing of plan files with the checksum fixed after every edit,
// so each case reaches octet's consistency checks. Every case must either be
// refused with a typed OctetError (never OUT_OF_BOUNDS, which the debug
// build raises for any access outside the arena) or load, and then run in
// the bounds-checked debug build at batch 1 and 3 with finite outputs. The
// valid seeds still load and give the same outputs afterwards. Cases:
// OCTET_FUZZ_CASES (default 1500 on a small network, a fifth of that on LeNet).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OctetError } from "../../src/errors.js";
import { Rng } from "../../src/util/rng.js";
import { serializePlan, deserializePlan } from "../../src/engine/plan-file.js";
import { buildPlan, DEFAULT_BUILD, type BuildOptions, type Plan } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { assembleModel, type Model } from "../../src/model/model.js";
import type { Graph, Layer } from "../../src/model/graph.js";
import { F32_NCHW, S8_NCHW4 } from "../../src/core/format.js";
import { randomF32 } from "../helpers.js";
import { splitPlan, joinPlan } from "../engine/plan-edit.js";
import { plan as lenetPlan } from "../engine/fixtures.js";

const CASES = Number(process.env.OCTET_FUZZ_CASES ?? 1500);

const conv = (name: string, input: string, K: number, k: number, pad: number): Layer => ({
  name, type: "convolution", inputs: [input], output: name, numOutput: K, kernelShape: [k, k], strides: [1, 1], pads: [pad, pad, pad, pad], dilations: [1, 1], group: 1, bias: true,
});

/** conv 3x3 -> relu -> max pool -> conv 5x5 (Winograd rows) -> fc -> softmax, on a 2x12x12 input. */
function smallModel(): Model {
  const graph: Graph = {
    name: "small", weights: "small.weights", output: "prob",
    input: { name: "x", shape: [2, 12, 12] },
    layers: [
      conv("c1", "x", 6, 3, 1),
      { name: "r1", type: "relu", inputs: ["c1"], output: "c1" },
      { name: "p1", type: "pooling", inputs: ["c1"], output: "p1", method: "max", kernelShape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false },
      conv("c2", "p1", 5, 5, 2),
      { name: "f1", type: "fully_connected", inputs: ["c2"], output: "f1", numOutput: 7, bias: true },
      { name: "prob", type: "softmax", inputs: ["f1"], output: "prob" },
    ],
  };
  const w = (name: string, dims: number[], seed: number) => [name, { dims, data: randomF32(dims.reduce((a, b) => a * b, 1), seed, -0.5, 0.5) }] as const;
  return assembleModel(graph, new Map([
    w("c1.weight", [6, 2, 3, 3], 1), w("c1.bias", [6], 2), w("c2.weight", [5, 6, 5, 5], 3), w("c2.bias", [5], 4),
    w("f1.weight", [7, 5 * 6 * 6], 5), w("f1.bias", [7], 6),
  ]));
}

const small = smallModel();
const smallScales = new Map([["x", 1 / 127], ["c1", 0.02], ["p1", 0.02], ["c2", 0.05], ["f1", 0.1]]);
const smallPlan = (o: Partial<BuildOptions>) => {
  const options = { ...DEFAULT_BUILD, ...o };
  return buildPlan(small, options, options.precision === "fp32" ? null : smallScales, { algorithm: "entropy", source: "fuzz" });
};

function run(p: Plan, n: number): Float32Array {
  const ctx = new ExecutionContext(p, () => loadKernels("debug"), n);
  const input = ctx.input(n);
  for (let i = 0; i < input.length; i++) input[i] = p.options.inputFormat.startsWith("int8") ? ((i * 37) % 255) - 127 : ((i * 37) % 101) / 100;
  ctx.enqueue(n);
  return ctx.output(n).slice();
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const INTERESTING: JsonValue[] = [0, -1, 1, 2, 3, 7, 31, 32, 33, 255, 65536, 2 ** 31, -(2 ** 31), 1e9, 1e300, 0.5, "1", "", null, true, [], {}];

/** Every path to a value inside `root`, for picking one to mutate. */
function paths(root: JsonValue): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: JsonValue, path: (string | number)[]) => {
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) walk(v[k]!, [...path, k]);
  };
  walk(root, []);
  return out;
}

function mutateJson(root: JsonValue, rng: Rng): JsonValue {
  const all = paths(root).filter((p) => p.length > 0);
  const path = all[Math.floor(rng.next() * all.length)]!;
  const parent = path.slice(0, -1).reduce<JsonValue>((v, k) => (v as Record<string | number, JsonValue>)[k]!, root) as Record<string | number, JsonValue> | JsonValue[];
  const key = path[path.length - 1]!;
  const value = (parent as Record<string | number, JsonValue>)[key]!;
  const choice = Math.floor(rng.next() * 6);
  if (choice === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, JsonValue>)[key];
  } else if (choice === 1 && Array.isArray(parent)) {
    parent.splice(key as number, 0, structuredClone(value));
  } else if (choice === 2 && typeof value === "number") {
    const deltas = [1, -1, 8, -8, value, -value];
    (parent as Record<string | number, JsonValue>)[key] = value + deltas[Math.floor(rng.next() * deltas.length)]!;
  } else if (choice === 3) {
    // Another value found in the plan: a layer name, a format, a device, a number.
    const donor = all[Math.floor(rng.next() * all.length)]!.reduce<JsonValue>((v, k) => (v as Record<string | number, JsonValue>)[k]!, root);
    (parent as Record<string | number, JsonValue>)[key] = structuredClone(donor);
  } else {
    (parent as Record<string | number, JsonValue>)[key] = structuredClone(INTERESTING[Math.floor(rng.next() * INTERESTING.length)]!);
  }
  return root;
}

function mutateBlob(blob: Uint8Array, rng: Rng): void {
  const edits = 1 + Math.floor(rng.next() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rng.next() * blob.length);
    blob[i] = rng.next() < 0.5 ? blob[i]! ^ (1 << Math.floor(rng.next() * 8)) : Math.floor(rng.next() * 256);
  }
}

interface Tally { refused: number; ran: number }

function campaign(seeds: Plan[], cases: number, seed: number): Tally {
  const files = seeds.map((p) => serializePlan(p));
  const rng = new Rng(seed);
  const tally: Tally = { refused: 0, ran: 0 };
  for (let c = 0; c < cases; c++) {
    const source = files[c % files.length]!;
    const { json, blob } = splitPlan(source);
    const blobOnly = rng.next() < 0.25;
    if (blobOnly) mutateBlob(blob, rng);
    else for (let m = 1 + Math.floor(rng.next() * 3); m > 0; m--) mutateJson(json as JsonValue, rng);
    const bytes = joinPlan(JSON.stringify(json), blob);
    const where = `case ${c} (seed ${seed}, ${blobOnly ? "blob" : "json"} edit)`;
    let loaded: Plan;
    try {
      loaded = deserializePlan(bytes, "fuzz.plan");
    } catch (e) {
      if (!(e instanceof OctetError)) throw new Error(`${where}: untyped ${(e as Error).name}: ${(e as Error).message}`);
      assert.is.not(e.code, "OUT_OF_BOUNDS", `${where}: ${e.message}`);
      tally.refused++;
      continue;
    }
    try {
      for (const n of [1, 3]) {
        const out = run(loaded, n);
        if (!out.every(Number.isFinite)) assert.unreachable(`${where}: non-finite output at batch ${n}: ${loaded.options.precision} ${JSON.stringify(Object.fromEntries(Object.entries(loaded.params).map(([k, v]) => [k, v.kind === "fp32" ? [Math.max(...v.weight.map(Math.abs)), Math.max(...v.bias.map(Math.abs))] : [...v.mult].slice(0, 3)])))}`);
      }
      tally.ran++;
    } catch (e) {
      if (!(e instanceof OctetError) || e.code === "OUT_OF_BOUNDS") assert.unreachable(`${where}: a plan that loaded failed to run: ${(e as Error).name}: ${(e as Error).message}`);
      tally.refused++;
    }
  }
  return tally;
}

const smallSeeds = [
  smallPlan({}),
  smallPlan({ device: "dla" }),
  smallPlan({ device: "dla", layerDevice: new Map([["p1", "gpu"]]) }),
  smallPlan({ precision: "fp32" }),
  smallPlan({ inputFormat: S8_NCHW4 }),
  smallPlan({ layerPrecision: new Map([["c2", "fp32"]]), inputFormat: F32_NCHW }),
];

test(`${CASES} mutated plans of a small network: typed errors or bounds-clean runs in the debug build`, () => {
  const before = smallSeeds.map((p) => run(p, 3));
  const tally = campaign(smallSeeds, CASES, 14);
  console.log(`  small network: ${tally.refused} refused, ${tally.ran} loaded and ran`);
  assert.ok(tally.refused > CASES / 2, `most mutations are refused (${tally.refused} of ${CASES})`);
  smallSeeds.forEach((p, i) => {
    const again = run(deserializePlan(serializePlan(p), "seed.plan"), 3);
    assert.equal(Array.from(again), Array.from(before[i]!), `seed ${i} unchanged`);
  });
});

test(`${Math.ceil(CASES / 5)} mutated LeNet plans (gpu, dla split, fp32)`, () => {
  const seeds = [lenetPlan(), lenetPlan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) }), lenetPlan({ precision: "fp32" })];
  const tally = campaign(seeds, Math.ceil(CASES / 5), 1914);
  console.log(`  LeNet: ${tally.refused} refused, ${tally.ran} loaded and ran`);
  assert.ok(tally.refused + tally.ran === Math.ceil(CASES / 5));
});

test.run();
