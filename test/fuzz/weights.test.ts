// Fuzzing the binary weights file (decodeWeights, then the shapes through
// assembleModel): byte mutations of the tiny model's weights and, now and
// then, of models/lenet.weights; most cases get their header's payload size
// and CRC fixed after the edit so they reach the tensor parser. Every case is
// accepted or refused with an OctetError, within 2 s and bounded memory; the
// seeds decode the same afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeWeights, encodeWeights, type WeightMap } from "../../src/model/weights-file.js";
import { assembleModel } from "../../src/model/model.js";
import { parseGraph } from "../../src/model/graph.js";
import { crc32 } from "../../src/util/crc32.js";
import { mutateBytes, runCampaign, fuzzCases, summary, pick } from "./mutate.js";
import { lenetJson, lenetWeights, tinyGraph, tinyWeights } from "./seeds.js";
import { expectOctetError } from "../helpers.js";

/** The header's payload size and checksum recomputed, as a careful attacker would. */
function fixHeader(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 20) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(12, bytes.length - 20, true);
  view.setUint32(16, crc32(bytes.subarray(20)), true);
  return bytes;
}

const lenetGraph = parseGraph(lenetJson, "lenet.json");
const seeds = [
  { bytes: tinyWeights, graph: tinyGraph, weight: 0.97 },
  { bytes: lenetWeights, graph: lenetGraph, weight: 0.03 },
];

function digest(w: WeightMap): string {
  return JSON.stringify([...w].map(([k, t]) => [k, t.dims, t.data.length, Array.from(t.data.subarray(0, 16)), t.data.reduce((a, b) => a + b, 0)]));
}

test("mutated weights files are accepted or refused with an OctetError", () => {
  const before = seeds.map((s) => digest(decodeWeights(s.bytes, "seed.weights")));
  const report = runCampaign({
    name: "weights", seed: 0x5eed0007, cases: fuzzCases(3000),
    input: (rng) => {
      const seed = rng.next() < seeds[0]!.weight ? seeds[0]! : seeds[1]!;
      const bytes = mutateBytes(seed.bytes, rng, pick(rng, seeds).bytes);
      return { bytes: rng.next() < 0.85 ? fixHeader(bytes) : bytes, graph: seed.graph };
    },
    run: ({ bytes, graph }) => {
      assembleModel(graph, decodeWeights(bytes, "fuzz.weights"), "fuzz.weights");
    },
    describe: ({ bytes }) => `${bytes.length} bytes`,
  });
  console.log(summary("weights", report));
  assert.ok(report.refused.WEIGHTS_FORMAT! > 0 && report.accepted > 0, "the campaign both accepts and refuses");
  assert.equal(seeds.map((s) => digest(decodeWeights(s.bytes, "seed.weights"))), before);
});

test("NaN and infinite weights are refused, naming the tensor and the index", () => {
  for (const [bad, shown] of [[NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "-Infinity"]] as const) {
    const data = new Float32Array([0.5, -0.25, 1, bad, 2]);
    const bytes = encodeWeights(new Map([["ok.bias", { dims: [2], data: new Float32Array(2) }], ["ip1.weight", { dims: [5], data }]]));
    expectOctetError(() => decodeWeights(bytes, "nan.weights"), "WEIGHTS_FORMAT", new RegExp(`nan.weights: tensor "ip1.weight": value 3 is ${shown}; weights must be finite`));
  }
});

test("counts and sizes are checked before allocation: a tensor promising 2^32 values in a small file", () => {
  const bytes = encodeWeights(new Map([["w", { dims: [4], data: new Float32Array(4) }]]));
  const view = new DataView(bytes.buffer);
  view.setUint32(20 + 2 + 1 + 1, 0xffffffff, true); // dims[0] of "w"
  expectOctetError(() => decodeWeights(fixHeader(bytes), "big.weights"), "WEIGHTS_FORMAT", /big.weights: tensor 0: "w": data \(4294967295 values for dimensions \[4294967295\]\) runs past the end of the file/);
  view.setUint32(8, 0xffffffff, true); // tensor count
  view.setUint32(20 + 2 + 1 + 1, 4, true);
  expectOctetError(() => decodeWeights(fixHeader(bytes), "count.weights"), "WEIGHTS_FORMAT", /count.weights: tensor 1: name length runs past the end of the file/);
});

test.run();
