// Plans round-trip through their file with identical outputs; damaged,
// truncated or foreign files are refused with a clear error.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { plan, runner, test } from "./fixtures.js";
import { serializePlan, deserializePlan } from "../../src/engine/plan-file.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import { expectOctetError } from "../helpers.js";
import type { Plan } from "../../src/engine/plan.js";

function outputs(p: Plan): Float32Array {
  const r = runner(p, 64);
  imagesToFloat(test, 0, 64, r.input(64));
  r.run(64);
  return r.output(64).slice();
}

it("a saved DLA plan loads and gives identical outputs without rebuilding", () => {
  const original = plan({ device: "dla", layerDevice: new Map([["pool2", "gpu"]]) });
  const bytes = serializePlan(original);
  const loaded = deserializePlan(bytes, "lenet.plan");
  assert.equal(loaded.nodes.map((n) => n.name), original.nodes.map((n) => n.name));
  assert.equal(loaded.scales, original.scales);
  assert.equal(Array.from(outputs(loaded)), Array.from(outputs(original)));
  assert.equal(serializePlan(loaded), bytes, "re-serializing gives the same bytes");
});

it("corrupted, truncated, foreign and future-version plans are refused", () => {
  const bytes = serializePlan(plan());
  const flipped = bytes.slice();
  flipped[bytes.length - 100] ^= 1;
  expectOctetError(() => deserializePlan(flipped, "a.plan"), "BAD_ARGUMENT", /a.plan: plan checksum mismatch \(corrupted file\)/);
  expectOctetError(() => deserializePlan(bytes.subarray(0, bytes.length - 7), "b.plan"), "BAD_ARGUMENT", /b.plan: plan is \d+ bytes, its header says \d+ \(truncated\)/);
  expectOctetError(() => deserializePlan(new TextEncoder().encode("TRT-7000-EntropyCalibration2\n"), "c.plan"), "BAD_ARGUMENT", /c.plan: not an octet plan/);
  const v2 = bytes.slice();
  v2[4] = 1;
  expectOctetError(() => deserializePlan(v2, "d.plan"), "BAD_ARGUMENT", /d.plan: plan format version 1, this octet reads version 2/);
  expectOctetError(() => deserializePlan(new Uint8Array(3), "e.plan"), "BAD_ARGUMENT", /e.plan: 3 bytes is too short/);
});

it.run();
