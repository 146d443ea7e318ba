// Fuzzing octet's JSON graphs (parseGraph, then shapes and weights through
// assembleModel): structural mutations of models/lenet.json and of a tiny
// graph, and text-level edits (deep brackets, cut documents, hostile
// strings). Every case is accepted or refused with an OctetError, within
// 2 s and bounded memory; the seeds still parse the same afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGraph, MAX_JSON_DEPTH } from "../../src/model/graph.js";
import { assembleModel } from "../../src/model/model.js";
import { mutateJson, mutateText, toJsonText, runCampaign, fuzzCases, summary, randInt } from "./mutate.js";
import { lenetJson, lenetWeightMap, tinyGraphJson, tinyModel } from "./seeds.js";
import { expectOctetError } from "../helpers.js";

const tinyJson = JSON.stringify(tinyGraphJson);
const seeds = [
  { text: lenetJson, weights: lenetWeightMap },
  { text: tinyJson, weights: tinyModel().weights },
];

test("mutated graphs are accepted or refused with an OctetError", () => {
  const before = seeds.map((s) => parseGraph(s.text, "seed.json"));
  const report = runCampaign({
    name: "model-json", seed: 0x0c7e7, cases: fuzzCases(5000),
    input: (rng) => {
      const seed = seeds[randInt(rng, seeds.length)]!;
      const structural = rng.next() < 0.7;
      const text = structural ? toJsonText(mutateJson(JSON.parse(seed.text), rng)) : mutateText(seed.text, rng);
      return { text: structural && rng.next() < 0.2 ? mutateText(text, rng) : text, weights: seed.weights };
    },
    run: ({ text, weights }) => {
      assembleModel(parseGraph(text, "fuzz.json"), weights, "fuzz.weights");
    },
    describe: ({ text }) => JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text),
  });
  console.log(summary("model-json", report));
  assert.ok(report.refused.MODEL_FORMAT! > 0 && report.accepted > 0, "the campaign both accepts and refuses");
  assert.equal(seeds.map((s) => parseGraph(s.text, "seed.json")), before);
});

test("a field nested 10,000 arrays deep is refused by name, not by a stack overflow", () => {
  const g = JSON.parse(lenetJson);
  const deep = "[".repeat(10_000) + "1" + "]".repeat(10_000);
  const text = JSON.stringify({ ...g, name: "@@" }).replace('"@@"', deep);
  expectOctetError(() => parseGraph(text, "deep.json"), "MODEL_FORMAT", new RegExp(`deep.json: JSON nested more than ${MAX_JSON_DEPTH} levels deep`));
  const inString = JSON.stringify({ ...g, name: "[\\\"".repeat(1000) });
  assert.is(parseGraph(inString, "s.json").name, "[\\\"".repeat(1000), "brackets inside strings do not count, nor escaped quotes");
});

test("found values in messages are short: a 100,000-element array or string is cut", () => {
  const g = JSON.parse(lenetJson);
  let message = "";
  try {
    parseGraph(JSON.stringify({ ...g, input: { name: "data", shape: Array.from({ length: 100_000 }, (_, i) => i) } }), "big.json");
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /big.json: field "input.shape" is \[0,1,2,3,.*…, expected \[C, H, W\]/);
  assert.ok(message.length < 300, message);
  expectOctetError(() => parseGraph(JSON.stringify({ ...g, version: "z".repeat(100_000) }), "v.json"), "MODEL_FORMAT", /field "version" is "zzzz+"…, expected /);
  expectOctetError(() => parseGraph(JSON.stringify({ ...g, layers: 5 }), "l.json"), "MODEL_FORMAT", /field "layers" must be a non-empty array, found 5/);
  expectOctetError(() => parseGraph(JSON.stringify({ ...g, input: { name: "data", shape: [1, 2e6, 1] } }), "h.json"), "MODEL_FORMAT", /field "input.shape" is \[1,2000000,1\], expected \[C, H, W\] of integers in 1..1048576/);
  const huge = parseGraph(JSON.stringify({ ...g, input: { name: "data", shape: [1, 1e6, 1e6] } }), "h.json");
  expectOctetError(() => assembleModel(huge, lenetWeightMap, "h.weights"), "SHAPE_MISMATCH", /h.weights: input data \[1, 1000000, 1000000\] has 1000000000000 elements per image, more than octet's limit of 67108864/);
});

test.run();
